import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { PointBatchBuilder } from '@pulseboard/core';
import { pointProblem, seriesKey, type Point } from '@pulseboard/protocol';
import type { Subscription } from 'rxjs';
import { FEED_SOURCE, type FeedSource } from './feed-source.js';
import { PointWriter } from './point-writer.service.js';

/** Writes a source may have in flight before its further batches are dropped. */
const MAX_PENDING_WRITES = 64;

/**
 * Finds every provider marked with `@FeedSourceProvider()`, in any module,
 * and writes what their Observables emit into the log. A source's invalid
 * points are dropped and reported; they never stop the source or the server.
 */
@Injectable()
export class FeedSourceRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('FeedSources');
  private readonly running: { source: FeedSource; subscription: Subscription }[] = [];
  private pending = 0;
  private droppedPoints = 0;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    private readonly writer: PointWriter,
  ) {}

  /** Names of the running sources. */
  get names(): string[] {
    return this.running.map((r) => r.source.name);
  }

  get dropped(): number {
    return this.droppedPoints;
  }

  onApplicationBootstrap(): void {
    for (const source of this.discover()) {
      const subscription = source.points().subscribe({
        next: (points) => this.write(source, points),
        error: (error: unknown) => this.logger.error(`feed source ${source.name} failed: ${String(error)}`),
      });
      this.running.push({ source, subscription });
      this.logger.log(`feed source ${source.name} started`);
    }
  }

  onApplicationShutdown(): void {
    for (const { subscription } of this.running) subscription.unsubscribe();
    this.running.length = 0;
  }

  private discover(): FeedSource[] {
    const sources: FeedSource[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const metatype = wrapper.metatype;
      const instance: unknown = wrapper.instance;
      if (typeof metatype !== 'function' || !wrapper.isDependencyTreeStatic() || instance == null) continue;
      if (this.reflector.get<boolean | undefined>(FEED_SOURCE, metatype) === true) sources.push(instance as FeedSource);
    }
    return sources;
  }

  private write(source: FeedSource, points: readonly Point[]): void {
    if (points.length === 0 || !this.writer.isAccepting) return;
    if (this.pending >= MAX_PENDING_WRITES) {
      this.drop(source, points.length, 'the log is not keeping up');
      return;
    }
    const now = Date.now();
    const builder = new PointBatchBuilder(points.length);
    let invalid = 0;
    for (const point of points) {
      if (pointProblem(point) !== undefined) invalid++;
      else builder.add(seriesKey(point.feed, point.labels), point.t ?? now, point.v);
    }
    if (invalid > 0) this.drop(source, invalid, 'invalid points');
    if (builder.size === 0) return;
    this.pending++;
    void this.writer
      .write(builder.build())
      .catch((error: unknown) => this.drop(source, builder.size, String(error)))
      .finally(() => this.pending--);
  }

  private drop(source: FeedSource, count: number, reason: string): void {
    this.droppedPoints += count;
    this.logger.warn(`feed source ${source.name}: dropped ${count} points (${reason})`);
  }
}
