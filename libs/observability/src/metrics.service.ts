import { Injectable } from '@nestjs/common';
import { Refusals } from '@pulseboard/api';
import { DeliveryScheduler, Retention, type CloseReason } from '@pulseboard/core';
import type { GapReason } from '@pulseboard/protocol';
import { PointWriter } from '@pulseboard/streaming';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ServerStats, type TransportTotals } from './server-stats.service.js';

/** Label values known in advance start at 0, so that `rate()` and `increase()` see the first event. */
const TRANSPORTS = ['sse', 'poll', 'socketio'];
const GAP_REASONS: readonly GapReason[] = ['retention', 'slow', 'epoch'];
const CLOSE_REASONS: readonly CloseReason[] = ['slow', 'expired', 'error', 'shutdown'];

/** Buckets around the batch window (50 ms by default): a batch waits up to one window, plus the tick. */
const LAG_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5];

type Labels = Record<string, string>;

/**
 * The Prometheus registry behind `GET /metrics`. Values are read from the
 * engine at scrape time, or observed through the scheduler's hooks; every
 * family is listed in docs/OPERATIONS.md.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  constructor(
    scheduler: DeliveryScheduler,
    retention: Retention,
    writer: PointWriter,
    stats: ServerStats,
    refusals: Refusals,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });

    new Gauge({
      name: 'pulseboard_connections',
      help: 'Open delivery connections by transport.',
      labelNames: ['transport'],
      registers,
      collect() {
        this.reset();
        for (const transport of TRANSPORTS) this.set({ transport }, 0);
        for (const [transport, count] of scheduler.countByTransport()) this.set({ transport }, count);
      },
    });
    let ingested = 0;
    new Counter({
      name: 'pulseboard_points_ingested_total',
      help: 'Points appended to the log (ingest and feed sources).',
      registers,
      collect() {
        this.inc(writer.pointsWritten - ingested);
        ingested = writer.pointsWritten;
      },
    });
    const perTransport = (field: keyof TransportTotals) => () =>
      [...stats.writtenByTransport].map(([transport, totals]): [Labels, number] => [{ transport }, totals[field]]);
    const transports = TRANSPORTS.map((transport) => ({ transport }));
    mirroredCounter(registers, {
      name: 'pulseboard_points_delivered_total',
      help: 'Points written to clients, by transport.',
      labelNames: ['transport'],
      initial: transports,
      read: perTransport('points'),
    });
    mirroredCounter(registers, {
      name: 'pulseboard_delivery_frames_total',
      help: 'Deliveries written to connections, by transport: at most one per connection per tick, carrying points, a gap notice, or both.',
      labelNames: ['transport'],
      initial: transports,
      read: perTransport('frames'),
    });
    mirroredCounter(registers, {
      name: 'pulseboard_delivery_bytes_total',
      help: 'Bytes of those deliveries as written to the transport, by transport (Socket.IO over WebSocket: the frame, compressed when it was).',
      labelNames: ['transport'],
      initial: transports,
      read: perTransport('bytes'),
    });
    mirroredCounter(registers, {
      name: 'pulseboard_gaps_total',
      help: 'Gap notices written to clients, by reason (one per notice, however many feeds it names).',
      labelNames: ['reason'],
      initial: GAP_REASONS.map((reason) => ({ reason })),
      read: () => [...stats.gapsByReason].map(([reason, total]): [Labels, number] => [{ reason }, total]),
    });
    mirroredCounter(registers, {
      name: 'pulseboard_connections_closed_total',
      help: 'Connections the server ended, by transport and reason (slow, expired, error, shutdown).',
      labelNames: ['transport', 'reason'],
      initial: TRANSPORTS.flatMap((transport) => CLOSE_REASONS.map((reason) => ({ transport, reason }))),
      read: () =>
        [...stats.closedByTransport].flatMap(([transport, byReason]) =>
          [...byReason].map(([reason, total]): [Labels, number] => [{ transport, reason }, total]),
        ),
    });
    const lag = new Histogram({
      name: 'pulseboard_delivery_lag_seconds',
      help: 'Time from a batch’s arrival to the first write of its points to a live client; one observation per batch.',
      buckets: LAG_BUCKETS,
      registers,
    });
    stats.onLag((ms) => lag.observe(ms / 1000));
    mirroredCounter(registers, {
      name: 'pulseboard_refusals_total',
      help: 'Requests and socket messages refused, by error code (each limit has its own code).',
      labelNames: ['code'],
      read: () => [...refusals.byCode()].map(([code, total]): [Labels, number] => [{ code }, total]),
    });
    const ticks = new Histogram({
      name: 'pulseboard_tick_duration_seconds',
      help: 'Time one delivery tick took.',
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers,
    });
    stats.onTick((ms) => ticks.observe(ms / 1000));
    const retained = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    };
    retained('pulseboard_retained_points', 'Points held in retention.', () => retention.stats().points);
    retained(
      'pulseboard_retained_bytes',
      'Bytes retention holds, as counted against RETENTION_BYTES.',
      () => retention.stats().bytes,
    );
    retained('pulseboard_feeds', 'Series (feeds) in retention.', () => retention.feedCount);
    mirroredCounter(registers, {
      name: 'pulseboard_series_refused_points_total',
      help: 'Points of new series dropped while applying the log because MAX_SERIES or MAX_SERIES_PER_NAME was reached (writes past a limit are refused before the log, as too_many_series).',
      labelNames: [],
      read: () => [[{}, retention.stats().refusedPoints]],
    });
  }

  contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

interface MirroredCounter {
  name: string;
  help: string;
  labelNames: string[];
  /** Label sets exposed at 0 before their first event. */
  initial?: readonly Labels[];
  /** Every labelled total so far. */
  read: () => Iterable<[Labels, number]>;
}

/** A counter that follows totals kept elsewhere: at each scrape it adds what each labelled total grew by. */
function mirroredCounter(registers: Registry[], { name, help, labelNames, initial = [], read }: MirroredCounter): void {
  const seen = new Map<string, number>();
  const counter = new Counter({
    name,
    help,
    labelNames,
    registers,
    collect() {
      for (const [labels, total] of read()) {
        const key = JSON.stringify(labels);
        this.inc(labels, total - (seen.get(key) ?? 0));
        seen.set(key, total);
      }
    },
  });
  for (const labels of initial) counter.inc(labels, 0);
}
