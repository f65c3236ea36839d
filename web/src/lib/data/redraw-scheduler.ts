/** Something drawn by the scheduler: a chart, a sparkline. */
export interface Drawable {
  /** Draws the current data; `now` is the frame's wall-clock time (ms since the epoch). */
  draw(now: number): void;
  /**
   * The shortest time between two draws that can look different (ms), e.g.
   * the time one pixel of a chart spans. A drawable marked dirty sooner
   * waits for it; none means every frame.
   */
  interval?(): number;
}

/** A drawable's registration. */
export interface RedrawHandle {
  /** New data (or a new size, a new window): draw at the next frame. */
  markDirty(): void;
  /** Whether it is on screen; an off-screen drawable keeps its dirt and draws when it comes back. */
  setVisible(visible: boolean): void;
  /** Unregisters it. */
  remove(): void;
}

/** What the scheduler needs of the page; the browser's by default, a script of it in tests. */
export interface FrameEnvironment {
  requestFrame(callback: () => void): number;
  cancelFrame(handle: number): void;
  /** Whether the page is hidden (a background tab). */
  hidden(): boolean;
  /** Calls `listener` when the page is hidden or shown; returns the function that stops it. */
  onVisibilityChange(listener: () => void): () => void;
  now(): number;
  /** A monotonic high-resolution clock (ms), for the frame budget. */
  time(): number;
  setTimer(callback: () => void, ms: number): number;
  clearTimer(handle: number): void;
  /** Called once per frame that drew, with the count of such frames so far. */
  countFrame(frames: number): void;
}

/** Script time a frame may spend drawing before the rest waits for the next frame (ms). */
export const FRAME_BUDGET_MS = 8;

interface Entry {
  target: Drawable;
  dirty: boolean;
  visible: boolean;
  /** When it last drew (ms, the environment's clock). */
  drawnAt: number;
}

/**
 * One redraw loop for the whole page: drawables mark themselves dirty as
 * data arrives, and at the next animation frame every dirty, visible one
 * draws once, however many updates came in between (uPlot's advice: batch
 * updates, draw once per frame). A hidden page requests no frames at all;
 * data keeps flowing into the bounded buffers and the first frame after it
 * is shown again draws the latest state.
 *
 * A drawable that declares an {@link Drawable.interval} is not drawn more
 * often than that: a one-minute chart 400 pixels wide moves a pixel every
 * 150 ms, so drawing it at every 50 ms batch would repaint the same picture.
 * This also spreads the charts' draws over different frames instead of
 * drawing every chart in the frame after each batch.
 *
 * A frame draws for at most {@link FRAME_BUDGET_MS} of script time; the
 * dirty drawables left over are drawn in the next frame, so a burst of data
 * for every chart becomes a few short frames rather than one long one.
 *
 * Every frame that drew is counted on `document.documentElement.dataset.frames`,
 * so a headless benchmark reads frames per second without hooks in the page.
 */
export class RedrawScheduler {
  readonly #env: FrameEnvironment;
  readonly #entries = new Set<Entry>();
  #frame: number | undefined;
  #timer: number | undefined;
  #timerDue = Infinity;
  #frames = 0;
  #stopVisibility: (() => void) | undefined;

  constructor(env: FrameEnvironment = browserFrames()) {
    this.#env = env;
  }

  /** Frames that drew something, since the scheduler was made. */
  get frames(): number {
    return this.#frames;
  }

  /** Registers a drawable (visible, clean). */
  add(target: Drawable): RedrawHandle {
    const entry: Entry = { target, dirty: false, visible: true, drawnAt: -Infinity };
    this.#entries.add(entry);
    this.#watchVisibility();
    return {
      markDirty: () => {
        entry.dirty = true;
        if (!entry.visible) return;
        const wait = entry.drawnAt + (entry.target.interval?.() ?? 0) - this.#env.now();
        if (wait > 0) this.#requestAt(wait);
        else this.#request();
      },
      setVisible: (visible) => {
        entry.visible = visible;
        if (visible && entry.dirty) this.#request();
      },
      remove: () => {
        this.#entries.delete(entry);
        if (this.#entries.size === 0) this.#stop();
      },
    };
  }

  #request(): void {
    if (this.#frame !== undefined || this.#env.hidden()) return;
    this.#frame = this.#env.requestFrame(() => this.#run());
  }

  #run(): void {
    this.#frame = undefined;
    if (this.#env.hidden()) return;
    const now = this.#env.now();
    const start = this.#env.time();
    let drew = false;
    let due = Infinity;
    let overBudget = false;
    for (const entry of this.#entries) {
      if (!entry.dirty || !entry.visible) continue;
      if (overBudget) {
        due = now;
        continue;
      }
      const next = entry.drawnAt + (entry.target.interval?.() ?? 0);
      if (next > now) {
        due = Math.min(due, next);
        continue;
      }
      entry.dirty = false;
      entry.drawnAt = now;
      drew = true;
      try {
        entry.target.draw(now);
      } catch (error) {
        // one broken chart must not stop the others; the error still surfaces
        queueMicrotask(() => {
          throw error;
        });
      }
      overBudget = this.#env.time() - start > FRAME_BUDGET_MS;
    }
    if (drew) this.#env.countFrame(++this.#frames);
    if (due === now) this.#request();
    else if (due !== Infinity) this.#requestAt(due - now);
  }

  /** A frame once `ms` have passed, for drawables that wait for their interval (one timer, the soonest). */
  #requestAt(ms: number): void {
    const due = this.#env.now() + ms;
    if (this.#timer !== undefined) {
      if (this.#timerDue <= due) return;
      this.#env.clearTimer(this.#timer);
    }
    this.#timerDue = due;
    this.#timer = this.#env.setTimer(() => {
      this.#timer = undefined;
      this.#request();
    }, ms);
  }

  #watchVisibility(): void {
    this.#stopVisibility ??= this.#env.onVisibilityChange(() => {
      if (this.#env.hidden()) {
        if (this.#frame !== undefined) this.#env.cancelFrame(this.#frame);
        this.#frame = undefined;
        return;
      }
      for (const entry of this.#entries) {
        if (entry.dirty && entry.visible) {
          this.#request();
          return;
        }
      }
    });
  }

  #stop(): void {
    if (this.#frame !== undefined) this.#env.cancelFrame(this.#frame);
    if (this.#timer !== undefined) this.#env.clearTimer(this.#timer);
    this.#frame = undefined;
    this.#timer = undefined;
    this.#stopVisibility?.();
    this.#stopVisibility = undefined;
  }
}

/** The page's animation frames and visibility. */
export function browserFrames(): FrameEnvironment {
  return {
    requestFrame: (callback) => requestAnimationFrame(callback),
    cancelFrame: (handle) => cancelAnimationFrame(handle),
    hidden: () => document.visibilityState === 'hidden',
    onVisibilityChange: (listener) => {
      document.addEventListener('visibilitychange', listener);
      return () => document.removeEventListener('visibilitychange', listener);
    },
    now: () => Date.now(),
    time: () => performance.now(),
    setTimer: (callback, ms) => window.setTimeout(callback, ms),
    clearTimer: (handle) => window.clearTimeout(handle),
    countFrame: (frames) => {
      document.documentElement.dataset.frames = String(frames);
    },
  };
}

/**
 * A chart's {@link Drawable.interval}: the time one pixel spans, so it is
 * drawn at most once per pixel it moves, and at least five times a second so
 * new values show promptly.
 */
export function pixelInterval(windowMs: number, widthPx: number): number {
  return Math.min(200, Math.max(0, windowMs / Math.max(1, widthPx)));
}

let shared: RedrawScheduler | undefined;

/** The page's one scheduler. */
export function redrawScheduler(): RedrawScheduler {
  shared ??= new RedrawScheduler();
  return shared;
}
