import { mintToken, type TokenClaims } from '@pulseboard/auth';
import type { Environment } from '../../apps/server/src/config/config.js';
import { startServer, type TestServer } from './server.js';

/** The secret test servers with auth sign and verify with. */
export const TEST_SECRET = 'test-secret-of-at-least-thirty-two-bytes';

/** A token signed with the test secret, valid for `ttlSeconds` (default an hour). */
export function token(claims: Partial<TokenClaims> & Pick<TokenClaims, 'role'>, ttlSeconds = 3600): Promise<string> {
  return mintToken(TEST_SECRET, { sub: `${claims.role}-1`, ...claims }, ttlSeconds);
}

/** `Authorization: Bearer <token>` as fetch headers. */
export function bearer(value: string): Record<string, string> {
  return { authorization: `Bearer ${value}` };
}

/** A test server that needs tokens signed with {@link TEST_SECRET}. */
export function startAuthServer(env: Environment = {}): Promise<TestServer> {
  return startServer({ AUTH_SECRET: TEST_SECRET, ...env });
}
