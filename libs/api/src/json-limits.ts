import { ApiError } from './api-error.js';

/** Default for how deeply a JSON document may nest objects and arrays. */
export const DEFAULT_MAX_JSON_DEPTH = 32;

/** Keys that name or reach an object's prototype: refused wherever a client sends JSON. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Whether `text` may hold a forbidden key: the keys themselves, or a `\u`
 * escape that could spell one. A cheap test that lets large bodies without
 * either skip {@link checkJsonValue}'s walk.
 */
export function mayHoldForbiddenKey(text: string): boolean {
  return (
    text.includes('__proto__') || text.includes('constructor') || text.includes('prototype') || text.includes('\\u')
  );
}

/**
 * Refuses a parsed JSON value nested deeper than `maxDepth` (400
 * `json_too_deep`) or, with `checkKeys`, holding a key in
 * {@link FORBIDDEN_KEYS} anywhere (400 `forbidden_key`). `depth` is how deep
 * `value` itself sits in its document (0 for the document). Iterative, so no
 * input can exhaust the stack.
 */
export function checkJsonValue(value: unknown, maxDepth: number, checkKeys = true, depth = 0): void {
  const stack: { value: unknown; depth: number }[] = [{ value, depth }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= maxDepth) {
      throw new ApiError(400, 'json_too_deep', `the JSON nests deeper than ${maxDepth} levels`);
    }
    if (Array.isArray(current)) {
      for (const item of current)
        if (typeof item === 'object' && item !== null) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    for (const key of Object.keys(current)) {
      if (checkKeys && FORBIDDEN_KEYS.has(key)) {
        throw new ApiError(
          400,
          'forbidden_key',
          `the key ${JSON.stringify(key)} is not allowed in JSON sent to this server`,
        );
      }
      const item = (current as Record<string, unknown>)[key];
      if (typeof item === 'object' && item !== null) stack.push({ value: item, depth: depth + 1 });
    }
  }
}
