import { Inject, Injectable } from '@nestjs/common';
import { ApiError, type Principal } from '@pulseboard/api';
import { AUTH_OPTIONS, type AuthModuleOptions } from './auth.options.js';

/** Gives back the slot a connection took; calling it more than once is harmless. */
export type ReleaseConnection = () => void;

/**
 * Counts open streams, polls and sockets per client address and per token
 * subject, so that one client (or one leaked token) cannot hold every
 * connection the server can afford. Over a limit: 429 `too_many_connections`.
 */
@Injectable()
export class ConnectionLimits {
  private readonly byAddress = new Map<string, number>();
  private readonly byToken = new Map<string, number>();

  constructor(@Inject(AUTH_OPTIONS) private readonly options: AuthModuleOptions) {}

  /** Takes a slot for a connection of `principal`, or throws 429 when its address or token has none left. */
  acquire(principal: Principal): ReleaseConnection {
    const { maxConnectionsPerIp, maxConnectionsPerToken } = this.options;
    const token = principal.anonymous ? undefined : principal.id;
    if (maxConnectionsPerIp > 0 && (this.byAddress.get(principal.address) ?? 0) >= maxConnectionsPerIp) {
      throw tooMany(`at most ${maxConnectionsPerIp} open connections per client address`);
    }
    if (token !== undefined && maxConnectionsPerToken > 0 && (this.byToken.get(token) ?? 0) >= maxConnectionsPerToken) {
      throw tooMany(`at most ${maxConnectionsPerToken} open connections per token`);
    }
    increment(this.byAddress, principal.address);
    if (token !== undefined) increment(this.byToken, token);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      decrement(this.byAddress, principal.address);
      if (token !== undefined) decrement(this.byToken, token);
    };
  }

  /** Open connections of an address (for tests and metrics). */
  countOf(address: string): number {
    return this.byAddress.get(address) ?? 0;
  }
}

function tooMany(message: string): ApiError {
  return new ApiError(429, 'too_many_connections', message, [], { 'Retry-After': '5' });
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function decrement(map: Map<string, number>, key: string): void {
  const count = (map.get(key) ?? 0) - 1;
  if (count <= 0) map.delete(key);
  else map.set(key, count);
}
