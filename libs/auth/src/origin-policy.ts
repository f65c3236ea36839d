import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { errorBody, Refusals } from '@pulseboard/api';
import { AUTH_OPTIONS, type AuthModuleOptions } from './auth.module-definition.js';

/** `https://Ops.example.com:443/` → `https://ops.example.com`. */
export function normalizeOrigin(origin: string): string | undefined {
  if (origin === 'null') return 'null';
  try {
    const url = new URL(origin);
    return url.origin === 'null' ? undefined : url.origin;
  } catch {
    return undefined;
  }
}

/**
 * Which browser origins may talk to the server: its own (the dashboard it
 * serves) and those listed in `ALLOWED_ORIGINS`. A request without `Origin`
 * (curl, services, same-origin GETs) is judged by its token alone; one from
 * another origin is refused with 403 `origin_not_allowed` before anything
 * else, which is what stops another site's page from opening a stream or a
 * socket with the user's cookie.
 */
@Injectable()
export class OriginPolicy {
  private readonly listed: Set<string>;

  constructor(
    @Inject(AUTH_OPTIONS) options: AuthModuleOptions,
    private readonly refusals: Refusals,
  ) {
    this.listed = new Set(options.allowedOrigins.map((origin) => normalizeOrigin(origin) ?? origin));
  }

  /** Whether `origin` is in `ALLOWED_ORIGINS` (what CORS answers for). */
  isListed(origin: string): boolean {
    const normalized = normalizeOrigin(origin);
    return normalized !== undefined && this.listed.has(normalized);
  }

  /** Whether a request may proceed: no `Origin`, the server's own origin, or a listed one. */
  allows(request: IncomingMessage): boolean {
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    if (this.isListed(origin)) return true;
    const host = request.headers.host;
    if (host === undefined) return false;
    try {
      return new URL(origin).host === host.toLowerCase();
    } catch {
      return false;
    }
  }

  /** Middleware: 403 `origin_not_allowed` for a foreign origin on the API. */
  middleware(): (request: IncomingMessage, response: ServerResponse, next: () => void) => void {
    return (request, response, next) => {
      if (this.allows(request)) {
        next();
        return;
      }
      this.refusals.count('origin_not_allowed');
      response.writeHead(403, { 'Content-Type': 'application/json; charset=utf-8', Vary: 'Origin' });
      response.end(refusalBody(request));
    };
  }

  /**
   * Refuses a WebSocket upgrade from a foreign origin with the same 403
   * answer, written on the raw socket; `false` when the origin may proceed.
   */
  refuseUpgrade(request: IncomingMessage, socket: Duplex): boolean {
    if (this.allows(request)) return false;
    this.refusals.count('origin_not_allowed');
    const body = refusalBody(request);
    socket.end(
      `HTTP/1.1 403 Forbidden\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    socket.destroy();
    return true;
  }
}

/** The JSON body of a refused origin. */
function refusalBody(request: IncomingMessage): string {
  return JSON.stringify(
    errorBody('origin_not_allowed', `requests from ${JSON.stringify(request.headers.origin)} are not allowed`),
  );
}
