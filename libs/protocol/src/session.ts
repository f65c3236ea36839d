import type { ErrorCode } from './errors.js';

/** `GET /api/v1/session`: who the server takes the caller for. */
export interface SessionInfo {
  /** Whether the server requires tokens (`false`: open mode, everyone may do everything). */
  auth: boolean;
  sub: string;
  name: string;
  role: 'viewer' | 'producer' | 'admin';
  /** Feed patterns the caller may read (viewers) or write (producers). */
  feeds: string[];
  /** When the token expires (ms since the epoch); `null` in open mode. */
  expiresAt: number | null;
}

/** Codes a refused token answers with. */
export const TOKEN_ERROR_CODES = [
  'unauthorized',
  'invalid_token',
  'token_expired',
] as const satisfies readonly ErrorCode[];
