import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      server: {
        port: 8080,
        host: '127.0.0.1',
        hostExplicit: false,
        allowOpen: false,
        logLevel: 'info',
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        shutdownTimeoutMs: 10_000,
      },
      auth: {
        secret: undefined,
        jwksUrl: undefined,
        allowedOrigins: [],
        maxConnectionsPerIp: 1000,
        maxConnectionsPerToken: 1000,
        maxInflightBodyBytes: 64 * 1024 * 1024,
        maxInflightBodyBytesPerIp: 32 * 1024 * 1024,
      },
      streaming: { retentionMs: 900_000, retentionPoints: 100_000, batchMs: 50, heartbeatMs: 10_000, redis: undefined },
      ingest: { maxBodyBytes: 10 * 1024 * 1024, maxBatchPoints: 100_000, rateLimit: 1_000_000, rateBurst: 1_000_000 },
      dashboards: {
        maxJsonDepth: 32,
        maxAnnotationsPerUser: 10_000,
        maxAnnotations: 100_000,
        maxDashboardsPerUser: 500,
        maxDashboards: 5000,
        maxDashboardBytes: 128 * 1024 * 1024,
        writeRateLimit: 10,
        writeRateBurst: 50,
        redis: undefined,
      },
      gateway: { connectTimeoutMs: 10_000, redis: undefined },
      observability: { selfMetrics: true, selfMetricsPrefix: 'pulseboard' },
      demo: { rate: 10 },
    });
  });

  it('reads every variable it documents into its module’s section', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      AUTH_SECRET: 'a-secret-of-at-least-thirty-two-bytes!',
      ALLOWED_ORIGINS: 'https://ops.example.com/,http://localhost:5173',
      TRUST_PROXY: 'loopback',
      MAX_CONNECTIONS_PER_IP: '50',
      MAX_JSON_DEPTH: '8',
      RETENTION_MS: '60000',
      RETENTION_POINTS: '500',
      BATCH_MS: '20',
      DEMO: '0',
      SELF_METRICS: 'false',
      LOG_LEVEL: 'DEBUG',
      INGEST_RATE_LIMIT: '100',
      MAX_ANNOTATIONS_PER_USER: '10',
      MAX_ANNOTATIONS: '0',
      MAX_DASHBOARDS_PER_USER: '2',
      MAX_DASHBOARDS: '20',
      MAX_DASHBOARD_BYTES: '1048576',
      WRITE_RATE_LIMIT: '1',
      WRITE_RATE_BURST: '5',
      SOCKET_PING_INTERVAL_MS: '5000',
      CONTROL_RATE: '20',
      SSE_RETRY_MS: '500',
    });
    expect(config).toMatchObject({
      server: { port: 9000, host: '0.0.0.0', hostExplicit: true, logLevel: 'debug' },
      auth: {
        secret: 'a-secret-of-at-least-thirty-two-bytes!',
        allowedOrigins: ['https://ops.example.com', 'http://localhost:5173'],
        trustProxy: 'loopback',
        maxConnectionsPerIp: 50,
      },
      streaming: { retentionMs: 60_000, retentionPoints: 500, batchMs: 20 },
      // the burst defaults to one full batch
      ingest: { rateLimit: 100, rateBurst: 100_000, maxJsonDepth: 8 },
      delivery: { sseRetryMs: 500 },
      dashboards: {
        maxJsonDepth: 8,
        maxAnnotationsPerUser: 10,
        maxAnnotations: 0,
        maxDashboardsPerUser: 2,
        maxDashboards: 20,
        maxDashboardBytes: 1_048_576,
        writeRateLimit: 1,
        writeRateBurst: 5,
      },
      gateway: { pingIntervalMs: 5000, controlRate: 20, controlBurst: 20 },
      observability: { selfMetrics: false },
      demo: undefined,
    });
  });

  it('serves open (no auth) beyond loopback only when ALLOW_OPEN says so', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/HOST=0\.0\.0\.0 .*AUTH_SECRET.*ALLOW_OPEN=1/);
    expect(loadConfig({ HOST: '0.0.0.0', ALLOW_OPEN: '1' }).server).toMatchObject({ host: '0.0.0.0', allowOpen: true });
    expect(loadConfig({ HOST: '127.0.0.1' }).server.host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '::1' }).server.host).toBe('::1');
    expect(loadConfig({ HOST: '0.0.0.0', JWKS_URL: 'https://idp.example.com/jwks.json' }).auth.jwksUrl).toBe(
      'https://idp.example.com/jwks.json',
    );
  });

  it('runs the demo by default on one instance only, and names instances for their own metrics', () => {
    const shared = { REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(loadConfig({}).demo).toEqual({ rate: 10 });
    expect(loadConfig(shared).demo).toBeUndefined();
    expect(loadConfig({ ...shared, DEMO: '1', DEMO_RATE: '5' }).demo).toEqual({ rate: 5 });
    expect(loadConfig({ ...shared, INSTANCE_NAME: 'eu-1' }).observability.selfMetricsPrefix).toBe('pulseboard.eu-1');
    expect(loadConfig(shared).observability.selfMetricsPrefix).toMatch(/^pulseboard\.[A-Za-z0-9_:-]+$/);
    expect(() => loadConfig({ INSTANCE_NAME: 'eu 1' })).toThrow(/INSTANCE_NAME/);
  });

  it('reads the shared log settings', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).streaming.redis?.key).toBe('pulseboard:log');
    expect(() => loadConfig({ REDIS_PREFIX: 'a b' })).toThrow(/REDIS_PREFIX/);
    const shared = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379/2', REDIS_PREFIX: 'ops' });
    expect(shared.streaming.redis).toMatchObject({ url: 'redis://127.0.0.1:6379/2', key: 'ops:log' });
    expect(shared.dashboards.redis).toEqual({ url: 'redis://127.0.0.1:6379/2', prefix: 'ops' });
    expect(shared.gateway.redis).toEqual({ url: 'redis://127.0.0.1:6379/2', prefix: 'ops' });
    expect(() => loadConfig({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/REDIS_URL must be a redis:\/\//);
  });

  it('reads how the shared log is split', () => {
    expect(loadConfig({ REDIS_URL: 'redis://r0:6379' }).streaming.redis).toMatchObject({
      partitions: 1,
      partitionSegments: 1,
      partitionUrls: [],
    });
    expect(
      loadConfig({ REDIS_URL: 'redis://r0:6379', REDIS_PARTITION_SEGMENTS: '2' }).streaming.redis?.partitionSegments,
    ).toBe(2);
    expect(() => loadConfig({ REDIS_URL: 'redis://r0:6379', REDIS_PARTITION_SEGMENTS: '0' })).toThrow(
      /REDIS_PARTITION_SEGMENTS/,
    );
    expect(
      loadConfig({
        REDIS_URL: 'redis://r0:6379',
        REDIS_PARTITIONS: '8',
        REDIS_PARTITION_URLS: 'redis://r1:6379, redis://r2:6379',
      }).streaming.redis,
    ).toMatchObject({ partitions: 8, partitionUrls: ['redis://r1:6379', 'redis://r2:6379'] });
    expect(() => loadConfig({ REDIS_URL: 'redis://r0:6379', REDIS_PARTITIONS: '0' })).toThrow(/REDIS_PARTITIONS/);
    expect(() => loadConfig({ REDIS_URL: 'redis://r0:6379', REDIS_PARTITIONS: '257' })).toThrow(/REDIS_PARTITIONS/);
    expect(() => loadConfig({ REDIS_URL: 'redis://r0:6379', REDIS_PARTITION_URLS: 'redis://r1,r2:6379' })).toThrow(
      /REDIS_PARTITION_URLS must be a comma-separated list/,
    );
    expect(() => loadConfig({ REDIS_PARTITIONS: '4' })).toThrow(/set REDIS_URL too/);
    expect(() =>
      loadConfig({
        REDIS_URL: 'redis://r0:6379',
        REDIS_PARTITIONS: '1',
        REDIS_PARTITION_URLS: 'redis://r1,redis://r2',
      }),
    ).toThrow(/names 2 servers for 1 partition/);
  });

  it('keeps the in-flight body limits at least one largest body, or off', () => {
    expect(
      loadConfig({
        MAX_BODY_BYTES: '1048576',
        MAX_INFLIGHT_BODY_BYTES: '4194304',
        MAX_INFLIGHT_BODY_BYTES_PER_IP: '0',
      }).auth,
    ).toMatchObject({ maxInflightBodyBytes: 4 * 1024 * 1024, maxInflightBodyBytesPerIp: 0 });
    expect(() => loadConfig({ MAX_INFLIGHT_BODY_BYTES_PER_IP: '1048576' })).toThrow(
      /MAX_INFLIGHT_BODY_BYTES_PER_IP \(1048576\) must be 0 or at least MAX_BODY_BYTES \(10485760\)/,
    );
    expect(() => loadConfig({ MAX_INFLIGHT_BODY_BYTES: '1048576' })).toThrow(/MAX_INFLIGHT_BODY_BYTES \(1048576\)/);
    // unset, they grow with MAX_BODY_BYTES
    expect(loadConfig({ MAX_BODY_BYTES: '104857600' }).auth).toMatchObject({
      maxInflightBodyBytes: 200 * 1024 * 1024,
      maxInflightBodyBytesPerIp: 100 * 1024 * 1024,
    });
  });

  it('refuses a short secret and origins that are not origins', () => {
    expect(() => loadConfig({ AUTH_SECRET: 'short' })).toThrow(/AUTH_SECRET must be at least 32 bytes/);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'https://ops.example.com/path' })).toThrow(/ALLOWED_ORIGINS/);
    expect(() => loadConfig({ JWKS_URL: 'file:///etc/keys' })).toThrow(/JWKS_URL must be an http\(s\) URL/);
  });

  it('answers the listed host names and a specific bound address in open mode', () => {
    expect(loadConfig({}).auth.allowedHosts).toEqual([]);
    expect(loadConfig({ ALLOWED_HOSTS: 'dash.example.com, *' }).auth.allowedHosts).toEqual(['dash.example.com', '*']);
    expect(loadConfig({ HOST: '10.1.2.3', ALLOW_OPEN: '1' }).auth.allowedHosts).toEqual(['10.1.2.3']);
    expect(loadConfig({ HOST: '0.0.0.0', ALLOW_OPEN: '1' }).auth.allowedHosts).toEqual([]);
    expect(() => loadConfig({ ALLOWED_HOSTS: 'https://dash.example.com' })).toThrow(/ALLOWED_HOSTS entries/);
  });

  it('fails naming every bad variable', () => {
    let error: unknown;
    try {
      loadConfig({ BATCH_MS: 'soon', PORT: '70000', DEMO: 'maybe', LOG_LEVEL: 'loud', HEARTBEAT_MS: '60000' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['BATCH_MS', 'PORT', 'DEMO', 'LOG_LEVEL', 'HEARTBEAT_MS']) expect(message).toContain(name);
    expect((error as ConfigError).problems).toHaveLength(5);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', HOST: ' ' }).server).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      hostExplicit: false,
    });
  });
});
