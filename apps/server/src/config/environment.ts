import { z } from 'zod';

export const MIB = 1024 * 1024;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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
export function list(raw: string | undefined): string[] {
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
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Every environment variable the server reads, with its default. This is the
 * only place that reads `process.env`; the README's configuration table
 * mirrors it.
 */
export const environment = z.object({
  PORT: integer('PORT', 8080, 0, 65535),
  HOST: z.string().optional(),
  RETENTION_MS: integer('RETENTION_MS', 15 * 60_000, 1000),
  RETENTION_POINTS: integer('RETENTION_POINTS', 100_000, 1, 100_000_000),
  RETENTION_BYTES: integer('RETENTION_BYTES', 256 * 1024 * 1024, 1024 * 1024),
  MAX_SERIES: integer('MAX_SERIES', 100_000, 1),
  MAX_SERIES_PER_NAME: integer('MAX_SERIES_PER_NAME', 10_000, 1),
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

/** The environment as validated: every variable with its default filled in. */
export type ValidEnvironment = z.output<typeof environment>;
