import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { anonymousPrincipal, ApiError, splitQueryToken, type Principal } from '@pulseboard/api';
import { parse as parseCookies } from 'cookie';
import { AUTH_OPTIONS, type AuthModuleOptions } from './auth.options.js';
import { clientAddress, compileTrustProxy, isSecure, type TrustProxy } from './client-address.js';
import { TokenVerifier } from './token-verifier.js';

/** The cookie a browser keeps its token in (set by `POST /api/v1/session`). */
export const TOKEN_COOKIE = 'pulseboard_token';

/** Where a request's `access_token` query parameter is kept once it is taken out of the URL. */
export interface RequestWithQueryToken extends IncomingMessage {
  queryToken?: string;
}

/**
 * Who a request or socket handshake comes from. With a secret or a JWKS URL
 * configured, every caller needs a valid token; in open mode every caller is
 * an anonymous principal that may do everything.
 *
 * Tokens are read, in this order, from `Authorization: Bearer`, the
 * `access_token` query parameter (for EventSource, which cannot send headers)
 * and the `pulseboard_token` cookie. Socket.IO handshakes may also carry it
 * as `auth.token`.
 */
@Injectable()
export class Authenticator {
  private readonly logger = new Logger('Auth');
  private readonly verifier: TokenVerifier | undefined;
  readonly trustProxy: TrustProxy;

  constructor(@Inject(AUTH_OPTIONS) options: AuthModuleOptions) {
    this.trustProxy = compileTrustProxy(options.trustProxy);
    const configured = options.secret !== undefined || options.jwksUrl !== undefined;
    this.verifier = configured ? new TokenVerifier(options) : undefined;
  }

  /** Whether tokens are required (a secret or a JWKS URL is configured). */
  get enabled(): boolean {
    return this.verifier !== undefined;
  }

  /** The client's address, after trusted proxies. */
  address(request: IncomingMessage): string {
    return clientAddress(request, this.trustProxy);
  }

  /** Whether the request came over TLS (directly or through a trusted proxy). */
  secure(request: IncomingMessage): boolean {
    return isSecure(request, this.trustProxy);
  }

  /** The principal of an HTTP request (at once when no signature needs checking); 401 without a valid token when auth is on. */
  authenticate(request: IncomingMessage): Principal | Promise<Principal> {
    return this.principal(tokenOf(request), this.address(request));
  }

  /** The principal of a Socket.IO handshake: `auth.token`, else what an HTTP request would use. */
  async authenticateHandshake(request: IncomingMessage, auth: Record<string, unknown>): Promise<Principal> {
    const token =
      typeof auth.token === 'string' && auth.token !== ''
        ? auth.token
        : (tokenOf(request) ?? handshakeQueryToken(request));
    return this.principal(token, this.address(request));
  }

  /** The principal a token names (for `POST /api/v1/session`). */
  async verify(token: string, request: IncomingMessage): Promise<Principal> {
    return this.principal(token, this.address(request));
  }

  private principal(token: string | undefined, address: string): Principal | Promise<Principal> {
    if (this.verifier === undefined) return anonymousPrincipal(address);
    if (token === undefined) {
      throw new ApiError(401, 'unauthorized', 'this server needs a token: send Authorization: Bearer <token>', [], {
        'WWW-Authenticate': 'Bearer realm="pulseboard"',
      });
    }
    const verified = this.verifier.verify(token, address);
    if (!(verified instanceof Promise)) return verified;
    return verified.catch((error: unknown) => {
      if (error instanceof ApiError && error.getStatus() === 401) {
        this.logger.debug(`token refused for ${address}: ${error.code}`);
        error.headers['WWW-Authenticate'] = `Bearer realm="pulseboard", error="invalid_token"`;
      }
      throw error;
    });
  }
}

/** The request's token: bearer header, then the query parameter taken out of its URL, then the cookie. */
function tokenOf(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match !== null) return match[1];
  }
  const fromQuery = (request as RequestWithQueryToken).queryToken;
  if (fromQuery !== undefined && fromQuery !== '') return fromQuery;
  const cookies = request.headers.cookie;
  if (cookies === undefined) return undefined;
  const value = parseCookies(cookies)[TOKEN_COOKIE];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Run first on every HTTP request: moves the `access_token` query parameter,
 * however its name is percent-encoded, out of the URL into the request, so no
 * route or query schema ever sees it. (The access log shows the URL as sent,
 * through `redactUrl`, which reads parameter names the same way.)
 */
export function takeQueryToken(request: RequestWithQueryToken): void {
  const split = splitQueryToken(request.url ?? '');
  if (split === undefined) return;
  if (split.token !== undefined) request.queryToken = split.token;
  request.url = split.url;
}

/** A handshake's `access_token` query parameter (Socket.IO requests do not pass through the HTTP middleware). */
function handshakeQueryToken(request: IncomingMessage): string | undefined {
  const token = splitQueryToken(request.url ?? '')?.token;
  return token === '' ? undefined : token;
}
