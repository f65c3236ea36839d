import { ApiError, type Principal } from '@pulseboard/api';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mintToken, parseTtl } from './mint-token.js';
import { TokenVerifier } from './token-verifier.js';

const SECRET = 'a-unit-test-secret-of-thirty-two-bytes';
const verifier = (previousSecret?: string) =>
  new TokenVerifier({ secret: SECRET, previousSecret, jwksUrl: undefined, issuer: undefined, audience: undefined });

async function refusal(promise: Principal | Promise<Principal>): Promise<{ status: number; code: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return { status: error.getStatus(), code: error.code };
    throw error;
  }
  throw new Error('the token was accepted');
}

async function refusalMessage(promise: Principal | Promise<Principal>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error.message;
    throw error;
  }
  throw new Error('the token was accepted');
}

function signed(payload: Record<string, unknown>, secret = SECRET): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));
}

describe('TokenVerifier', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads the principal from the claims', async () => {
    const token = await mintToken(SECRET, { sub: 'alice', role: 'viewer', feeds: ['host1.>'], name: 'Alice\n' }, 60);
    const principal = await verifier().verify(token, '10.0.0.7');
    expect(principal).toMatchObject({
      id: 'alice',
      name: 'Alice',
      role: 'viewer',
      anonymous: false,
      address: '10.0.0.7',
    });
    expect(principal.feeds.patterns).toEqual(['host1.>']);
    expect(principal.expiresAt).toBeGreaterThan(Date.now());
  });

  it('refuses unusable claims as invalid tokens', async () => {
    for (const payload of [
      { sub: 'a', role: 'boss' },
      { role: 'viewer' },
      { sub: 'a', role: 'viewer', feeds: ['a.>.b'] },
      { sub: 'a', role: 'viewer', feeds: [] },
      { sub: 'a\u0000b', role: 'viewer' },
    ]) {
      expect(await refusal(verifier().verify(await signed(payload), '::1'))).toEqual({
        status: 401,
        code: 'invalid_token',
      });
    }
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"a","role":"admin"}').toString('base64url')}.`;
    expect(await refusal(verifier().verify(none, '::1'))).toEqual({ status: 401, code: 'invalid_token' });
  });

  it('says why a token was refused in its own words, never jose’s or zod’s', async () => {
    const asIs = (payload: Record<string, unknown>) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET));
    const inAnHour = Math.floor(Date.now() / 1000) + 3600;
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(`{"sub":"a","role":"admin","exp":${inAnHour}}`).toString('base64url')}.`;
    const cases: [string, string][] = [
      [
        await signed({ sub: 'a', role: 'viewer' }, 'another-secret-of-at-least-thirty-two'),
        'its signature does not match',
      ],
      [none, 'it must be signed with HS256'],
      ['garbage', 'it is malformed'],
      [await asIs({ sub: 'a', role: 'viewer' }), 'it has no exp claim'],
      [await asIs({ sub: 'a', role: 'viewer', exp: 1e308 }), 'exp must be a date before the year 275760'],
      [await signed({ sub: 'a', role: 'viewer', name: 5 }), 'name must be a string'],
      [await signed({ sub: 'a', role: 'viewer', feeds: 'x' }), 'feeds must be an array'],
      [await signed({ sub: 'a' }), 'role must be one of viewer, producer, admin'],
    ];
    for (const [token, reason] of cases) {
      const message = await refusalMessage(verifier().verify(token, '::1'));
      expect(message, token).toContain(reason);
      expect(message).not.toMatch(/Invalid input|expected .*, received|JWS|JWT|Compact|Parameter|claim must/);
    }
  });

  it('remembers a verified token only until it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const token = await mintToken(SECRET, { sub: 'bob', role: 'producer' }, 5);
    const tokens = verifier();
    expect((await tokens.verify(token, '10.0.0.1')).address).toBe('10.0.0.1');
    // the remembered principal is answered with each caller's own address
    expect((await tokens.verify(token, '10.0.0.2')).address).toBe('10.0.0.2');
    vi.setSystemTime(Date.now() + 6000);
    expect(await refusal(tokens.verify(token, '10.0.0.1'))).toEqual({ status: 401, code: 'token_expired' });
  });

  it('accepts tokens of the previous secret after a rotation, and no other', async () => {
    const old = await signed({ sub: 'a', role: 'viewer' }, 'the-previous-secret-of-thirty-two-bytes');
    expect((await verifier('the-previous-secret-of-thirty-two-bytes').verify(old, '::1')).id).toBe('a');
    expect(await refusal(verifier().verify(old, '::1'))).toEqual({ status: 401, code: 'invalid_token' });
  });

  it('reads lifetimes as the token command takes them', () => {
    expect([parseTtl('90'), parseTtl('90s'), parseTtl('15m'), parseTtl('1h'), parseTtl('7d')]).toEqual([
      90, 90, 900, 3600, 604_800,
    ]);
    expect([parseTtl('0'), parseTtl('1w'), parseTtl('-5m'), parseTtl('')]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
