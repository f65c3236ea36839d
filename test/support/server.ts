import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Log } from '@pulseboard/core';
import { createLogger } from '@pulseboard/observability';
import { LOG } from '@pulseboard/streaming';
import { AppModule } from '../../apps/server/src/app.module.js';
import { applicationOptions, configureApp } from '../../apps/server/src/bootstrap.js';
import { loadConfig, type Environment } from '../../apps/server/src/config/config.js';

export interface TestServer {
  url: string;
  app: NestExpressApplication;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Replaces the log (only where the embedded log cannot show the behaviour under test). */
  log?: Log;
}

/**
 * Boots the real application on an ephemeral loopback port. Demo and self
 * metrics are off unless the test turns them on, so feeds are the test's own.
 */
export async function startServer(env: Environment = {}, options: TestServerOptions = {}): Promise<TestServer> {
  // a data directory of its own, removed on close, unless the test keeps one across restarts
  const ownDataDir = env.DATA_DIR === undefined ? mkdtempSync(join(tmpdir(), 'pulseboard-data-')) : undefined;
  const config = loadConfig({
    DATA_DIR: ownDataDir,
    DEMO: '0',
    SELF_METRICS: '0',
    LOG_LEVEL: 'silent',
    ...env,
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const logger = createLogger(config.server.logLevel);
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config)] });
  if (options.log !== undefined) builder = builder.overrideProvider(LOG).useValue(options.log);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(applicationOptions(logger));
  configureApp(app, config, logger);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    close: async () => {
      await app.close();
      if (ownDataDir !== undefined) rmSync(ownDataDir, { recursive: true, force: true });
    },
  };
}
