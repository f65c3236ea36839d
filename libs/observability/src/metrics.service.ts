import { Injectable } from '@nestjs/common';
import { Refusals } from '@pulseboard/api';
import { DeliveryScheduler, Retention } from '@pulseboard/core';
import { PointWriter } from '@pulseboard/streaming';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ServerStats } from './server-stats.service.js';

/** The Prometheus registry behind `GET /metrics`. Values are read from the engine at scrape time. */
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
        for (const transport of ['sse', 'poll', 'socketio']) this.set({ transport }, 0);
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
    const seen = new Map<string, number>();
    new Counter({
      name: 'pulseboard_points_delivered_total',
      help: 'Points written to clients, by transport.',
      labelNames: ['transport'],
      registers,
      collect() {
        for (const [transport, total] of stats.deliveredByTransport) {
          this.inc({ transport }, total - (seen.get(transport) ?? 0));
          seen.set(transport, total);
        }
      },
    });
    const refused = new Map<string, number>();
    new Counter({
      name: 'pulseboard_refusals_total',
      help: 'Requests and socket messages refused, by error code (each limit has its own code).',
      labelNames: ['code'],
      registers,
      collect() {
        for (const [code, total] of refusals.byCode()) {
          this.inc({ code }, total - (refused.get(code) ?? 0));
          refused.set(code, total);
        }
      },
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
    retained('pulseboard_feeds', 'Feeds in retention.', () => retention.feedCount);
  }

  contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
