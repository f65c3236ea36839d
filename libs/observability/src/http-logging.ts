import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';
import { redactUrl } from '@pulseboard/api';

/**
 * Access logs: one line per finished request. Successful requests log at
 * `debug` (ingest is too frequent for `info`); client errors at `warn`,
 * server errors at `error`. Secret query parameters never reach the log.
 */
export function httpLogging(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    quietReqLogger: true,
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
      error !== undefined || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug',
    serializers: {
      req: (req: { method: string; url: string; remoteAddress?: string }) => ({
        method: req.method,
        url: redactUrl(req.url),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}

/** Express-style middleware signature, without depending on Express. */
type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/**
 * Access logging for every request except long-lived streams: a stream's
 * request logger would live (and hold memory) as long as the stream does, and
 * streams log their own open and close at `debug`.
 */
export function accessLog(logger: Logger, isStream: (url: string) => boolean): Middleware {
  const log = httpLogging(logger);
  return (req, res, next) => {
    if (isStream(req.url ?? '')) next();
    else log(req, res, next);
  };
}
