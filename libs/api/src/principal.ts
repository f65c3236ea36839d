import type { IncomingMessage } from 'node:http';

/** Who is on the other end of a request or a socket. */
export interface Principal {
  /** Stable identity: the token subject, or the client's address when auth is off. */
  id: string;
  /** Display name. */
  name: string;
  anonymous: boolean;
}

/**
 * The principal of a client without a token. Its address is what ties an SSE
 * stream and a control socket of the same client together; the session id a
 * stream announces is a 128-bit secret on top of that.
 */
export function anonymousPrincipal(address: string | undefined): Principal {
  // a dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d on some connections and a.b.c.d on others
  const normalized = address?.startsWith('::ffff:') === true ? address.slice(7) : (address ?? 'unknown');
  return { id: `address:${normalized}`, name: 'anonymous', anonymous: true };
}

/** The principal of an HTTP request. */
export function requestPrincipal(request: IncomingMessage): Principal {
  return anonymousPrincipal(request.socket.remoteAddress);
}
