import { describe, expect, it } from 'vitest';
import { PresenceService } from './presence.service.js';

const alice = { id: 'u-alice', name: 'Alice' };
const bob = { id: 'u-bob', name: 'Bob' };

describe('PresenceService', () => {
  it('lists viewers in joining order and drops them as they leave', () => {
    const presence = new PresenceService();
    expect(presence.join('d', 's1', alice)).toEqual({ dashboard: 'd', viewers: [alice] });
    expect(presence.join('d', 's2', bob)).toEqual({ dashboard: 'd', viewers: [alice, bob] });
    expect(presence.leave('d', 's1')).toEqual({ dashboard: 'd', viewers: [bob] });
    expect(presence.leave('d', 's2')).toEqual({ dashboard: 'd', viewers: [] });
  });

  it('lists a viewer with two sockets once, until the last one leaves', () => {
    const presence = new PresenceService();
    presence.join('d', 's1', alice);
    expect(presence.join('d', 's2', alice).viewers).toEqual([alice]);
    expect(presence.leave('d', 's1')?.viewers).toEqual([alice]);
    expect(presence.leave('d', 's2')?.viewers).toEqual([]);
  });

  it('answers undefined for a socket that was not there, and keeps dashboards apart', () => {
    const presence = new PresenceService();
    presence.join('a', 's1', alice);
    expect(presence.leave('b', 's1')).toBeUndefined();
    expect(presence.presence('b').viewers).toEqual([]);
    expect(presence.presence('a').viewers).toEqual([alice]);
  });
});
