import { anonymousPrincipal, tokenPrincipal, type Principal } from '@pulseboard/api';
import { describe, expect, it } from 'vitest';
import type { AuthModuleOptions } from './auth.options.js';
import { ConnectionLimits } from './connection-limits.service.js';

const options = (perIp: number, perToken: number): AuthModuleOptions => ({
  secret: undefined,
  previousSecret: undefined,
  jwksUrl: undefined,
  issuer: undefined,
  audience: undefined,
  allowedOrigins: [],
  allowedHosts: [],
  trustProxy: undefined,
  maxConnectionsPerIp: perIp,
  maxConnectionsPerToken: perToken,
  maxInflightBodyBytes: 0,
  maxInflightBodyBytesPerIp: 0,
});

const user = (id: string, address: string): Principal => tokenPrincipal({ sub: id, role: 'viewer', address });

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('ConnectionLimits', () => {
  it('counts per address and gives a slot back once, however often release is called', () => {
    const limits = new ConnectionLimits(options(2, 0));
    const first = limits.acquire(anonymousPrincipal('10.0.0.1'));
    limits.acquire(anonymousPrincipal('::ffff:10.0.0.1'));
    expect(codeOf(() => limits.acquire(anonymousPrincipal('10.0.0.1')))).toBe('too_many_connections');
    expect(codeOf(() => limits.acquire(anonymousPrincipal('10.0.0.2')))).toBeUndefined();
    first();
    first();
    expect(limits.countOf('10.0.0.1')).toBe(1);
    expect(codeOf(() => limits.acquire(anonymousPrincipal('10.0.0.1')))).toBeUndefined();
    expect(codeOf(() => limits.acquire(anonymousPrincipal('10.0.0.1')))).toBe('too_many_connections');
  });

  it('counts per token subject across addresses; 0 means no limit', () => {
    const limits = new ConnectionLimits(options(0, 2));
    limits.acquire(user('alice', '10.0.0.1'));
    limits.acquire(user('alice', '10.0.0.2'));
    expect(codeOf(() => limits.acquire(user('alice', '10.0.0.3')))).toBe('too_many_connections');
    expect(codeOf(() => limits.acquire(user('bob', '10.0.0.3')))).toBeUndefined();
    for (let i = 0; i < 50; i++) limits.acquire(anonymousPrincipal('10.0.0.9'));
    expect(limits.countOf('10.0.0.9')).toBe(50);
  });
});
