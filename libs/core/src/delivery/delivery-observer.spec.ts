import { describe, expect, it } from 'vitest';
import { MemoryLog } from '../log/memory-log.js';
import { batchOf } from '../log/point-batch.js';
import { Retention } from '../retention/retention.js';
import { SubscriptionRegistry } from '../subscriptions/subscription-registry.js';
import { ManualClock } from '../test-clock.js';
import type { ConnectionOptions, DeliverySink } from './connection.js';
import { DeliveryScheduler } from './scheduler.js';
import { RecordingObserver } from './testing/recording-observer.js';
import { recordedBytes, RecordingSink } from './testing/recording-sink.js';

function setup(slowTimeoutMs = 30_000) {
  const clock = new ManualClock();
  const log = new MemoryLog(clock);
  const retention = new Retention({ retentionMs: 60_000, maxPointsPerFeed: 10_000, maxBytes: 1e9, clock });
  log.tail((batch) => retention.apply(batch));
  const scheduler = new DeliveryScheduler(retention, new SubscriptionRegistry(retention), {
    batchMs: 50,
    heartbeatMs: 15_000,
    maxFramePoints: 100_000,
    slowTimeoutMs,
    epoch: () => log.epoch,
    clock,
  });
  const observer = new RecordingObserver();
  scheduler.observe(observer);
  let v = 0;
  const ingest = (feed: string, n = 1) =>
    log.append(batchOf(Array.from({ length: n }, () => ({ feed, t: clock.now(), v: ++v }))));
  const open = (sink: DeliverySink, options: Partial<ConnectionOptions> = {}) =>
    scheduler.open(sink, { feeds: ['a'], ...options });
  const tick = (ms = 50): void => {
    clock.advance(ms);
    scheduler.tick();
  };
  return { clock, scheduler, observer, ingest, open, tick };
}

/** The bytes a recording sink answered for everything it was sent. */
function bytesOf(sink: RecordingSink): number {
  let bytes = 0;
  for (const delivery of sink.deliveries) bytes += recordedBytes(delivery);
  return bytes;
}

describe('delivery observer', () => {
  it('reports frames, bytes and points per transport once per tick, and nothing for a tick that wrote nothing', async () => {
    const { observer, ingest, open, tick } = setup();
    const streams = [new RecordingSink('sse'), new RecordingSink('sse')];
    const socket = new RecordingSink('socketio');
    for (const sink of streams) open(sink);
    open(socket, { feeds: ['a', 'b'] });
    await ingest('a', 3);
    await ingest('b', 2);
    tick();
    expect(observer.writes).toEqual([
      { transport: 'sse', frames: 2, bytes: bytesOf(streams[0]) * 2, points: 6 },
      { transport: 'socketio', frames: 1, bytes: bytesOf(socket), points: 5 },
    ]);
    tick();
    expect(observer.writes).toHaveLength(2);
    await ingest('a');
    tick();
    expect(observer.writes.slice(2)).toEqual([
      { transport: 'sse', frames: 2, bytes: expect.any(Number) as number, points: 2 },
      { transport: 'socketio', frames: 1, bytes: expect.any(Number) as number, points: 1 },
    ]);
    expect(observer.ticks).toBe(3);
  });

  it('observes each batch’s wait once, from its arrival to the tick that first writes it live', async () => {
    const { clock, observer, ingest, open, tick } = setup();
    open(new RecordingSink());
    open(new RecordingSink());
    await ingest('a');
    clock.advance(30);
    await ingest('a');
    tick(20);
    expect(observer.lags).toEqual([50, 20]);
    tick();
    expect(observer.lags).toHaveLength(2);
  });

  it('leaves out batches no live frame carried, history, and a resume’s catch-up', async () => {
    const { clock, observer, ingest, open, tick } = setup();
    const live = new RecordingSink();
    open(live);
    await ingest('b');
    tick();
    await ingest('b');
    tick();
    expect(observer.lags).toEqual([]);
    await ingest('a');
    clock.advance(10);
    const late = new RecordingSink();
    open(late, { historyMs: 60_000 });
    tick(10);
    expect(late.values('a')).toEqual([3]);
    // one observation, for the live write; the newcomer's history is not lag
    expect(observer.lags).toEqual([20]);
    const resumed = new RecordingSink();
    open(resumed, { resume: { epoch: 'gone', positions: [1] } });
    tick();
    expect(resumed.values('a')).toEqual([3]);
    expect(observer.lags).toEqual([20]);
  });

  it('counts gap notices by reason and connections ended by transport and reason', async () => {
    const { observer, ingest, open, tick, scheduler } = setup(1000);
    await ingest('a');
    open(new RecordingSink('sse'), { resume: { epoch: 'gone', positions: [1] } });
    const stalled = new RecordingSink('poll');
    open(stalled);
    stalled.writable = false;
    await ingest('a');
    tick();
    tick(1000);
    expect(stalled.closed).toBe('slow');
    expect(observer.gaps).toEqual(['epoch']);
    scheduler.shutdown();
    expect(observer.closes).toEqual([
      { transport: 'poll', reason: 'slow' },
      { transport: 'sse', reason: 'shutdown' },
    ]);
  });
});
