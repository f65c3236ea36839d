import type { IncomingMessage } from 'node:http';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiError } from './api-error.js';
import { FeedAccess } from './feed-access.js';

/** What a token's `role` claim may say. */
export const ROLES = ['viewer', 'producer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is on the other end of a request or a socket, and what they may do. */
export interface Principal {
  /** Stable identity: the token subject, or `address:<ip>` when auth is off. */
  id: string;
  /** Display name: the token's `name`, else its subject. */
  name: string;
  /** No token: the server runs in open mode. */
  anonymous: boolean;
  role: Role;
  /** The feeds this principal may read (viewers) or write (producers). */
  feeds: FeedAccess;
  /** When the token expires (ms since the epoch); `undefined` without a token. */
  expiresAt: number | undefined;
  /** The client's address (after trusted proxies). */
  address: string;
}

/** A dual-stack listener reports IPv4 clients as `::ffff:a.b.c.d` on some connections and `a.b.c.d` on others. */
export function normalizeAddress(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * The principal of a client in open mode (no auth configured): it may do
 * everything. Its address is what ties an SSE stream and a control socket of
 * the same client together; the session id a stream announces is a 128-bit
 * secret on top of that.
 */
export function anonymousPrincipal(address: string | undefined): Principal {
  const normalized = normalizeAddress(address);
  return {
    id: `address:${normalized}`,
    name: 'anonymous',
    anonymous: true,
    role: 'admin',
    feeds: FeedAccess.ALL,
    expiresAt: undefined,
    address: normalized,
  };
}

/** What a verified token says about its holder. */
export interface TokenHolder {
  sub: string;
  /** Display name; the subject when absent or blank. */
  name?: string;
  role: Role;
  /** Allowed feed patterns; every feed when absent. */
  feeds?: readonly string[];
  /** When the token expires (ms since the epoch). */
  expiresAt?: number;
  /** The client's address. */
  address: string;
}

/** The principal of a token's holder. */
export function tokenPrincipal(holder: TokenHolder): Principal {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const name = holder.name?.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return {
    id: holder.sub,
    name: name === undefined || name === '' ? holder.sub : name,
    anonymous: false,
    role: holder.role,
    feeds: holder.feeds === undefined ? FeedAccess.ALL : new FeedAccess(holder.feeds),
    expiresAt: holder.expiresAt,
    address: holder.address,
  };
}

/** Where an authenticated request keeps its principal. */
export interface AuthenticatedRequest extends IncomingMessage {
  principal?: Principal;
}

/** The principal the access guard attached to a request. */
export function requestPrincipal(request: IncomingMessage): Principal {
  const principal = (request as AuthenticatedRequest).principal;
  // the guard runs before every handler; a route without it is a wiring mistake, not a client's
  if (principal === undefined) throw new Error('request has no principal: the access guard did not run');
  return principal;
}

/** Handler parameter: the caller's principal. */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  return requestPrincipal(context.switchToHttp().getRequest<IncomingMessage>());
});

/** 403 unless the principal has one of `roles`. */
export function requireRole(principal: Principal, roles: readonly Role[], action: string): void {
  if (!roles.includes(principal.role)) {
    throw new ApiError(403, 'forbidden', `a ${principal.role} token may not ${action}`);
  }
}
