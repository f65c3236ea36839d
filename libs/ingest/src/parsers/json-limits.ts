import { ApiError, checkJsonValue, DEFAULT_MAX_JSON_DEPTH, mayHoldForbiddenKey } from '@pulseboard/api';
import type { ParseFailure, ParseOptions } from './parse-result.js';

/**
 * Why a decoded JSON document breaks the JSON limits (prototype keys anywhere,
 * nesting deeper than `maxDepth` in what the server reads), or `undefined`.
 * `points` holds flat objects whose fields are checked one by one, so only
 * the rest of the document is walked, unless its text may hold a forbidden
 * key: then all of it is.
 */
export function jsonLimitsProblem(text: string, decoded: unknown, options: ParseOptions): ParseFailure | undefined {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  try {
    if (mayHoldForbiddenKey(text)) checkJsonValue(decoded, maxDepth);
    else if (typeof decoded === 'object' && decoded !== null && !Array.isArray(decoded)) {
      const fields = decoded as Record<string, unknown>;
      for (const key in fields) {
        const value = fields[key];
        if (key !== 'points' && typeof value === 'object' && value !== null) checkJsonValue(value, maxDepth - 1, false);
      }
    }
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { ok: false, code: error.code as ParseFailure['code'], message: error.message, details: [] };
  }
  return undefined;
}
