import type { IncomingMessage } from 'node:http';
import { normalizeAddress } from '@pulseboard/api';
import proxyAddr from 'proxy-addr';

/** Whether an address (and the hop count) is a proxy whose forwarding headers are believed. */
export type TrustProxy = (address: string, hop: number) => boolean;

/**
 * Compiles `TRUST_PROXY`: unset or `false` trusts no one; `true` every hop; a
 * number trusts that many hops; otherwise a comma-separated list of addresses,
 * CIDR ranges or `loopback` / `linklocal` / `uniquelocal` (Express's syntax).
 */
export function compileTrustProxy(setting: string | undefined): TrustProxy {
  const value = setting?.trim() ?? '';
  if (value === '' || value === 'false') return () => false;
  if (value === 'true') return () => true;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return (_address, hop) => hop < hops;
  }
  return proxyAddr.compile(value.split(',').map((part) => part.trim()));
}

/** The client's address: the connection's peer, or what trusted proxies forwarded. */
export function clientAddress(request: IncomingMessage, trust: TrustProxy): string {
  return normalizeAddress(proxyAddr(request, trust));
}

/** Whether the client reached the server over TLS (directly, or per a trusted proxy's `X-Forwarded-Proto`). */
export function isSecure(request: IncomingMessage, trust: TrustProxy): boolean {
  if ((request.socket as { encrypted?: boolean }).encrypted === true) return true;
  const peer = request.socket.remoteAddress ?? '';
  if (!trust(peer, 0)) return false;
  const proto = request.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}
