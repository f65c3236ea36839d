import type { Role } from '@pulseboard/api';
import { SignJWT } from 'jose';

export interface TokenClaims {
  sub: string;
  role: Role;
  /** Allowed feed patterns; absent for every feed. */
  feeds?: readonly string[];
  name?: string;
}

/** Signs an HS256 token with `secret` that expires `ttlSeconds` from now (what `npm run token` prints). */
export function mintToken(secret: string, claims: TokenClaims, ttlSeconds: number): Promise<string> {
  const payload: Record<string, unknown> = { role: claims.role };
  if (claims.feeds !== undefined) payload.feeds = [...claims.feeds];
  if (claims.name !== undefined) payload.name = claims.name;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}

const TTL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90`, `90s`, `15m`, `1h`, `7d` → seconds; `undefined` when it is none of those. */
export function parseTtl(text: string): number | undefined {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (match === null) return undefined;
  const seconds = Number(match[1]) * TTL_UNITS[match[2] === '' ? 's' : match[2]];
  return seconds > 0 ? seconds : undefined;
}
