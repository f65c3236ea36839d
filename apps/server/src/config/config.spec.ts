import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      hostExplicit: false,
      retentionMs: 900_000,
      retentionPoints: 100_000,
      batchMs: 50,
      heartbeatMs: 10_000,
      maxBodyBytes: 10 * 1024 * 1024,
      maxBatchPoints: 100_000,
      demo: true,
      selfMetrics: true,
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
    });
  });

  it('reads every variable it documents', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      RETENTION_MS: '60000',
      RETENTION_POINTS: '500',
      BATCH_MS: '20',
      DEMO: '0',
      SELF_METRICS: 'false',
      LOG_LEVEL: 'DEBUG',
      INGEST_RATE_LIMIT: '100',
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      hostExplicit: true,
      retentionMs: 60_000,
      retentionPoints: 500,
      batchMs: 20,
      demo: false,
      selfMetrics: false,
      logLevel: 'debug',
      ingestRateLimit: 100,
      // the burst defaults to one full batch
      ingestRateBurst: 100_000,
    });
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
    expect(loadConfig({ PORT: '', HOST: ' ' })).toMatchObject({ port: 8080, host: '127.0.0.1', hostExplicit: false });
  });
});
