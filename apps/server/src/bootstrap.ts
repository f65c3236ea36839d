import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createLogger, httpLogging, PinoNestLogger } from '@pulseboard/observability';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/config.js';

export interface CreatedApp {
  app: NestExpressApplication;
  logger: Logger;
}

/** Options every Nest application of this server is created with. */
export function applicationOptions(logger: Logger): { bodyParser: false; logger: PinoNestLogger } {
  // ingest reads its own bodies, with its own limits and error codes
  return { bodyParser: false, logger: new PinoNestLogger(logger) };
}

/** Builds the application (not yet listening). */
export async function createApp(config: AppConfig): Promise<CreatedApp> {
  const logger = createLogger(config.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), applicationOptions(logger));
  configureApp(app, config, logger);
  return { app, logger };
}

/** HTTP-level setup shared by `main.ts` and the integration tests: access logs and the dashboard's files. */
export function configureApp(app: NestExpressApplication, config: AppConfig, logger: Logger): void {
  app.disable('x-powered-by');
  app.use(httpLogging(logger));
  if (existsSync(config.webRoot)) app.useStaticAssets(config.webRoot, { index: 'index.html', maxAge: '1h' });
  else logger.warn({ webRoot: config.webRoot }, 'dashboard not built: / will answer 404 (run npm run build)');
}
