import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { checkJsonValue, mayHoldForbiddenKey } from './json-limits.js';

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { x: value };
  return value;
}

function codeOf(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  }
}

describe('JSON limits', () => {
  it('lets a document nest exactly as deep as the limit, and no deeper', () => {
    expect(codeOf(() => checkJsonValue(nested(32), 32))).toBeUndefined();
    expect(codeOf(() => checkJsonValue(nested(33), 32))).toBe('json_too_deep');
    // a value that sits one level down counts that level
    expect(codeOf(() => checkJsonValue(nested(32), 32, true, 1))).toBe('json_too_deep');
  });

  it('walks a million levels without exhausting the stack', () => {
    const deep = JSON.parse('['.repeat(1_000_000) + ']'.repeat(1_000_000)) as unknown;
    expect(codeOf(() => checkJsonValue(deep, 32))).toBe('json_too_deep');
  });

  it('finds prototype keys anywhere, however they were spelled', () => {
    for (const text of [
      '{"__proto__":{"admin":true}}',
      '{"a":[{"b":{"constructor":{"prototype":1}}}]}',
      '{"a":{"\\u005f_proto__":1}}',
      '[{"prototype":null}]',
    ]) {
      expect(mayHoldForbiddenKey(text)).toBe(true);
      expect(codeOf(() => checkJsonValue(JSON.parse(text), 32))).toBe('forbidden_key');
    }
    expect(codeOf(() => checkJsonValue({ constructor: 1 }, 32, false))).toBeUndefined();
    expect(mayHoldForbiddenKey('{"points":[{"feed":"a.b","v":1}]}')).toBe(false);
  });
});
