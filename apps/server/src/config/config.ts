import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const MIB = 1024 * 1024;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function integer(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < min || value > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`,
        });
        return z.NEVER;
      }
      return value;
    });
}

function boolean<T extends boolean | undefined>(name: string, fallback: T) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const value = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(value)) return true;
      if (['0', 'false', 'no', 'off'].includes(value)) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be 1 or 0 (got ${JSON.stringify(raw)})` });
      return z.NEVER;
    });
}

/** A comma-separated list, without blanks. */
function list(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Whether `value` is a web origin (`https://ops.example.com`), a trailing slash allowed. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}

/** Addresses that only this machine can reach. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const defaultWebRoot = fileURLToPath(new URL('../../../../web/dist', import.meta.url));

/**
 * Every environment variable the server reads, with its default. This is the
 * only place that reads `process.env`; the README's configuration table
 * mirrors it.
 */
const environment = z.object({
  PORT: integer('PORT', 8080, 0, 65535),
  HOST: z.string().optional(),
  RETENTION_MS: integer('RETENTION_MS', 15 * 60_000, 1000),
  RETENTION_POINTS: integer('RETENTION_POINTS', 100_000, 1, 100_000_000),
  RETENTION_BYTES: integer('RETENTION_BYTES', 256 * 1024 * 1024, 1024 * 1024),
  BATCH_MS: integer('BATCH_MS', 50, 1, 10_000),
  HEARTBEAT_MS: integer('HEARTBEAT_MS', 10_000, 100, 15_000),
  SSE_RETRY_MS: integer('SSE_RETRY_MS', 2000, 0, 600_000),
  MAX_BODY_BYTES: integer('MAX_BODY_BYTES', 10 * 1024 * 1024, 1024),
  MAX_BATCH_POINTS: integer('MAX_BATCH_POINTS', 100_000, 1),
  MAX_FRAME_POINTS: integer('MAX_FRAME_POINTS', 50_000, 100),
  MAX_SUBSCRIPTIONS: integer('MAX_SUBSCRIPTIONS', 1000, 1),
  MAX_HISTORY_MS: integer('MAX_HISTORY_MS', 24 * 3_600_000, 0),
  POLL_MAX_TIMEOUT_MS: integer('POLL_MAX_TIMEOUT_MS', 120_000, 0),
  SLOW_CLIENT_TIMEOUT_MS: integer('SLOW_CLIENT_TIMEOUT_MS', 30_000, 100),
  INGEST_RATE_LIMIT: integer('INGEST_RATE_LIMIT', 1_000_000, 0),
  INGEST_RATE_BURST: integer('INGEST_RATE_BURST', 0, 0),
  DEMO: boolean('DEMO', undefined),
  DEMO_RATE: integer('DEMO_RATE', 10, 1, 1000),
  SELF_METRICS: boolean('SELF_METRICS', true),
  SELF_METRICS_INTERVAL_MS: integer('SELF_METRICS_INTERVAL_MS', 1000, 100),
  LOG_LEVEL: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const value = (raw ?? 'info').trim().toLowerCase();
      if ((LOG_LEVELS as readonly string[]).includes(value)) return value as (typeof LOG_LEVELS)[number];
      ctx.addIssue({
        code: 'custom',
        message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(raw)})`,
      });
      return z.NEVER;
    }),
  WEB_ROOT: z.string().optional(),
  DATA_DIR: z.string().optional(),
  SOCKET_PING_INTERVAL_MS: integer('SOCKET_PING_INTERVAL_MS', 25_000, 100, 600_000),
  SOCKET_PING_TIMEOUT_MS: integer('SOCKET_PING_TIMEOUT_MS', 20_000, 100, 600_000),
  SOCKET_MAX_BUFFER_BYTES: integer('SOCKET_MAX_BUFFER_BYTES', 64 * 1024, 1024, 100 * 1024 * 1024),
  SOCKET_DEFLATE: boolean('SOCKET_DEFLATE', true),
  SOCKET_DEFLATE_THRESHOLD: integer('SOCKET_DEFLATE_THRESHOLD', 1024, 0),
  CONTROL_RATE: integer('CONTROL_RATE', 50, 0),
  CONTROL_BURST: integer('CONTROL_BURST', 0, 0),
  PRESENCE_MAX_VIEWERS: integer('PRESENCE_MAX_VIEWERS', 100, 1, 10_000),
  SHUTDOWN_TIMEOUT_MS: integer('SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
  AUTH_SECRET: z
    .string()
    .optional()
    .refine((secret) => secret === undefined || secret === '' || new TextEncoder().encode(secret).length >= 32, {
      message: 'AUTH_SECRET must be at least 32 bytes (e.g. openssl rand -base64 48)',
    }),
  AUTH_SECRET_PREVIOUS: z.string().optional(),
  JWKS_URL: z
    .string()
    .optional()
    .refine((url) => url === undefined || url === '' || /^https?:\/\/[^\s]+$/.test(url), {
      message: 'JWKS_URL must be an http(s) URL',
    }),
  AUTH_ISSUER: z.string().optional(),
  AUTH_AUDIENCE: z.string().optional(),
  ALLOW_OPEN: boolean('ALLOW_OPEN', false),
  ALLOWED_ORIGINS: z
    .string()
    .optional()
    .superRefine((raw, ctx) => {
      for (const origin of list(raw)) {
        if (!isOrigin(origin)) {
          ctx.addIssue({
            code: 'custom',
            message: `ALLOWED_ORIGINS entries must be origins like https://ops.example.com (got ${JSON.stringify(origin)})`,
          });
        }
      }
    }),
  ALLOWED_HOSTS: z
    .string()
    .optional()
    .superRefine((raw, ctx) => {
      for (const host of list(raw)) {
        if (host !== '*' && !/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(:\d+)?$/.test(host)) {
          ctx.addIssue({
            code: 'custom',
            message: `ALLOWED_HOSTS entries must be host names like dash.example.com, or * (got ${JSON.stringify(host)})`,
          });
        }
      }
    }),
  TRUST_PROXY: z.string().optional(),
  MAX_CONNECTIONS_PER_IP: integer('MAX_CONNECTIONS_PER_IP', 1000, 0),
  MAX_CONNECTIONS_PER_TOKEN: integer('MAX_CONNECTIONS_PER_TOKEN', 1000, 0),
  // unset (-1): the defaults below, raised with MAX_BODY_BYTES
  MAX_INFLIGHT_BODY_BYTES: integer('MAX_INFLIGHT_BODY_BYTES', -1, 0),
  MAX_INFLIGHT_BODY_BYTES_PER_IP: integer('MAX_INFLIGHT_BODY_BYTES_PER_IP', -1, 0),
  MAX_JSON_DEPTH: integer('MAX_JSON_DEPTH', 32, 2, 1000),
  HEADERS_TIMEOUT_MS: integer('HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
  REQUEST_TIMEOUT_MS: integer('REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
  SOCKET_CONNECT_TIMEOUT_MS: integer('SOCKET_CONNECT_TIMEOUT_MS', 10_000, 100, 600_000),
  MAX_ANNOTATIONS_PER_USER: integer('MAX_ANNOTATIONS_PER_USER', 10_000, 0),
  MAX_ANNOTATIONS: integer('MAX_ANNOTATIONS', 100_000, 0),
  MAX_DASHBOARDS_PER_USER: integer('MAX_DASHBOARDS_PER_USER', 500, 0),
  MAX_DASHBOARDS: integer('MAX_DASHBOARDS', 5000, 0),
  MAX_DASHBOARD_BYTES: integer('MAX_DASHBOARD_BYTES', 128 * 1024 * 1024, 0),
  WRITE_RATE_LIMIT: integer('WRITE_RATE_LIMIT', 10, 0),
  WRITE_RATE_BURST: integer('WRITE_RATE_BURST', 50, 1),
  REDIS_URL: z
    .string()
    .optional()
    .refine((url) => url === undefined || url.trim() === '' || /^rediss?:\/\/\S+$/.test(url.trim()), {
      message: 'REDIS_URL must be a redis:// or rediss:// URL',
    }),
  INSTANCE_NAME: z
    .string()
    .optional()
    .refine((name) => name === undefined || /^[A-Za-z0-9_:-]{0,64}$/.test(name), {
      message: 'INSTANCE_NAME must be up to 64 characters of A-Z a-z 0-9 _ : -',
    }),
  REDIS_PARTITIONS: integer('REDIS_PARTITIONS', 1, 1, 256),
  REDIS_PARTITION_SEGMENTS: integer('REDIS_PARTITION_SEGMENTS', 1, 1, 16),
  REDIS_PARTITION_URLS: z
    .string()
    .optional()
    .refine((urls) => list(urls).every((url) => /^rediss?:\/\/\S+$/.test(url)), {
      message: 'REDIS_PARTITION_URLS must be a comma-separated list of redis:// or rediss:// URLs',
    }),
  REDIS_PREFIX: z
    .string()
    .optional()
    .refine((prefix) => prefix === undefined || /^[A-Za-z0-9_:.-]{0,64}$/.test(prefix), {
      message: 'REDIS_PREFIX must be up to 64 characters of A-Z a-z 0-9 _ : . -',
    }),
});

export type Environment = Record<string, string | undefined>;

/** The server's validated configuration. */
export interface AppConfig {
  port: number;
  /** Interface to bind; loopback unless `HOST` says otherwise. */
  host: string;
  hostExplicit: boolean;
  retentionMs: number;
  retentionPoints: number;
  retentionBytes: number;
  batchMs: number;
  heartbeatMs: number;
  sseRetryMs: number;
  maxBodyBytes: number;
  maxBatchPoints: number;
  maxFramePoints: number;
  maxSubscriptions: number;
  maxHistoryMs: number;
  pollMaxTimeoutMs: number;
  slowClientTimeoutMs: number;
  ingestRateLimit: number;
  ingestRateBurst: number;
  demo: boolean;
  demoRate: number;
  selfMetrics: boolean;
  selfMetricsIntervalMs: number;
  logLevel: (typeof LOG_LEVELS)[number];
  webRoot: string;
  /** Where durable state (annotations) is kept. */
  dataDir: string;
  socketPingIntervalMs: number;
  socketPingTimeoutMs: number;
  socketMaxBufferBytes: number;
  socketDeflate: boolean;
  socketDeflateThreshold: number;
  /** Control messages per second per socket (0: unlimited), and the burst allowed. */
  controlRate: number;
  controlBurst: number;
  /** Viewers a presence list names; the rest are only counted. */
  presenceMaxViewers: number;
  shutdownTimeoutMs: number;
  /** HS256 secret; with `jwksUrl` unset too, the server runs in open mode. */
  authSecret: string | undefined;
  /** The secret before a rotation: its tokens are still accepted until they expire. */
  authSecretPrevious: string | undefined;
  jwksUrl: string | undefined;
  authIssuer: string | undefined;
  authAudience: string | undefined;
  /** Open mode (no auth) was asked for on a non-loopback `HOST`. */
  allowOpen: boolean;
  allowedOrigins: string[];
  /** Without auth, host names answered besides loopback ones (and the bound `HOST`); `*`: any. */
  allowedHosts: string[];
  trustProxy: string | undefined;
  maxConnectionsPerIp: number;
  maxConnectionsPerToken: number;
  /** Request-body bytes held in memory at once (decompressed), all requests together and per client address; 0: unlimited. */
  maxInflightBodyBytes: number;
  maxInflightBodyBytesPerIp: number;
  maxJsonDepth: number;
  /** Time a client has to send a request's headers, and its whole request (slowloris). */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** A socket that has not completed its Socket.IO handshake by then is closed. */
  socketConnectTimeoutMs: number;
  /** Annotations and dashboards a user (token subject; address in open mode) may keep, and in all (0: no limit). */
  maxAnnotationsPerUser: number;
  maxAnnotations: number;
  maxDashboardsPerUser: number;
  maxDashboards: number;
  /** Bytes of JSON the saved dashboards may take in all (0: no limit). */
  maxDashboardBytes: number;
  /** Annotation and dashboard writes per second per user (0: no limit), and the burst allowed. */
  writeRateLimit: number;
  writeRateBurst: number;
  /** The shared log (a Redis stream) instances use; the embedded log when unset. */
  redisUrl: string | undefined;
  /** This instance's name among several (its self-metric feeds are `pulseboard.<name>.…`). */
  instanceName: string;
  /** Streams the shared log is split into (1: one stream). */
  redisPartitions: number;
  /** Leading segments of a feed's name that choose its partition. */
  redisPartitionSegments: number;
  /** Redis servers for the partitions (partition i on the (i mod n)-th); empty: all on `redisUrl`. */
  redisPartitionUrls: string[];
  /** Every Redis key the instances share starts with this (`<prefix>:log`, `<prefix>:dashboards`, …). */
  redisPrefix: string;
}

/** Whether tokens are required. */
export function authEnabled(config: AppConfig): boolean {
  return config.authSecret !== undefined || config.jwksUrl !== undefined;
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
  return {
    port: e.PORT,
    host: host === undefined || host === '' ? '127.0.0.1' : host,
    hostExplicit: host !== undefined && host !== '',
    retentionMs: e.RETENTION_MS,
    retentionPoints: e.RETENTION_POINTS,
    retentionBytes: e.RETENTION_BYTES,
    batchMs: e.BATCH_MS,
    heartbeatMs: e.HEARTBEAT_MS,
    sseRetryMs: e.SSE_RETRY_MS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    maxBatchPoints: e.MAX_BATCH_POINTS,
    maxFramePoints: e.MAX_FRAME_POINTS,
    maxSubscriptions: e.MAX_SUBSCRIPTIONS,
    maxHistoryMs: e.MAX_HISTORY_MS,
    pollMaxTimeoutMs: e.POLL_MAX_TIMEOUT_MS,
    slowClientTimeoutMs: e.SLOW_CLIENT_TIMEOUT_MS,
    ingestRateLimit: e.INGEST_RATE_LIMIT,
    // by default a client may send one full batch at once
    ingestRateBurst: e.INGEST_RATE_BURST > 0 ? e.INGEST_RATE_BURST : Math.max(e.INGEST_RATE_LIMIT, e.MAX_BATCH_POINTS),
    // the demo writes into the log: with a shared one, one instance running it is enough (say so with DEMO=1)
    demo: e.DEMO ?? optional(e.REDIS_URL) === undefined,
    demoRate: e.DEMO_RATE,
    selfMetrics: e.SELF_METRICS,
    selfMetricsIntervalMs: e.SELF_METRICS_INTERVAL_MS,
    logLevel: e.LOG_LEVEL,
    webRoot: e.WEB_ROOT ?? defaultWebRoot,
    dataDir: e.DATA_DIR === undefined || e.DATA_DIR.trim() === '' ? 'data' : e.DATA_DIR,
    socketPingIntervalMs: e.SOCKET_PING_INTERVAL_MS,
    socketPingTimeoutMs: e.SOCKET_PING_TIMEOUT_MS,
    socketMaxBufferBytes: e.SOCKET_MAX_BUFFER_BYTES,
    socketDeflate: e.SOCKET_DEFLATE,
    socketDeflateThreshold: e.SOCKET_DEFLATE_THRESHOLD,
    controlRate: e.CONTROL_RATE,
    controlBurst: e.CONTROL_BURST > 0 ? e.CONTROL_BURST : e.CONTROL_RATE,
    presenceMaxViewers: e.PRESENCE_MAX_VIEWERS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    authSecret,
    authSecretPrevious: optional(e.AUTH_SECRET_PREVIOUS),
    jwksUrl,
    authIssuer: optional(e.AUTH_ISSUER),
    authAudience: optional(e.AUTH_AUDIENCE),
    allowOpen: e.ALLOW_OPEN,
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
    maxJsonDepth: e.MAX_JSON_DEPTH,
    headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    socketConnectTimeoutMs: e.SOCKET_CONNECT_TIMEOUT_MS,
    maxAnnotationsPerUser: e.MAX_ANNOTATIONS_PER_USER,
    maxAnnotations: e.MAX_ANNOTATIONS,
    maxDashboardsPerUser: e.MAX_DASHBOARDS_PER_USER,
    maxDashboards: e.MAX_DASHBOARDS,
    maxDashboardBytes: e.MAX_DASHBOARD_BYTES,
    writeRateLimit: e.WRITE_RATE_LIMIT,
    writeRateBurst: e.WRITE_RATE_BURST,
    redisUrl,
    redisPartitions: e.REDIS_PARTITIONS,
    redisPartitionSegments: e.REDIS_PARTITION_SEGMENTS,
    redisPartitionUrls,
    redisPrefix: optional(e.REDIS_PREFIX) ?? 'pulseboard',
    instanceName:
      optional(e.INSTANCE_NAME) ??
      hostname()
        .replace(/[^A-Za-z0-9_:-]/g, '_')
        .slice(0, 64),
  };
}
