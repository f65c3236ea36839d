import { describe, expect, it } from 'vitest';
import { decodeCursor } from '../cursor.js';
import { Retention } from '../retention/retention.js';
import { SubscriptionRegistry } from '../subscriptions/subscription-registry.js';
import { ManualClock } from '../test-clock.js';
import { RecordingSink } from './testing/recording-sink.js';
import { DeliveryScheduler } from './scheduler.js';

const EPOCH = 'e0e0e0e0e0';

/** One partition's entry: feed `p<partition>` with one value, at its position in the partition. */
interface Entry {
  partition: number;
  origin: number;
  v: number;
}

/**
 * An instance reading a log split into partitions: it numbers entries in the
 * order it applies them, as every instance does in its own interleaving.
 */
function instance(partitions: number, clock: ManualClock, retentionMs = 60_000) {
  const retention = new Retention({ retentionMs, maxPointsPerFeed: 10_000, maxBytes: 1e9, partitions, clock });
  const scheduler = new DeliveryScheduler(retention, new SubscriptionRegistry(retention), {
    batchMs: 50,
    heartbeatMs: 1000,
    maxFramePoints: 100_000,
    slowTimeoutMs: 30_000,
    epoch: () => EPOCH,
    clock,
  });
  let local = 0;
  const apply = (...entries: Entry[]): void => {
    for (const { partition, origin, v } of entries) {
      retention.apply({
        feeds: [`p${partition}`],
        t: Float64Array.of(clock.now()),
        v: Float64Array.of(v),
        position: ++local,
        arrivedAt: clock.now(),
        partition,
        origin,
      });
    }
  };
  const tick = (ms = 50): void => {
    clock.advance(ms);
    scheduler.tick();
  };
  return { retention, scheduler, apply, tick };
}

/** Entries of partition `partition`: values `from..to`, positions ten apart. */
function entries(partition: number, from: number, to: number): Entry[] {
  const list: Entry[] = [];
  for (let v = from; v <= to; v++) list.push({ partition, origin: v * 10, v: partition * 100 + v });
  return list;
}

const FEEDS = ['p0', 'p1', 'p2'];

describe('resuming on another instance of a split log', () => {
  it('carries one position per partition and delivers on the other instance exactly what was not delivered', () => {
    const clock = new ManualClock();
    const a = instance(3, clock);
    const b = instance(3, clock);
    // A reads partition 0 ahead, B partition 2: their local numbering differs
    a.apply(...entries(0, 1, 5), ...entries(1, 1, 2), ...entries(2, 1, 1));
    b.apply(...entries(2, 1, 3), ...entries(1, 1, 3), ...entries(0, 1, 2));
    const first = new RecordingSink();
    a.scheduler.open(first, { feeds: FEEDS, historyMs: 60_000 });
    a.tick();
    expect(first.values('p0')).toEqual([1, 2, 3, 4, 5]);
    expect(first.values('p1')).toEqual([101, 102]);
    expect(first.values('p2')).toEqual([201]);
    const cursor = decodeCursor(first.lastCursor())!;
    expect(cursor.positions).toEqual([50, 20, 10]);

    // B has more of partitions 1 and 2 but less of 0: it waits for partition 0 to reach 50
    const second = new RecordingSink();
    b.scheduler.open(second, { feeds: FEEDS, resume: cursor });
    b.tick();
    expect(second.deliveries).toEqual([]);
    b.apply(...entries(0, 3, 6));
    b.tick();
    expect(second.values('p0')).toEqual([6]);
    expect(second.values('p1')).toEqual([103]);
    expect(second.values('p2')).toEqual([202, 203]);
    expect(decodeCursor(second.lastCursor())!.positions).toEqual([60, 30, 30]);

    // and B's cursor resumes on A once A has read as far
    const third = new RecordingSink();
    a.scheduler.open(third, { feeds: FEEDS, resume: decodeCursor(second.lastCursor())! });
    a.apply(...entries(2, 2, 4), ...entries(1, 3, 3), ...entries(0, 6, 7));
    a.tick();
    expect(third.values('p0')).toEqual([7]);
    expect(third.values('p1')).toEqual([]);
    expect(third.values('p2')).toEqual([204]);
    expect(third.gaps()).toEqual([]);
  });

  it('keeps frames and cursors of resumed connections apart from live ones until they have caught up', () => {
    const clock = new ManualClock();
    const a = instance(2, clock);
    a.apply(...entries(0, 1, 3), ...entries(1, 1, 3));
    const live = new RecordingSink();
    a.scheduler.open(live, { feeds: ['p0', 'p1'] });
    const resumed = new RecordingSink();
    a.scheduler.open(resumed, { feeds: ['p0', 'p1'], resume: { epoch: EPOCH, positions: [10, 30] } });
    a.tick();
    expect(resumed.values('p0')).toEqual([2, 3]);
    expect(resumed.values('p1')).toEqual([]);
    expect(decodeCursor(resumed.lastCursor())!.positions).toEqual([30, 30]);
    a.apply(...entries(1, 4, 4), ...entries(0, 4, 4));
    a.tick();
    expect(live.values('p0')).toEqual([4]);
    expect(live.values('p1')).toEqual([104]);
    expect(resumed.values('p0')).toEqual([2, 3, 4]);
    expect(resumed.values('p1')).toEqual([104]);
    // caught up: the same frame as the live connection
    expect(resumed.deliveries.at(-1)!.frame).toBe(live.deliveries.at(-1)!.frame);
  });

  it('tells of a gap when what the cursor had not seen has left retention', () => {
    const clock = new ManualClock();
    const a = instance(2, clock, 10_000);
    a.apply(...entries(0, 1, 2), ...entries(1, 1, 2));
    clock.advance(20_000);
    a.apply(...entries(0, 3, 4), ...entries(1, 3, 3));
    a.tick(1000); // sweeps the first four entries away
    const sink = new RecordingSink();
    a.scheduler.open(sink, { feeds: ['p0', 'p1'], resume: { epoch: EPOCH, positions: [10, 20] } });
    a.tick();
    expect(sink.gaps()).toEqual([{ feeds: ['p0'], reason: 'retention' }]);
    expect(sink.values('p0')).toEqual([3, 4]);
    expect(sink.values('p1')).toEqual([103]);
  });

  it('starts from what it has after waiting five seconds for a partition it cannot read', () => {
    const clock = new ManualClock();
    const b = instance(2, clock);
    b.apply(...entries(0, 1, 2), ...entries(1, 1, 1));
    const sink = new RecordingSink();
    const connection = b.scheduler.open(sink, { feeds: ['p0', 'p1'], resume: { epoch: EPOCH, positions: [10, 50] } });
    for (let i = 0; i < 30; i++) b.tick(100);
    expect(sink.deliveries).toEqual([]);
    expect(sink.heartbeats).toBeGreaterThan(0);
    expect(decodeCursor(b.scheduler.cursorOf(connection))!.positions).toEqual([10, 50]);
    b.tick(2000);
    expect(sink.values('p0')).toEqual([2]);
    b.apply(...entries(1, 2, 2));
    b.tick();
    expect(sink.values('p1')).toEqual([102]);
  });

  it('treats a cursor with another number of partitions as one from another log', () => {
    const clock = new ManualClock();
    const a = instance(2, clock);
    a.apply(...entries(0, 1, 2), ...entries(1, 1, 1));
    const sink = new RecordingSink();
    a.scheduler.open(sink, { feeds: ['p0', 'p1'], resume: { epoch: EPOCH, positions: [10] } });
    a.tick();
    expect(sink.deliveries[0].gap).toEqual({ feeds: ['p0', 'p1'], reason: 'epoch' });
    expect(sink.values('p0')).toEqual([1, 2]);
    expect(sink.values('p1')).toEqual([101]);
  });
});
