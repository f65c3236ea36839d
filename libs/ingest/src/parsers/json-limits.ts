import { ApiError, checkJsonValue, DEFAULT_MAX_JSON_DEPTH, mayHoldForbiddenKey } from '@pulseboard/api';
import type { ParseFailure, ParseOptions } from './parse-result.js';

/**
 * Why a decoded JSON document breaks the JSON limits, or `undefined`:
 * - a prototype key (`__proto__`, `constructor`, `prototype`) anywhere — the
 *   walk that finds one runs only when the text may spell one;
 * - nesting deeper than `maxDepth` outside the points. Points are objects whose
 *   `feed`, `labels` (strings only), `t` and `v` are checked one by one and
 *   whose other fields are ignored, so their insides are not walked: a JSON
 *   body's `points` array is skipped, and an NDJSON line (`kind: 'point'`) is
 *   not walked for depth.
 * The answer depends on the value decoded, never on how its text spells it.
 */
export function jsonLimitsProblem(
  text: string,
  decoded: unknown,
  options: ParseOptions,
  kind: 'document' | 'point',
): ParseFailure | undefined {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  try {
    if (mayHoldForbiddenKey(text)) checkJsonValue(decoded, Infinity);
    if (kind === 'document' && typeof decoded === 'object' && decoded !== null && !Array.isArray(decoded)) {
      const fields = decoded as Record<string, unknown>;
      for (const key in fields) {
        const value = fields[key];
        if (key !== 'points' && typeof value === 'object' && value !== null) checkJsonValue(value, maxDepth, false, 1);
      }
    }
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { ok: false, code: error.code as ParseFailure['code'], message: error.message, details: [] };
  }
  return undefined;
}
