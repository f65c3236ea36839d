import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ApiExceptionFilter, SchemaValidationPipe } from '@pulseboard/api';
import { AuthModule } from '@pulseboard/auth';
import { DashboardsModule } from '@pulseboard/dashboards';
import { DeliveryModule } from '@pulseboard/delivery';
import { DemoModule } from '@pulseboard/demo';
import { GatewayModule } from '@pulseboard/gateway';
import { IngestModule } from '@pulseboard/ingest';
import { ObservabilityModule } from '@pulseboard/observability';
import { StreamingModule } from '@pulseboard/streaming';
import type { AppConfig } from './config/config.js';

/** The Pulseboard server: the engine plus its transports, wired from one validated config. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AuthModule.forRoot({
          secret: config.authSecret,
          previousSecret: config.authSecretPrevious,
          jwksUrl: config.jwksUrl,
          issuer: config.authIssuer,
          audience: config.authAudience,
          allowedOrigins: config.allowedOrigins,
          allowedHosts: config.allowedHosts,
          trustProxy: config.trustProxy,
          maxConnectionsPerIp: config.maxConnectionsPerIp,
          maxConnectionsPerToken: config.maxConnectionsPerToken,
          maxInflightBodyBytes: config.maxInflightBodyBytes,
          maxInflightBodyBytesPerIp: config.maxInflightBodyBytesPerIp,
        }),
        StreamingModule.forRoot({
          retentionMs: config.retentionMs,
          retentionPoints: config.retentionPoints,
          retentionBytes: config.retentionBytes,
          batchMs: config.batchMs,
          heartbeatMs: config.heartbeatMs,
          maxFramePoints: config.maxFramePoints,
          slowClientTimeoutMs: config.slowClientTimeoutMs,
          maxSubscriptions: config.maxSubscriptions,
          redis:
            config.redisUrl === undefined
              ? undefined
              : {
                  url: config.redisUrl,
                  key: `${config.redisPrefix}:log`,
                  partitions: config.redisPartitions,
                  partitionSegments: config.redisPartitionSegments,
                  partitionUrls: config.redisPartitionUrls,
                },
        }),
        IngestModule.forRoot({
          maxBodyBytes: config.maxBodyBytes,
          maxBatchPoints: config.maxBatchPoints,
          rateLimit: config.ingestRateLimit,
          rateBurst: config.ingestRateBurst,
          maxJsonDepth: config.maxJsonDepth,
        }),
        DeliveryModule.forRoot({
          sseRetryMs: config.sseRetryMs,
          maxHistoryMs: config.maxHistoryMs,
          maxPollTimeoutMs: config.pollMaxTimeoutMs,
        }),
        DashboardsModule.forRoot({
          dataDir: config.dataDir,
          maxJsonDepth: config.maxJsonDepth,
          redis: config.redisUrl === undefined ? undefined : { url: config.redisUrl, prefix: config.redisPrefix },
          maxAnnotationsPerUser: config.maxAnnotationsPerUser,
          maxAnnotations: config.maxAnnotations,
          maxDashboardsPerUser: config.maxDashboardsPerUser,
          maxDashboards: config.maxDashboards,
          maxDashboardBytes: config.maxDashboardBytes,
          writeRateLimit: config.writeRateLimit,
          writeRateBurst: config.writeRateBurst,
        }),
        GatewayModule.forRoot({
          pingIntervalMs: config.socketPingIntervalMs,
          pingTimeoutMs: config.socketPingTimeoutMs,
          maxBufferBytes: config.socketMaxBufferBytes,
          deflate: config.socketDeflate,
          deflateThreshold: config.socketDeflateThreshold,
          controlRate: config.controlRate,
          controlBurst: config.controlBurst,
          presenceMaxViewers: config.presenceMaxViewers,
          connectTimeoutMs: config.socketConnectTimeoutMs,
          redis: config.redisUrl === undefined ? undefined : { url: config.redisUrl, prefix: config.redisPrefix },
        }),
        ObservabilityModule.forRoot({
          selfMetrics: config.selfMetrics,
          selfMetricsIntervalMs: config.selfMetricsIntervalMs,
          selfMetricsPrefix: config.redisUrl === undefined ? 'pulseboard' : `pulseboard.${config.instanceName}`,
        }),
        ...(config.demo ? [DemoModule.forRoot({ rate: config.demoRate })] : []),
      ],
      providers: [
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useClass: SchemaValidationPipe },
      ],
    };
  }
}
