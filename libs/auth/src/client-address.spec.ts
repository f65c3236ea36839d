import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress, compileTrustProxy, isSecure } from './client-address.js';

function request(peer: string, headers: Record<string, string> = {}): IncomingMessage {
  return {
    socket: { remoteAddress: peer },
    headers,
    connection: { remoteAddress: peer },
  } as unknown as IncomingMessage;
}

describe('client addresses behind proxies', () => {
  const forwarded = { 'x-forwarded-for': '203.0.113.9, 10.0.0.5', 'x-forwarded-proto': 'https' };

  it('believes forwarding headers only from trusted proxies', () => {
    expect(clientAddress(request('127.0.0.1', forwarded), compileTrustProxy(undefined))).toBe('127.0.0.1');
    expect(clientAddress(request('127.0.0.1', forwarded), compileTrustProxy('loopback'))).toBe('10.0.0.5');
    expect(clientAddress(request('127.0.0.1', forwarded), compileTrustProxy('loopback, 10.0.0.0/8'))).toBe(
      '203.0.113.9',
    );
    expect(clientAddress(request('127.0.0.1', forwarded), compileTrustProxy('2'))).toBe('203.0.113.9');
    expect(clientAddress(request('::ffff:192.0.2.1'), compileTrustProxy('true'))).toBe('192.0.2.1');
  });

  it('takes TLS from the socket, or from a trusted proxy’s X-Forwarded-Proto', () => {
    expect(isSecure(request('127.0.0.1', forwarded), compileTrustProxy(undefined))).toBe(false);
    expect(isSecure(request('127.0.0.1', forwarded), compileTrustProxy('loopback'))).toBe(true);
    expect(isSecure(request('192.0.2.1', forwarded), compileTrustProxy('loopback'))).toBe(false);
  });
});
