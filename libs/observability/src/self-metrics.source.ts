import { Inject, Injectable } from '@nestjs/common';
import { DeliveryScheduler, Retention } from '@pulseboard/core';
import type { Point } from '@pulseboard/protocol';
import { FeedSourceProvider, PointWriter, type FeedSource } from '@pulseboard/streaming';
import { interval, map, type Observable } from 'rxjs';
import { OBSERVABILITY_OPTIONS, type ObservabilityModuleOptions } from './observability.options.js';
import { ServerStats } from './server-stats.service.js';

/**
 * The server's own health as feeds under `pulseboard.>`, written through the
 * same extension point as any other source, so the dashboard can chart the
 * server that serves it.
 */
@Injectable()
@FeedSourceProvider()
export class SelfMetricsSource implements FeedSource {
  readonly name = 'self-metrics';
  private lastIngested = 0;
  private lastDelivered = 0;
  private lastCpu = process.cpuUsage();
  private lastAt = Date.now();

  constructor(
    @Inject(OBSERVABILITY_OPTIONS) private readonly options: ObservabilityModuleOptions,
    private readonly stats: ServerStats,
    private readonly scheduler: DeliveryScheduler,
    private readonly retention: Retention,
    private readonly writer: PointWriter,
  ) {}

  points(): Observable<readonly Point[]> {
    return interval(this.options.selfMetricsIntervalMs).pipe(map(() => this.sample()));
  }

  private sample(): Point[] {
    const now = Date.now();
    const seconds = Math.max(0.001, (now - this.lastAt) / 1000);
    const cpu = process.cpuUsage(this.lastCpu);
    const ingested = this.writer.pointsWritten;
    const delivered = this.stats.totalDelivered();
    const window = this.stats.takeWindow();
    const retention = this.retention.stats();
    const memory = process.memoryUsage();
    const connections = this.scheduler.countByTransport();
    const prefix = this.options.selfMetricsPrefix ?? 'pulseboard';
    const points: Point[] = [
      { feed: `${prefix}.eventloop.lag_ms`, t: now, v: round(window.loopLagP99Ms) },
      { feed: `${prefix}.tick.mean_ms`, t: now, v: round(window.tickMsMean) },
      { feed: `${prefix}.tick.max_ms`, t: now, v: round(window.tickMsMax) },
      { feed: `${prefix}.ingest.points_per_s`, t: now, v: round((ingested - this.lastIngested) / seconds) },
      { feed: `${prefix}.delivery.points_per_s`, t: now, v: round((delivered - this.lastDelivered) / seconds) },
      { feed: `${prefix}.connections.sse`, t: now, v: connections.get('sse') ?? 0 },
      { feed: `${prefix}.connections.poll`, t: now, v: connections.get('poll') ?? 0 },
      { feed: `${prefix}.retention.points`, t: now, v: retention.points },
      { feed: `${prefix}.retention.mb`, t: now, v: round(retention.bytes / 1048576) },
      { feed: `${prefix}.feeds`, t: now, v: retention.feeds },
      { feed: `${prefix}.memory.rss_mb`, t: now, v: round(memory.rss / 1048576) },
      { feed: `${prefix}.memory.heap_mb`, t: now, v: round(memory.heapUsed / 1048576) },
      { feed: `${prefix}.cpu.percent`, t: now, v: round(((cpu.user + cpu.system) / 1e6 / seconds) * 100) },
    ];
    this.lastIngested = ingested;
    this.lastDelivered = delivered;
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    return points;
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
