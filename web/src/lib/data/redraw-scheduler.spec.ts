import { describe, expect, it } from 'vitest';
import { RedrawScheduler, type FrameEnvironment } from './redraw-scheduler';

/**
 * A scripted page: frames run when the test says so, and the page is hidden
 * or shown on demand. jsdom has no real animation frames or tabs to switch.
 */
function scriptedPage() {
  let callbacks = new Map<number, () => void>();
  const timers = new Map<number, { at: number; callback: () => void }>();
  let next = 1;
  let hidden = false;
  let clock = 1_000;
  /** Script time spent in the current frame: each draw of a test takes what `cost` says. */
  let spent = 0;
  const visibilityListeners = new Set<() => void>();
  const counted: number[] = [];
  const env: FrameEnvironment = {
    requestFrame: (callback) => {
      callbacks.set(next, callback);
      return next++;
    },
    cancelFrame: (handle) => void callbacks.delete(handle),
    hidden: () => hidden,
    onVisibilityChange: (listener) => {
      visibilityListeners.add(listener);
      return () => visibilityListeners.delete(listener);
    },
    now: () => clock,
    time: () => spent,
    setTimer: (callback, ms) => {
      timers.set(next, { at: clock + ms, callback });
      return next++;
    },
    clearTimer: (handle) => void timers.delete(handle),
    countFrame: (frames) => counted.push(frames),
  };
  return {
    env,
    counted,
    pending: () => callbacks.size,
    spend: (ms: number) => {
      spent += ms;
    },
    runFrame: () => {
      const due = callbacks;
      callbacks = new Map();
      for (const callback of due.values()) callback();
    },
    /** Moves the clock, firing the timers that come due. */
    advance: (ms: number) => {
      clock += ms;
      for (const [handle, timer] of [...timers]) {
        if (timer.at > clock) continue;
        timers.delete(handle);
        timer.callback();
      }
    },
    setHidden: (value: boolean) => {
      hidden = value;
      for (const listener of visibilityListeners) listener();
    },
  };
}

function drawCounter(interval?: number) {
  const draws: number[] = [];
  return { draws, target: { draw: (now: number) => draws.push(now), interval: () => interval ?? 0 } };
}

describe('RedrawScheduler', () => {
  it('draws each dirty panel once per frame, in one frame for all of them', () => {
    const page = scriptedPage();
    const scheduler = new RedrawScheduler(page.env);
    const panels = Array.from({ length: 20 }, () => drawCounter());
    const handles = panels.map((panel) => scheduler.add(panel.target));
    for (let update = 0; update < 5; update++) for (const handle of handles) handle.markDirty();
    expect(page.pending()).toBe(1);
    page.runFrame();
    for (const panel of panels) expect(panel.draws).toEqual([1_000]);
    expect(page.counted).toEqual([1]);
    // nothing new: no frame requested, nothing drawn
    expect(page.pending()).toBe(0);
    handles[3].markDirty();
    page.runFrame();
    expect(panels[3].draws).toHaveLength(2);
    expect(panels[4].draws).toHaveLength(1);
    expect(scheduler.frames).toBe(2);
  });

  it('draws nothing while the page is hidden, and the latest state once it is shown', () => {
    const page = scriptedPage();
    const scheduler = new RedrawScheduler(page.env);
    const panel = drawCounter();
    const handle = scheduler.add(panel.target);
    handle.markDirty();
    page.setHidden(true);
    expect(page.pending()).toBe(0);
    for (let i = 0; i < 10; i++) handle.markDirty();
    page.runFrame();
    expect(panel.draws).toEqual([]);
    expect(page.counted).toEqual([]);
    page.setHidden(false);
    page.runFrame();
    expect(panel.draws).toHaveLength(1);
  });

  it('skips an off-screen panel and draws it when it comes back into view', () => {
    const page = scriptedPage();
    const scheduler = new RedrawScheduler(page.env);
    const onScreen = drawCounter();
    const offScreen = drawCounter();
    const a = scheduler.add(onScreen.target);
    const b = scheduler.add(offScreen.target);
    b.setVisible(false);
    a.markDirty();
    b.markDirty();
    page.runFrame();
    expect(onScreen.draws).toHaveLength(1);
    expect(offScreen.draws).toHaveLength(0);
    b.setVisible(true);
    page.runFrame();
    expect(offScreen.draws).toHaveLength(1);
  });

  it('draws a chart no more often than its interval, and draws the latest data when it is due', () => {
    const page = scriptedPage();
    const scheduler = new RedrawScheduler(page.env);
    const chart = drawCounter(150);
    const handle = scheduler.add(chart.target);
    handle.markDirty();
    page.runFrame();
    expect(chart.draws).toEqual([1_000]);
    // three batches within one interval: no frame for them until the interval is over
    for (let batch = 0; batch < 3; batch++) {
      page.advance(50);
      handle.markDirty();
      page.runFrame();
    }
    expect(chart.draws).toEqual([1_000, 1_150]);
    page.advance(150);
    page.runFrame();
    expect(chart.draws).toEqual([1_000, 1_150]);
  });

  it('leaves what does not fit in a frame’s budget to the next frame', () => {
    const page = scriptedPage();
    const scheduler = new RedrawScheduler(page.env);
    const draws: number[] = [];
    const handles = Array.from({ length: 6 }, (_, i) =>
      scheduler.add({
        draw: () => {
          draws.push(i);
          page.spend(3);
        },
      }),
    );
    for (const handle of handles) handle.markDirty();
    page.runFrame();
    expect(draws).toEqual([0, 1, 2]);
    page.runFrame();
    expect(draws).toEqual([0, 1, 2, 3, 4, 5]);
    expect(page.counted).toEqual([1, 2]);
  });

  it('stops requesting frames once every panel is gone', () => {
    const page = scriptedPage();
    const scheduler = new RedrawScheduler(page.env);
    const handle = scheduler.add(drawCounter().target);
    handle.markDirty();
    handle.remove();
    expect(page.pending()).toBe(0);
  });
});
