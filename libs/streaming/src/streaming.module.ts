import { Logger, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DeliveryScheduler, MemoryLog, Retention, SubscriptionRegistry, type Log } from '@pulseboard/core';
import { RedisStreamLog } from '@pulseboard/redis';
import { FeedSourceRegistry } from './feed-source.registry.js';
import { FeedsController } from './feeds.controller.js';
import { FeedsService } from './feeds.service.js';
import { PointWriter } from './point-writer.service.js';
import { StreamingEngine } from './streaming-engine.service.js';
import { StreamSessions } from './stream-sessions.js';
import { SubscriptionControl } from './subscription-control.service.js';
import { STREAMING_OPTIONS, type StreamingModuleOptions } from './streaming.options.js';
import { LOG } from './tokens.js';

/**
 * The engine as Nest providers: the log, retention, subscriptions and the
 * delivery scheduler, plus the feeds API, the feed-source registry, and the
 * transport-neutral steering of live connections (stream sessions and
 * subscription control) that every transport uses. Options come under
 * `STREAMING_OPTIONS`; a module that builds on the engine imports this one.
 */
@Module({
  imports: [DiscoveryModule],
  controllers: [FeedsController],
  providers: [
    { provide: LOG, inject: [STREAMING_OPTIONS], useFactory: openLog },
    {
      provide: Retention,
      inject: [STREAMING_OPTIONS, LOG],
      useFactory: (options: StreamingModuleOptions, log: Log) =>
        new Retention({
          retentionMs: options.retentionMs,
          maxPointsPerFeed: options.retentionPoints,
          maxBytes: options.retentionBytes,
          maxSeries: options.maxSeries,
          maxSeriesPerName: options.maxSeriesPerName,
          partitions: log.partitions,
        }),
    },
    {
      provide: SubscriptionRegistry,
      inject: [Retention],
      useFactory: (retention: Retention) => new SubscriptionRegistry(retention),
    },
    {
      provide: DeliveryScheduler,
      inject: [Retention, SubscriptionRegistry, LOG, STREAMING_OPTIONS],
      useFactory: (
        retention: Retention,
        subscriptions: SubscriptionRegistry,
        log: Log,
        options: StreamingModuleOptions,
      ) =>
        new DeliveryScheduler(retention, subscriptions, {
          batchMs: options.batchMs,
          heartbeatMs: options.heartbeatMs,
          maxFramePoints: options.maxFramePoints,
          slowTimeoutMs: options.slowClientTimeoutMs,
          epoch: () => log.epoch,
          // only a shared log can hand out cursors this instance has not read up to yet
          resumeWaitMs: options.redis === undefined ? 0 : undefined,
        }),
    },
    PointWriter,
    StreamingEngine,
    FeedsService,
    FeedSourceRegistry,
    StreamSessions,
    SubscriptionControl,
  ],
  exports: [
    LOG,
    Retention,
    SubscriptionRegistry,
    DeliveryScheduler,
    PointWriter,
    StreamingEngine,
    FeedsService,
    FeedSourceRegistry,
    StreamSessions,
    SubscriptionControl,
  ],
})
export class StreamingModule {}

/** The embedded log, or the Redis stream `options.redis` names (connected before the application starts). */
async function openLog(options: StreamingModuleOptions): Promise<Log> {
  if (options.redis === undefined) return new MemoryLog();
  const logger = new Logger('RedisLog');
  return RedisStreamLog.open({
    url: options.redis.url,
    key: options.redis.key,
    partitions: options.redis.partitions,
    partitionSegments: options.redis.partitionSegments,
    partitionUrls: options.redis.partitionUrls,
    retentionMs: options.retentionMs,
    onError: (message, error) =>
      logger.warn(
        error === undefined ? message : `${message}: ${error instanceof Error ? error.message : 'unknown error'}`,
      ),
  });
}
