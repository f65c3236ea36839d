import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ControlSocketAdapter } from '@pulseboard/gateway';
import { accessLog, createLogger, PinoNestLogger } from '@pulseboard/observability';
import express, { type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/config.js';

export interface CreatedApp {
  app: NestExpressApplication;
  logger: Logger;
}

/** Paths the API owns; the dashboard's files are served for everything else. */
const API_PATH = /^\/(api|health|metrics)(\/|$|\?)/;
const STREAM_PATH = /^\/api\/v1\/(stream|feeds\/[^/]+\/stream)(\?|$)/;

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

/** Setup shared by `main.ts` and the integration tests: access logs, the control socket server and the dashboard's files. */
export function configureApp(app: NestExpressApplication, config: AppConfig, logger: Logger): void {
  app.disable('x-powered-by');
  // API answers are small and never revalidated: hashing every ingest reply would be wasted work
  app.set('etag', false);
  app.use(accessLog(logger, (url) => STREAM_PATH.test(url)));
  app.useWebSocketAdapter(new ControlSocketAdapter(app));
  if (existsSync(config.webRoot)) app.use(dashboardFiles(config.webRoot));
  else logger.warn({ webRoot: config.webRoot }, 'dashboard not built: / will answer 404 (run npm run build)');
}

/**
 * The built dashboard, for every path the API does not own (so API requests
 * never touch the disk). Hashed assets are cached for good; `index.html` is
 * revalidated so a new build shows up at once.
 */
function dashboardFiles(root: string): RequestHandler {
  const serve = express.static(root, {
    index: 'index.html',
    setHeaders: (res, path) => {
      res.setHeader('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return (req, res, next) => {
    if (API_PATH.test(req.url)) next();
    else serve(req, res, next);
  };
}
