import { existsSync } from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { closeAfterAnswer, continueOnRead, errorBody } from '@pulseboard/api';
import { OriginPolicy, takeQueryToken } from '@pulseboard/auth';
import { ControlSocketAdapter } from '@pulseboard/gateway';
import { accessLog, createLogger, PinoNestLogger } from '@pulseboard/observability';
import cors from 'cors';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import type { AppConfig, ServerConfig } from './config/config.js';

export interface CreatedApp {
  app: NestExpressApplication;
  logger: Logger;
}

// Express matches routes case-insensitively (`/API/v1/ingest` runs the ingest route): so do these.
/** Paths the API owns; the dashboard's files are served for everything else. */
const API_PATH = /^\/(api|health|metrics)(\/|$|\?)/i;
/** Health probes: open to anyone, whatever their `Origin` or `Host`. */
const PROBE_PATH = /^\/health(\/|$|\?)/i;
const STREAM_PATH = /^\/api\/v1\/(stream|feeds\/[^/]+\/stream)(\?|$)/;

/** Options every Nest application of this server is created with. */
export function applicationOptions(logger: Logger): { bodyParser: false; logger: PinoNestLogger } {
  // ingest reads its own bodies, with its own limits and error codes
  return { bodyParser: false, logger: new PinoNestLogger(logger) };
}

/** Builds the application (not yet listening). */
export async function createApp(config: AppConfig): Promise<CreatedApp> {
  const logger = createLogger(config.server.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), applicationOptions(logger));
  configureApp(app, config, logger);
  return { app, logger };
}

/**
 * Setup shared by `main.ts` and the integration tests: the token query
 * parameter taken out of URLs (before anything logs them), the origin policy
 * and CORS, access logs, request timeouts, `Expect: 100-continue`, the
 * control socket server and the dashboard's files.
 */
export function configureApp(app: NestExpressApplication, config: AppConfig, logger: Logger): void {
  app.disable('x-powered-by');
  // API answers are small and never revalidated: hashing every ingest reply would be wasted work
  app.set('etag', false);
  const origins = app.get(OriginPolicy);
  app.use(originsAndTokens(origins));
  app.use(accessLog(logger, (url) => STREAM_PATH.test(url)));
  limitRequestTime(app.getHttpServer(), config.server);
  // `100 Continue` only for a body that will be read: a refusal is the answer instead
  continueOnRead(app.getHttpServer());
  refuseForeignUpgrades(app.getHttpServer(), origins);
  app.useWebSocketAdapter(new ControlSocketAdapter(app));
  if (existsSync(config.server.webRoot)) app.use(dashboardFiles(config.server.webRoot));
  else logger.warn({ webRoot: config.server.webRoot }, 'dashboard not built: / will answer 404 (run npm run build)');
  app.use(plainErrors(logger));
}

/**
 * The first middleware: takes the `access_token` query parameter out of the
 * URL, then refuses foreign origins (and in open mode foreign host names) on
 * every path but the health probes, and answers CORS for listed origins.
 * Which route will run is not guessed from the path: every request but a
 * probe is checked, so no spelling of a path gets around the check.
 */
function originsAndTokens(origins: OriginPolicy): RequestHandler {
  const checkOrigin = origins.middleware();
  const answerCors = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && origins.isListed(origin)),
    credentials: true,
    exposedHeaders: ['Retry-After', 'Location'],
    maxAge: 600,
  });
  return (req, res, next) => {
    takeQueryToken(req);
    const corsThenNext = (): void => {
      if (req.headers.origin === undefined) next();
      else answerCors(req, res, next);
    };
    if (PROBE_PATH.test(req.url)) corsThenNext();
    else checkOrigin(req, res, corsThenNext);
  };
}

/**
 * Slow clients cannot hold connections open by trickling a request: headers
 * must arrive within `headersTimeoutMs` and the whole request (a body
 * included) within `requestTimeoutMs`; otherwise Node answers 408 and closes.
 * Responses are not limited, so streams live on.
 */
function limitRequestTime(server: Server, config: ServerConfig): void {
  server.headersTimeout = config.headersTimeoutMs;
  server.requestTimeout = config.requestTimeoutMs;
  // Node looks for overdue requests this often (30 s unless told); it must be set before listening
  const shortest = Math.min(config.headersTimeoutMs, config.requestTimeoutMs);
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
    100,
    Math.min(1000, shortest / 2),
  );
}

/**
 * A WebSocket upgrade from a foreign page (or, in open mode, a foreign host
 * name) is refused with 403 before engine.io sees it (engine.io would answer
 * such an upgrade with a 400), whatever its path.
 */
function refuseForeignUpgrades(server: Server, origins: OriginPolicy): void {
  server.prependListener('upgrade', (request: IncomingMessage, socket: Duplex) => {
    origins.refuseUpgrade(request, socket);
  });
}

/**
 * Errors raised outside Nest's handlers (a malformed URL reaching the static
 * files) get the contract's JSON body, never Express's page with a stack trace.
 */
function plainErrors(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    closeAfterAnswer(req, res);
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json(errorBody(status === 404 ? 'not_found' : 'bad_request', 'bad request'));
      return;
    }
    logger.error({ err: error }, 'request failed');
    res.status(500).json(errorBody('internal_error', 'internal server error'));
  };
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
