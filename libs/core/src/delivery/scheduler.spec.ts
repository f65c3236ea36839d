import { describe, expect, it } from 'vitest';
import { decodeCursor } from '../cursor.js';
import { MemoryLog } from '../log/memory-log.js';
import { batchOf } from '../log/point-batch.js';
import { Retention, type RetentionOptions } from '../retention/retention.js';
import { SubscriptionRegistry } from '../subscriptions/subscription-registry.js';
import { ManualClock } from '../test-clock.js';
import type { ConnectionOptions, DeliverySink } from './connection.js';
import type { Frame } from './frame.js';
import { RecordingObserver } from './testing/recording-observer.js';
import { RecordingSink } from './testing/recording-sink.js';
import { DeliveryScheduler, type SchedulerOptions } from './scheduler.js';

/** A transport's encoding of a frame, built once per frame whoever asks. */
const encode = (frame: Frame): Buffer => frame.encoded('test', (f) => Buffer.from(f.json()));

function setup(overrides: Partial<SchedulerOptions> = {}, retentionOverrides: Partial<RetentionOptions> = {}) {
  const clock = new ManualClock();
  const log = new MemoryLog(clock);
  const retention = new Retention({
    retentionMs: 60_000,
    maxPointsPerFeed: 10_000,
    maxBytes: 1e9,
    clock,
    ...retentionOverrides,
  });
  log.tail((batch) => retention.apply(batch));
  const registry = new SubscriptionRegistry(retention);
  const scheduler = new DeliveryScheduler(retention, registry, {
    batchMs: 50,
    heartbeatMs: 15_000,
    maxFramePoints: 100_000,
    slowTimeoutMs: 30_000,
    epoch: () => log.epoch,
    clock,
    ...overrides,
  });
  let v = 0;
  /** Appends one batch with `n` points per feed, values counting up from 1 across calls. */
  const ingest = async (feeds: string[], n = 1, t?: number): Promise<void> => {
    const points = [];
    for (let i = 0; i < n; i++) for (const feed of feeds) points.push({ feed, t: t ?? clock.now(), v: ++v });
    await log.append(batchOf(points));
  };
  const open = (sink: DeliverySink, options: Partial<ConnectionOptions> = {}) =>
    scheduler.open(sink, { feeds: ['a'], ...options });
  const tick = (ms = 50): void => {
    clock.advance(ms);
    scheduler.tick();
  };
  return { clock, log, retention, registry, scheduler, ingest, open, tick };
}

describe('DeliveryScheduler', () => {
  it('sends each connection at most one frame per tick with every new point in order', async () => {
    const { ingest, open, tick } = setup();
    const sink = new RecordingSink();
    open(sink);
    await ingest(['a'], 3);
    await ingest(['a'], 2);
    tick();
    expect(sink.deliveries).toHaveLength(1);
    expect(sink.values('a')).toEqual([1, 2, 3, 4, 5]);
    tick();
    expect(sink.deliveries).toHaveLength(1);
    await ingest(['a']);
    tick();
    expect(sink.values('a')).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('builds one frame and one encoding for connections at the same place', async () => {
    const { ingest, open, tick } = setup();
    const sinks = Array.from({ length: 50 }, () => new RecordingSink());
    sinks.forEach((s) => open(s, { feeds: ['a', 'b'] }));
    const other = new RecordingSink();
    open(other, { feeds: ['b'] });
    await ingest(['a', 'b'], 10);
    tick();
    const frame = sinks[0].deliveries[0].frame!;
    for (const sink of sinks) {
      expect(sink.deliveries[0].frame).toBe(frame);
      expect(encode(sink.deliveries[0].frame!)).toBe(encode(frame));
    }
    // a different subscription gets its own frame, but shares the slice of feed b
    const otherFrame = other.deliveries[0].frame!;
    expect(otherFrame).not.toBe(frame);
    expect(otherFrame.slices[0]).toBe(frame.slices.find((s) => s.feed.name === 'b'));
    expect(frame.json()).toBe(
      `{"feeds":{"a":{"t":[${Array(10).fill(frame.slices[0].t[0]).join(',')}],"v":[1,3,5,7,9,11,13,15,17,19]},` +
        `"b":{"t":[${Array(10).fill(frame.slices[0].t[0]).join(',')}],"v":[2,4,6,8,10,12,14,16,18,20]}}}`,
    );
  });

  it('skips a connection that is not draining and catches it up from retention afterwards', async () => {
    const { ingest, open, tick } = setup();
    const slow = new RecordingSink();
    const fast = new RecordingSink();
    open(slow);
    open(fast);
    slow.writable = false;
    for (let i = 0; i < 5; i++) {
      await ingest(['a'], 2);
      tick();
    }
    expect(slow.deliveries).toHaveLength(0);
    expect(fast.deliveries).toHaveLength(5);
    slow.writable = true;
    tick();
    expect(slow.deliveries).toHaveLength(1);
    expect(slow.values('a')).toEqual(fast.values('a'));
    expect(slow.lastCursor()).toBe(fast.lastCursor());
  });

  it('tells a connection that fell behind retention which feeds lost points, then continues from the oldest retained', async () => {
    const { ingest, open, tick } = setup({}, { maxPointsPerFeed: 64 });
    const slow = new RecordingSink();
    open(slow, { feeds: ['a', 'b'] });
    slow.writable = false;
    await ingest(['a'], 100);
    await ingest(['b'], 1);
    tick();
    slow.writable = true;
    tick();
    expect(slow.gaps()).toEqual([{ feeds: ['a'], reason: 'slow' }]);
    expect(slow.values('a')).toEqual(Array.from({ length: 64 }, (_, i) => i + 37));
    expect(slow.values('b')).toEqual([101]);
    await ingest(['a'], 1);
    tick();
    expect(slow.gaps()).toHaveLength(1);
    expect(slow.values('a').at(-1)).toBe(102);
  });

  it('closes a connection that has not drained for the slow timeout', async () => {
    const { ingest, open, tick, scheduler } = setup({ slowTimeoutMs: 1000 });
    const sink = new RecordingSink();
    open(sink);
    sink.writable = false;
    await ingest(['a']);
    tick();
    tick(999);
    expect(sink.closed).toBeUndefined();
    tick(2);
    expect(sink.closed).toBe('slow');
    expect(scheduler.size).toBe(0);
  });

  it('resumes exactly after a cursor: no gap, no duplicate', async () => {
    const { ingest, open, tick } = setup();
    const first = new RecordingSink();
    const connection = open(first);
    await ingest(['a'], 5);
    tick();
    const cursor = decodeCursor(first.lastCursor())!;
    await ingest(['a'], 7);
    const resumed = new RecordingSink();
    open(resumed, { resume: cursor });
    tick();
    expect(resumed.values('a')).toEqual([6, 7, 8, 9, 10, 11, 12]);
    expect(resumed.gaps()).toEqual([]);
    expect(connection.cursor).toBe(cursor.positions[0] + 1);
  });

  it('announces a retention gap to a cursor older than what is retained', async () => {
    const { ingest, open, tick } = setup({}, { maxPointsPerFeed: 64 });
    const first = new RecordingSink();
    open(first, { feeds: ['a', 'b'] });
    await ingest(['a', 'b'], 1);
    tick();
    const cursor = decodeCursor(first.lastCursor())!;
    await ingest(['a'], 100);
    await ingest(['b'], 1);
    const resumed = new RecordingSink();
    open(resumed, { feeds: ['a', 'b'], resume: cursor });
    tick();
    expect(resumed.gaps()).toEqual([{ feeds: ['a'], reason: 'retention' }]);
    expect(resumed.values('b')).toEqual([103]);
    expect(resumed.values('a')).toHaveLength(64);
  });

  it('announces an epoch gap to a cursor from another log, then sends what is retained', async () => {
    const { ingest, open, tick } = setup();
    await ingest(['a'], 3);
    const sink = new RecordingSink();
    open(sink, { resume: { epoch: 'gone000000', positions: [999] } });
    tick();
    expect(sink.gaps()).toEqual([{ feeds: ['a'], reason: 'epoch' }]);
    expect(sink.values('a')).toEqual([1, 2, 3]);
    // announced together with the first points of the new log
    expect(sink.deliveries).toHaveLength(1);
  });

  it('starts a cursor ahead of a log only this process writes over at once: epoch gap, then what is retained', async () => {
    const { ingest, log, open, tick } = setup({ resumeWaitMs: 0 });
    await ingest(['a'], 3);
    const sink = new RecordingSink();
    open(sink, { resume: { epoch: log.epoch, positions: [36 ** 8] } });
    tick();
    expect(sink.gaps()).toEqual([{ feeds: ['a'], reason: 'epoch' }]);
    expect(sink.values('a')).toEqual([1, 2, 3]);
    await ingest(['a']);
    tick();
    expect(sink.values('a')).toEqual([1, 2, 3, 4]);
  });

  it('gives a cursor ahead of a shared log time to be reached, then starts it over', async () => {
    const { ingest, log, open, retention, tick } = setup();
    await ingest(['a'], 2);
    const sink = new RecordingSink();
    const ahead = retention.head + 1;
    open(sink, { resume: { epoch: log.epoch, positions: [ahead] } });
    tick(4_000);
    expect(sink.deliveries).toHaveLength(0);
    await ingest(['a']);
    await ingest(['a']);
    tick(100);
    // reached: exactly what came after it
    expect(sink.values('a')).toEqual([4]);
    expect(sink.gaps()).toEqual([]);

    const late = new RecordingSink();
    open(late, { resume: { epoch: log.epoch, positions: [retention.head + 1000] } });
    tick(4_000);
    expect(late.deliveries).toHaveLength(0);
    tick(1_000);
    expect(late.gaps()).toEqual([{ feeds: ['a'], reason: 'epoch' }]);
    expect(late.values('a')).toEqual([1, 2, 3, 4]);
  });

  it('backfills history by point time, then goes live', async () => {
    const { ingest, open, tick, clock } = setup();
    const now = clock.now();
    await ingest(['a'], 1, now - 10_000); // outside a 5 s window
    await ingest(['a'], 1, now - 4_000);
    await ingest(['a'], 1, now - 60_000); // arrived late with an old time
    await ingest(['a'], 1, now - 1_000);
    const sink = new RecordingSink();
    clock.advance(0);
    open(sink, { historyMs: 5_000 });
    tick(0);
    expect(sink.values('a')).toEqual([2, 4]);
    await ingest(['a']);
    tick();
    expect(sink.values('a')).toEqual([2, 4, 5]);
  });

  it('starts delivering a new feed that matches a pattern subscription', async () => {
    const { ingest, open, tick } = setup();
    const sink = new RecordingSink();
    open(sink, { feeds: ['host1.>'] });
    await ingest(['host2.cpu']);
    tick();
    expect(sink.deliveries).toHaveLength(0);
    await ingest(['host1.cpu', 'host1.mem.free']);
    tick();
    expect(sink.deliveries[0].frame!.slices.map((s) => s.feed.name)).toEqual(['host1.cpu', 'host1.mem.free']);
  });

  it('caps a rate-limited connection with min/max buckets', async () => {
    const { ingest, open, tick } = setup();
    const limited = new RecordingSink();
    const full = new RecordingSink();
    open(limited, { maxRate: 10 });
    open(full);
    // 1 kHz for 2 s: 50 points per 50 ms tick
    for (let i = 0; i < 40; i++) {
      await ingest(['a'], 50);
      tick();
    }
    expect(full.values('a')).toHaveLength(2000);
    const got = limited.values('a');
    expect(got.length).toBeGreaterThanOrEqual(16);
    expect(got.length).toBeLessThanOrEqual(24);
    // each delivery carries the minimum and maximum of what it covers (4 ticks of a rising series)
    const first = limited.deliveries[0].frame!.slices[0];
    expect(Array.from(first.v)).toEqual([1, 200]);
  });

  it('writes a heartbeat to a connection idle for the heartbeat interval', () => {
    const { open, tick } = setup({ heartbeatMs: 1000 });
    const sink = new RecordingSink();
    open(sink);
    tick(900);
    expect(sink.heartbeats).toBe(0);
    tick(100);
    expect(sink.heartbeats).toBe(1);
    tick(500);
    expect(sink.heartbeats).toBe(1);
    tick(500);
    expect(sink.heartbeats).toBe(2);
  });

  it('still delivers what arrived by the expiry tick before closing', async () => {
    const { ingest, open, tick, clock } = setup();
    const sink = new RecordingSink();
    open(sink, { expiresAt: clock.now() + 50 });
    await ingest(['a']);
    tick();
    expect(sink.values('a')).toEqual([1]);
    expect(sink.closed).toBe('expired');
  });

  it('closes a connection at its expiry time', () => {
    const { open, tick, clock } = setup();
    const sink = new RecordingSink();
    open(sink, { expiresAt: clock.now() + 120 });
    tick();
    tick();
    expect(sink.closed).toBeUndefined();
    tick();
    expect(sink.closed).toBe('expired');
  });

  it('bounds how much one frame carries while a connection catches up', async () => {
    const { ingest, open, tick } = setup({ maxFramePoints: 100 });
    const sink = new RecordingSink();
    open(sink);
    sink.writable = false;
    for (let i = 0; i < 10; i++) await ingest(['a'], 40);
    tick();
    sink.writable = true;
    const sizes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const before = sink.values('a').length;
      tick();
      sizes.push(sink.values('a').length - before);
    }
    expect(sizes.every((n) => n <= 100)).toBe(true);
    expect(sink.values('a')).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
  });

  it('closes a connection whose transport throws and keeps serving the others', async () => {
    const { ingest, open, tick, scheduler } = setup();
    const observer = new RecordingObserver();
    scheduler.observe(observer);
    const broken = new RecordingSink();
    broken.send = () => {
      throw new Error('socket exploded');
    };
    const healthy = new RecordingSink();
    open(broken);
    open(healthy);
    await ingest(['a']);
    tick();
    expect(observer.failures).toHaveLength(1);
    expect(observer.closes).toEqual([{ transport: 'test', reason: 'error' }]);
    expect(healthy.values('a')).toEqual([1]);
    expect(scheduler.size).toBe(1);
  });

  it('ends every connection at shutdown and takes no new ones', () => {
    const { open, scheduler } = setup();
    const sinks = [new RecordingSink(), new RecordingSink()];
    sinks.forEach((sink) => open(sink));
    expect(scheduler.accepting).toBe(true);
    scheduler.shutdown();
    expect(sinks.map((s) => s.closed)).toEqual(['shutdown', 'shutdown']);
    expect(scheduler.size).toBe(0);
    expect(scheduler.accepting).toBe(false);
  });

  it('moves a connection to other feeds without losing its place', async () => {
    const { ingest, open, tick, scheduler, registry } = setup();
    const sink = new RecordingSink();
    const connection = open(sink, { feeds: ['a'] });
    await ingest(['a', 'b']);
    tick();
    scheduler.resubscribe(connection, { feeds: ['b'] });
    await ingest(['a', 'b']);
    tick();
    expect(sink.values('a')).toEqual([1]);
    expect(sink.values('b')).toEqual([4]);
    scheduler.close(connection);
    expect(registry.size).toBe(0);
  });

  it('sends the history of added feeds up to the cursor, then both feeds live, each point once', async () => {
    const { ingest, open, tick, scheduler, clock } = setup();
    const sink = new RecordingSink();
    const connection = open(sink, { feeds: ['a'] });
    await ingest(['b'], 2); // b: 1, 2 — before the window below
    clock.advance(10_000);
    await ingest(['a', 'b']); // a: 3, b: 4
    tick();
    expect(sink.values('a')).toEqual([3]);
    scheduler.resubscribe(connection, { feeds: ['a', 'b'], historyMs: 5_000 });
    await ingest(['a', 'b']); // a: 5, b: 6
    tick();
    // the history frame comes first, at the cursor the connection already had
    expect(sink.values('b')).toEqual([4]);
    expect(sink.lastCursor()).toBe(sink.deliveries[0].cursor);
    tick();
    expect(sink.values('a')).toEqual([3, 5]);
    expect(sink.values('b')).toEqual([4, 6]);
  });

  it('sends no history for a feed the connection already had through a pattern', async () => {
    const { ingest, open, tick, scheduler } = setup();
    const sink = new RecordingSink();
    const connection = open(sink, { feeds: ['x.>'] });
    await ingest(['x.a']);
    tick();
    scheduler.resubscribe(connection, { feeds: ['x.>', 'x.a'], historyMs: 60_000 });
    await ingest(['x.a']);
    tick();
    tick();
    expect(sink.values('x.a')).toEqual([1, 2]);
  });

  it('changes the rate of a live connection', async () => {
    const { ingest, open, tick, scheduler } = setup();
    const sink = new RecordingSink();
    const connection = open(sink, { feeds: ['a'] });
    scheduler.resubscribe(connection, { feeds: ['a'], maxRate: 1 });
    expect(connection.maxRate).toBe(1);
    // two points (min and max) per 2 s: every 40th tick of 50 ms
    expect(connection.everyTicks).toBe(40);
    await ingest(['a'], 10);
    for (let i = 0; i < 40; i++) tick();
    expect(sink.deliveries).toHaveLength(1);
    expect([...sink.values('a')].sort((x, y) => x - y)).toEqual([1, 10]);
  });

  it('delivers what was accepted before ending connections at shutdown', async () => {
    const { ingest, open, scheduler } = setup();
    const sink = new RecordingSink();
    open(sink, { feeds: ['a'] });
    await ingest(['a'], 3);
    scheduler.shutdown();
    expect(sink.values('a')).toEqual([1, 2, 3]);
    expect(sink.closed).toBe('shutdown');
  });
});
