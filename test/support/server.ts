import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
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
  const config = loadConfig({
    DEMO: '0',
    SELF_METRICS: '0',
    LOG_LEVEL: 'silent',
    ...env,
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const logger = createLogger(config.logLevel);
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
    close: () => app.close(),
  };
}
