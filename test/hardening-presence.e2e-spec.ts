import type { Ack, ClientToServerEvents, PresenceEvent, ServerToClientEvents } from '@pulseboard/protocol';
import { io, type Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { hardenedSuite } from './support/hardened-suite.js';
import { startServer } from './support/server.js';
import { pollUntil } from './support/polling.js';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Sockets in the crowd: well under the 1,000 connections one address may hold. */
const CROWD = 600;
/** Sockets connecting and joining at once. */
const WAVE = 50;
/** Viewers a presence list names by default (`PRESENCE_MAX_VIEWERS`). */
const LISTED = 100;
/**
 * Growth of this process's memory (server and every client) the whole crowd may cost. Measured about
 * 150 MB; before presence was bounded, 400 joins had taken 400 MB and the next ones took gigabytes.
 */
const MEMORY_BOUND = 300 * 1024 * 1024;
/**
 * Presence bytes the whole crowd may receive. Each announcement names at most 100 viewers (~5 KB) and a
 * dashboard has at most a few per second, so this grows with the crowd times the seconds it takes to join
 * (measured 46 MB); when every join told every viewer the whole list, the crowd would have received 3 GB.
 */
const PRESENCE_BYTES_BOUND = CROWD * 400 * 1024;

/** One anonymous viewer of the crowd: counts what presence sends it, keeping only the last event. */
class CrowdViewer {
  events = 0;
  bytes = 0;
  /** The most viewers one presence event named. */
  longestList = 0;
  last: PresenceEvent | undefined;

  constructor(readonly socket: ClientSocket) {
    socket.on('presence', (event) => {
      this.events++;
      this.bytes += JSON.stringify(event).length;
      this.longestList = Math.max(this.longestList, event.viewers.length);
      this.last = event;
    });
  }

  /** Joins `dashboard` and answers what the acknowledgement said. */
  async join(dashboard: string): Promise<PresenceEvent> {
    const ack = (await this.socket.timeout(30_000).emitWithAck('join', { dashboard })) as Ack<PresenceEvent>;
    if (!ack.ok) throw new Error(`could not join: ${JSON.stringify(ack)}`);
    this.bytes += JSON.stringify(ack).length;
    const { ok: _ok, ...presence } = ack;
    return presence;
  }
}

describe('presence of a crowded dashboard', () => {
  const suite = hardenedSuite(() => startServer());

  /** Connects one viewer of the crowd (a connection of its own), closed after the test. */
  async function connect(name: string): Promise<CrowdViewer> {
    const socket: ClientSocket = io(suite.server.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      auth: { name },
    });
    suite.closers.push(() => socket.close());
    const viewer = new CrowdViewer(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return viewer;
  }

  async function joinCrowd(name: string): Promise<CrowdViewer> {
    const viewer = await connect(name);
    await viewer.join('crowded');
    return viewer;
  }

  it('keeps memory and presence traffic bounded when 600 anonymous sockets of one address join one dashboard', async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const growth = () => (Math.max(peak, process.memoryUsage().rss) - before) / 2 ** 20;
    try {
      const first = await joinCrowd('First');
      const crowd = [first];
      while (crowd.length < CROWD) {
        const wave = Array.from({ length: Math.min(WAVE, CROWD - crowd.length) }, (_, i) => crowd.length + i);
        crowd.push(...(await Promise.all(wave.map((n) => joinCrowd(`Viewer ${n}`)))));
        // fails while the process is still alive, rather than when it runs out of memory
        expect(growth(), `MB of memory after ${crowd.length} joins`).toBeLessThan(MEMORY_BOUND / 2 ** 20);
      }

      // a late joiner is answered with the true count and a capped list
      const late = await connect('Late');
      const joined = await late.join('crowded');
      expect(joined).toMatchObject({ dashboard: 'crowded', count: CROWD + 1 });
      expect(joined.viewers).toHaveLength(LISTED);
      expect(joined.viewers[0].name).toBe('First');

      // everyone hears of the late joiner, in a capped list with the count
      await pollUntil(
        () => crowd.every((v) => v.last?.count === CROWD + 1 && v.last.viewers.length === LISTED),
        'every viewer to hear of the late joiner',
      );
      expect(first.last?.viewers[0].name).toBe('First');
      // 599 joins followed the first viewer's own: it was told of them in a few dozen announcements (one per join before)
      expect(first.events).toBeLessThan(CROWD / 2);
      expect(Math.max(...crowd.map((v) => v.longestList))).toBe(LISTED);

      const bytes = [...crowd, late].reduce((sum, v) => sum + v.bytes, 0);
      expect(bytes, 'presence bytes received by the crowd').toBeLessThan(PRESENCE_BYTES_BOUND);
      expect(growth(), 'MB of memory after the crowd joined').toBeLessThan(MEMORY_BOUND / 2 ** 20);

      // the crowd going away at once is told in a few announcements too
      const told = first.events;
      for (const viewer of crowd.slice(1)) viewer.socket.close();
      await pollUntil(() => first.last?.count === 2, 'the first viewer to hear the crowd left');
      expect(first.last?.viewers.map((v) => v.name)).toEqual(['First', 'Late']);
      expect(first.events - told).toBeLessThan(CROWD / 2);
    } finally {
      clearInterval(sampler);
    }
    await suite.bystander.stillServes();
  }, 120_000);
});
