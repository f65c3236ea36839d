import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { AuthModuleOptions } from '@pulseboard/auth';
import type { DashboardsModuleOptions } from '@pulseboard/dashboards';
import type { DeliveryModuleOptions } from '@pulseboard/delivery';
import type { DemoModuleOptions } from '@pulseboard/demo';
import type { GatewayModuleOptions } from '@pulseboard/gateway';
import type { IngestModuleOptions } from '@pulseboard/ingest';
import type { ObservabilityModuleOptions } from '@pulseboard/observability';
import type { StreamingModuleOptions } from '@pulseboard/streaming';
import { environment, isLoopback, list, MIB, type Environment, type LOG_LEVELS } from './environment.js';

export type { Environment } from './environment.js';

const defaultWebRoot = fileURLToPath(new URL('../../../../web/dist', import.meta.url));

/** What the server itself (not a module) is configured with: where it listens and how it runs. */
export interface ServerConfig {
  port: number;
  /** Interface to bind; loopback unless `HOST` says otherwise. */
  host: string;
  hostExplicit: boolean;
  /** Open mode (no auth) was asked for on a non-loopback `HOST`. */
  allowOpen: boolean;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Where the built dashboard is served from. */
  webRoot: string;
  /** Time a client has to send a request's headers, and its whole request (slowloris). */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  shutdownTimeoutMs: number;
}

/**
 * The server's validated configuration, in one section per module: each
 * module takes its section as its options, unchanged, so a setting has one
 * name from the environment variable to the code that uses it.
 */
export interface AppConfig {
  server: ServerConfig;
  auth: AuthModuleOptions;
  streaming: StreamingModuleOptions;
  ingest: IngestModuleOptions;
  delivery: DeliveryModuleOptions;
  dashboards: DashboardsModuleOptions;
  gateway: GatewayModuleOptions;
  observability: ObservabilityModuleOptions;
  /** The demo feed source, when it runs. */
  demo: DemoModuleOptions | undefined;
}

/** Whether tokens are required. */
export function authEnabled(config: AppConfig): boolean {
  return config.auth.secret !== undefined || config.auth.jwksUrl !== undefined;
}

/** A variable is set to something the server cannot use; the message names it. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment once, at boot; throws `ConfigError` naming every bad variable. */
export function loadConfig(env: Environment): AppConfig {
  const result = environment.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => issue.message));
  }
  const e = result.data;
  const host = e.HOST?.trim();
  const optional = (value: string | undefined): string | undefined =>
    value === undefined || value.trim() === '' ? undefined : value;
  const authSecret = optional(e.AUTH_SECRET);
  const jwksUrl = optional(e.JWKS_URL);
  const redisUrl = optional(e.REDIS_URL)?.trim();
  const redisPartitionUrls = list(e.REDIS_PARTITION_URLS);
  if (redisUrl === undefined && (e.REDIS_PARTITIONS > 1 || redisPartitionUrls.length > 0)) {
    throw new ConfigError(['REDIS_PARTITIONS and REDIS_PARTITION_URLS split the shared log: set REDIS_URL too']);
  }
  if (redisPartitionUrls.length > e.REDIS_PARTITIONS) {
    throw new ConfigError([
      `REDIS_PARTITION_URLS names ${redisPartitionUrls.length} servers for ${e.REDIS_PARTITIONS} partition(s): set REDIS_PARTITIONS to at least as many`,
    ]);
  }
  // by default room for a few of the largest bodies per address and a few more in total
  const maxInflightBodyBytes =
    e.MAX_INFLIGHT_BODY_BYTES >= 0 ? e.MAX_INFLIGHT_BODY_BYTES : Math.max(64 * MIB, 2 * e.MAX_BODY_BYTES);
  const maxInflightBodyBytesPerIp =
    e.MAX_INFLIGHT_BODY_BYTES_PER_IP >= 0 ? e.MAX_INFLIGHT_BODY_BYTES_PER_IP : Math.max(32 * MIB, e.MAX_BODY_BYTES);
  for (const [name, value] of [
    ['MAX_INFLIGHT_BODY_BYTES', maxInflightBodyBytes],
    ['MAX_INFLIGHT_BODY_BYTES_PER_IP', maxInflightBodyBytesPerIp],
  ] as const) {
    // a body of the largest accepted size must fit on its own, or its producer's retries could never succeed
    if (value > 0 && value < e.MAX_BODY_BYTES) {
      throw new ConfigError([`${name} (${value}) must be 0 or at least MAX_BODY_BYTES (${e.MAX_BODY_BYTES})`]);
    }
  }
  if (authSecret === undefined && jwksUrl === undefined && host !== undefined && host !== '' && !isLoopback(host)) {
    if (!e.ALLOW_OPEN) {
      throw new ConfigError([
        `HOST=${host} would serve every API and stream without auth: set AUTH_SECRET (or JWKS_URL), or ALLOW_OPEN=1 to serve open on purpose`,
      ]);
    }
  }
  const redisPrefix = optional(e.REDIS_PREFIX) ?? 'pulseboard';
  const shared = redisUrl === undefined ? undefined : { url: redisUrl, prefix: redisPrefix };
  const instanceName =
    optional(e.INSTANCE_NAME) ??
    hostname()
      .replace(/[^A-Za-z0-9_:-]/g, '_')
      .slice(0, 64);
  return {
    server: {
      port: e.PORT,
      host: host === undefined || host === '' ? '127.0.0.1' : host,
      hostExplicit: host !== undefined && host !== '',
      allowOpen: e.ALLOW_OPEN,
      logLevel: e.LOG_LEVEL,
      webRoot: e.WEB_ROOT ?? defaultWebRoot,
      headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    },
    auth: {
      secret: authSecret,
      previousSecret: optional(e.AUTH_SECRET_PREVIOUS),
      jwksUrl,
      issuer: optional(e.AUTH_ISSUER),
      audience: optional(e.AUTH_AUDIENCE),
      allowedOrigins: list(e.ALLOWED_ORIGINS).map((origin) => origin.replace(/\/$/, '')),
      // a page reaching a specific bound address by that address is no rebinding
      allowedHosts: [
        ...list(e.ALLOWED_HOSTS),
        ...(host === undefined || host === '' || ['0.0.0.0', '::', '[::]'].includes(host) ? [] : [host]),
      ],
      trustProxy: optional(e.TRUST_PROXY),
      maxConnectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
      maxConnectionsPerToken: e.MAX_CONNECTIONS_PER_TOKEN,
      maxInflightBodyBytes,
      maxInflightBodyBytesPerIp,
    },
    streaming: {
      retentionMs: e.RETENTION_MS,
      retentionPoints: e.RETENTION_POINTS,
      retentionBytes: e.RETENTION_BYTES,
      maxSeries: e.MAX_SERIES,
      maxSeriesPerName: e.MAX_SERIES_PER_NAME,
      batchMs: e.BATCH_MS,
      heartbeatMs: e.HEARTBEAT_MS,
      maxFramePoints: e.MAX_FRAME_POINTS,
      slowClientTimeoutMs: e.SLOW_CLIENT_TIMEOUT_MS,
      maxSubscriptions: e.MAX_SUBSCRIPTIONS,
      maxHistoryMs: e.MAX_HISTORY_MS,
      redis:
        redisUrl === undefined
          ? undefined
          : {
              url: redisUrl,
              key: `${redisPrefix}:log`,
              partitions: e.REDIS_PARTITIONS,
              partitionSegments: e.REDIS_PARTITION_SEGMENTS,
              partitionUrls: redisPartitionUrls,
            },
    },
    ingest: {
      maxBodyBytes: e.MAX_BODY_BYTES,
      maxBatchPoints: e.MAX_BATCH_POINTS,
      rateLimit: e.INGEST_RATE_LIMIT,
      // by default a client may send one full batch at once
      rateBurst: e.INGEST_RATE_BURST > 0 ? e.INGEST_RATE_BURST : Math.max(e.INGEST_RATE_LIMIT, e.MAX_BATCH_POINTS),
      maxJsonDepth: e.MAX_JSON_DEPTH,
    },
    delivery: {
      sseRetryMs: e.SSE_RETRY_MS,
      maxPollTimeoutMs: e.POLL_MAX_TIMEOUT_MS,
    },
    dashboards: {
      dataDir: e.DATA_DIR === undefined || e.DATA_DIR.trim() === '' ? 'data' : e.DATA_DIR,
      maxJsonDepth: e.MAX_JSON_DEPTH,
      maxAnnotationsPerUser: e.MAX_ANNOTATIONS_PER_USER,
      maxAnnotations: e.MAX_ANNOTATIONS,
      maxDashboardsPerUser: e.MAX_DASHBOARDS_PER_USER,
      maxDashboards: e.MAX_DASHBOARDS,
      maxDashboardBytes: e.MAX_DASHBOARD_BYTES,
      writeRateLimit: e.WRITE_RATE_LIMIT,
      writeRateBurst: e.WRITE_RATE_BURST,
      redis: shared,
    },
    gateway: {
      pingIntervalMs: e.SOCKET_PING_INTERVAL_MS,
      pingTimeoutMs: e.SOCKET_PING_TIMEOUT_MS,
      maxBufferBytes: e.SOCKET_MAX_BUFFER_BYTES,
      deflate: e.SOCKET_DEFLATE,
      deflateThreshold: e.SOCKET_DEFLATE_THRESHOLD,
      controlRate: e.CONTROL_RATE,
      controlBurst: e.CONTROL_BURST > 0 ? e.CONTROL_BURST : e.CONTROL_RATE,
      presenceMaxViewers: e.PRESENCE_MAX_VIEWERS,
      connectTimeoutMs: e.SOCKET_CONNECT_TIMEOUT_MS,
      redis: shared,
    },
    observability: {
      selfMetrics: e.SELF_METRICS,
      selfMetricsIntervalMs: e.SELF_METRICS_INTERVAL_MS,
      // each instance sharing a log keeps its own figures apart
      selfMetricsPrefix: redisUrl === undefined ? 'pulseboard' : `pulseboard.${instanceName}`,
    },
    // the demo writes into the log: with a shared one, one instance running it is enough (say so with DEMO=1)
    demo: (e.DEMO ?? redisUrl === undefined) ? { rate: e.DEMO_RATE } : undefined,
  };
}
