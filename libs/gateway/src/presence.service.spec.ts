import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PRESENCE_WINDOW_MS, PresenceService } from './presence.service.js';

const alice = { id: 'u-alice', name: 'Alice' };
const bob = { id: 'u-bob', name: 'Bob' };
const carol = { id: 'u-carol', name: 'Carol' };

/** A service that lists at most `max` viewers, with the announcements it made. */
function service(max = 100) {
  const presence = new PresenceService({ presenceMaxViewers: max });
  const announced: [string, string | undefined][] = [];
  presence.announceWith((dashboard, told) => announced.push([dashboard, told]));
  return { presence, announced };
}

describe('PresenceService', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lists viewers in order of arrival and drops them as they leave', () => {
    const { presence } = service();
    presence.join('d', 's1', alice);
    expect(presence.presence('d')).toEqual({ dashboard: 'd', viewers: [alice], count: 1 });
    presence.join('d', 's2', bob);
    expect(presence.presence('d')).toEqual({ dashboard: 'd', viewers: [alice, bob], count: 2 });
    expect(presence.leave('d', 's1')).toBe(true);
    expect(presence.presence('d')).toEqual({ dashboard: 'd', viewers: [bob], count: 1 });
    presence.leave('d', 's2');
    expect(presence.presence('d')).toEqual({ dashboard: 'd', viewers: [], count: 0 });
  });

  it('lists a viewer with two sockets once, until the last one leaves', () => {
    const { presence } = service();
    presence.join('d', 's1', alice);
    presence.join('d', 's2', alice);
    expect(presence.presence('d')).toMatchObject({ viewers: [alice], count: 1 });
    presence.leave('d', 's1');
    expect(presence.presence('d')).toMatchObject({ viewers: [alice], count: 1 });
    presence.leave('d', 's2');
    expect(presence.presence('d')).toMatchObject({ viewers: [], count: 0 });
  });

  it('answers false for a socket that was not there, and keeps dashboards apart', () => {
    const { presence } = service();
    presence.join('a', 's1', alice);
    expect(presence.leave('b', 's1')).toBe(false);
    expect(presence.presence('b').viewers).toEqual([]);
    expect(presence.presence('a').viewers).toEqual([alice]);
  });

  it('names at most the configured number of viewers and counts them all', () => {
    const { presence } = service(2);
    presence.join('d', 's1', alice);
    presence.join('d', 's2', bob);
    presence.join('d', 's3', carol);
    expect(presence.presence('d')).toEqual({ dashboard: 'd', viewers: [alice, bob], count: 3 });
    expect(presence.viewers('d')).toEqual([alice, bob, carol]);
  });

  it('merges the viewers of several instances, each counted once, into a capped list', () => {
    const { presence } = service(2);
    expect(presence.merge('d', [[alice], [bob, alice], [carol]])).toEqual({
      dashboard: 'd',
      viewers: [alice, bob],
      count: 3,
    });
  });

  it('announces the first change at once, and a burst of changes together at the end of the window', () => {
    const { presence, announced } = service();
    presence.join('d', 's1', alice);
    // the joiner was answered by its acknowledgement
    expect(announced).toEqual([['d', 's1']]);
    for (let i = 0; i < 500; i++) presence.join('d', `crowd-${i}`, { id: `v${i}`, name: `V${i}` });
    presence.join('other', 's1', alice);
    expect(announced).toEqual([
      ['d', 's1'],
      ['other', 's1'],
    ]);
    vi.advanceTimersByTime(PRESENCE_WINDOW_MS);
    expect(announced.slice(2)).toEqual([['d', 'crowd-499']]);
    vi.advanceTimersByTime(PRESENCE_WINDOW_MS * 5);
    expect(announced).toHaveLength(3);
  });

  it('tells the last joiner too when a change follows its join in the same window', () => {
    const { presence, announced } = service();
    presence.join('d', 's1', alice);
    presence.join('d', 's2', bob);
    presence.leave('d', 's1');
    vi.advanceTimersByTime(PRESENCE_WINDOW_MS);
    expect(announced).toEqual([
      ['d', 's1'],
      ['d', undefined],
    ]);
  });

  it('announces nothing for a second socket of a viewer already there, or a socket joining twice', () => {
    const { presence, announced } = service();
    presence.join('d', 's1', alice);
    vi.advanceTimersByTime(PRESENCE_WINDOW_MS * 2);
    presence.join('d', 's2', alice);
    presence.join('d', 's1', alice);
    presence.leave('d', 's2');
    vi.advanceTimersByTime(PRESENCE_WINDOW_MS * 2);
    expect(announced).toEqual([['d', 's1']]);
  });

  it('drops pending announcements when the module stops', () => {
    const { presence, announced } = service();
    presence.join('d', 's1', alice);
    presence.join('d', 's2', bob);
    presence.onModuleDestroy();
    vi.advanceTimersByTime(PRESENCE_WINDOW_MS * 2);
    expect(announced).toEqual([['d', 's1']]);
  });
});
