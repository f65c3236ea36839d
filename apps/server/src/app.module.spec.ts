import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AuthModule, Authenticator } from '@pulseboard/auth';
import { DashboardsModule } from '@pulseboard/dashboards';
import { DeliveryModule } from '@pulseboard/delivery';
import { DemoModule } from '@pulseboard/demo';
import { GatewayModule } from '@pulseboard/gateway';
import { IngestModule } from '@pulseboard/ingest';
import { ObservabilityModule, SelfMetricsModule } from '@pulseboard/observability';
import { PointWriter, StreamingModule } from '@pulseboard/streaming';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppModule } from './app.module.js';
import { ConfigSectionsModule } from './config/config-sections.module.js';
import { loadConfig, type AppConfig } from './config/config.js';

describe('the module graph', () => {
  let dataDir: string;
  let config: AppConfig;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'pulseboard-modules-'));
    config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const modules: [string, Type][] = [
    ['AuthModule', AuthModule],
    ['StreamingModule', StreamingModule],
    ['IngestModule', IngestModule],
    ['DeliveryModule', DeliveryModule],
    ['DashboardsModule', DashboardsModule],
    ['GatewayModule', GatewayModule],
    ['ObservabilityModule', ObservabilityModule],
    ['SelfMetricsModule', SelfMetricsModule],
    ['DemoModule', DemoModule],
  ];

  it.each(modules)('%s resolves with only its declared imports and the config sections', async (_, module) => {
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigSectionsModule.forRoot(config), module],
    }).compile();
    expect(moduleRef.select(module)).toBeDefined();
    await moduleRef.close();
  });

  it('names the missing section when a module is imported without the config', async () => {
    await expect(Test.createTestingModule({ imports: [IngestModule] }).compile()).rejects.toThrow(/INGEST_OPTIONS/);
  });

  it('shares one instance of a module however many modules import it', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
    const writer = moduleRef.select(StreamingModule).get(PointWriter);
    expect(moduleRef.select(IngestModule).get(PointWriter, { strict: false })).toBe(writer);
    expect(moduleRef.get(PointWriter, { strict: false })).toBe(writer);
    const authenticator = moduleRef.select(AuthModule).get(Authenticator);
    expect(moduleRef.select(GatewayModule).get(Authenticator, { strict: false })).toBe(authenticator);
    await moduleRef.close();
  });
});
