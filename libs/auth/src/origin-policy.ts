import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { closeAfterAnswer, errorBody, Refusals } from '@pulseboard/api';
import { AUTH_OPTIONS, type AuthModuleOptions } from './auth.options.js';

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

/** Host names that only reach this machine: no other site's name can be made to resolve to them for a page. */
const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * Whether a host name is an IP address (`10.0.0.5`, `[fd00::1]`). A page's
 * requests carry the host of its own URL, and rebinding needs a DNS name to
 * re-point: a page addressed by IP is that address's own page.
 */
function isAddress(name: string): boolean {
  return isIP(name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name) !== 0;
}

/** The host name of a `Host` header, lower-cased, without its port (`[::1]` keeps its brackets). */
export function hostName(host: string): string {
  const trimmed = host.trim().toLowerCase();
  const port = /:\d*$/.exec(trimmed);
  return port === null || trimmed.endsWith(']') ? trimmed : trimmed.slice(0, port.index);
}

/**
 * Which browser origins may talk to the server, and in open mode under which
 * host names. Origins: its own (the dashboard it serves) and those listed in
 * `ALLOWED_ORIGINS`. A request without `Origin` (curl, services, same-origin
 * GETs) is judged by its token alone; one from another origin is refused with
 * 403 `origin_not_allowed` before anything else, which is what stops another
 * site's page from opening a stream or a socket with the user's cookie.
 *
 * Hosts: without tokens, a page on `attacker.example` whose name its owner
 * re-points at 127.0.0.1 (DNS rebinding) would be same-origin with the
 * server and pass the origin check. Open mode therefore answers only requests
 * whose `Host` is a loopback name, an IP address or listed in `ALLOWED_HOSTS`
 * (403 `host_not_allowed`); with tokens a rebound page has no token to send.
 */
@Injectable()
export class OriginPolicy {
  private readonly listed: Set<string>;
  /** `undefined` when every host is accepted (tokens required, or `ALLOWED_HOSTS=*`). */
  private readonly hosts: Set<string> | undefined;

  constructor(
    @Inject(AUTH_OPTIONS) options: AuthModuleOptions,
    private readonly refusals: Refusals,
  ) {
    this.listed = new Set(options.allowedOrigins.map((origin) => normalizeOrigin(origin) ?? origin));
    const open = options.secret === undefined && options.jwksUrl === undefined;
    this.hosts =
      !open || options.allowedHosts.includes('*')
        ? undefined
        : new Set(options.allowedHosts.map((host) => hostName(host)));
  }

  /** Whether `origin` is in `ALLOWED_ORIGINS` (what CORS answers for). */
  isListed(origin: string): boolean {
    const normalized = normalizeOrigin(origin);
    return normalized !== undefined && this.listed.has(normalized);
  }

  /**
   * Why a request may not proceed (`host_not_allowed`, `origin_not_allowed`),
   * counted as a refusal; `undefined` when it has no `Origin`, the server's
   * own origin or a listed one, under an allowed host name.
   */
  refuse(request: IncomingMessage): 'host_not_allowed' | 'origin_not_allowed' | undefined {
    const refusal = this.refusalOf(request);
    if (refusal !== undefined) this.refusals.count(refusal);
    return refusal;
  }

  private refusalOf(request: IncomingMessage): 'host_not_allowed' | 'origin_not_allowed' | undefined {
    if (!this.hostAllowed(request.headers.host)) return 'host_not_allowed';
    const origin = request.headers.origin;
    if (origin === undefined || this.isListed(origin)) return undefined;
    const host = request.headers.host;
    if (host === undefined) return 'origin_not_allowed';
    try {
      return new URL(origin).host === host.toLowerCase() ? undefined : 'origin_not_allowed';
    } catch {
      return 'origin_not_allowed';
    }
  }

  /** Middleware: 403 `host_not_allowed` or `origin_not_allowed`, else on to `next`. */
  middleware(): (request: IncomingMessage, response: ServerResponse, next: () => void) => void {
    return (request, response, next) => {
      const refusal = this.refuse(request);
      if (refusal === undefined) {
        next();
        return;
      }
      closeAfterAnswer(request, response);
      response.writeHead(403, { 'Content-Type': 'application/json; charset=utf-8', Vary: 'Origin' });
      response.end(refusalBody(request, refusal));
    };
  }

  /**
   * Refuses a WebSocket upgrade from a foreign origin or host with the same
   * 403 answer, written on the raw socket; `false` when it may proceed.
   */
  refuseUpgrade(request: IncomingMessage, socket: Duplex): boolean {
    const refusal = this.refuse(request);
    if (refusal === undefined) return false;
    const body = refusalBody(request, refusal);
    socket.end(
      `HTTP/1.1 403 Forbidden\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    socket.destroy();
    return true;
  }

  private hostAllowed(host: string | undefined): boolean {
    if (this.hosts === undefined) return true;
    if (host === undefined) return false;
    const name = hostName(host);
    return LOOPBACK_HOST.test(name) || isAddress(name) || this.hosts.has(name);
  }
}

/** The JSON body of a refused origin or host. */
function refusalBody(request: IncomingMessage, refusal: 'host_not_allowed' | 'origin_not_allowed'): string {
  const [header, value] =
    refusal === 'host_not_allowed' ? ['Host', request.headers.host] : ['Origin', request.headers.origin];
  const what = JSON.stringify(value ?? '').slice(0, 200);
  const advice =
    refusal === 'host_not_allowed'
      ? 'without auth the server answers loopback host names only: add it to ALLOWED_HOSTS, or set AUTH_SECRET'
      : 'add it to ALLOWED_ORIGINS to allow it';
  return JSON.stringify(errorBody(refusal, `requests with ${header} ${what} are not allowed (${advice})`));
}
