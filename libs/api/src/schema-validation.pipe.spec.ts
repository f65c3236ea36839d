import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError } from './api-error.js';
import { MAX_VALIDATION_DETAILS, parseWithSchema } from './schema-validation.pipe.js';

function failure(schema: z.ZodType, value: unknown): ApiError {
  try {
    parseWithSchema(schema, value, 'invalid_body');
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the value to be refused');
}

describe('parseWithSchema', () => {
  const item = z.strictObject({ name: z.string(), size: z.number() });

  it('answers the parsed value', () => {
    expect(parseWithSchema(item, { name: 'a', size: 1 }, 'invalid_body')).toEqual({ name: 'a', size: 1 });
  });

  it('names each bad field by its path, and each unknown key by itself', () => {
    const error = failure(z.strictObject({ items: z.array(item) }), {
      items: [
        { name: 'a', size: 1 },
        { name: 2, size: 1, colour: 'red', shade: 1 },
      ],
      extra: true,
    });
    expect(error.getStatus()).toBe(400);
    expect(error.code).toBe('invalid_body');
    expect(error.details.map((d) => d.field).sort()).toEqual([
      'extra',
      'items.1.colour',
      'items.1.name',
      'items.1.shade',
    ]);
    expect(error.details.find((d) => d.field === 'extra')?.reason).toBe('unknown key');
    expect(error.message).toContain('items.1.name: ');
  });

  it("takes the code of the first issue's params, else the fallback", () => {
    const named = z.string().refine(() => false, { message: 'no', params: { code: 'invalid_feed_name' } });
    expect(failure(named, 'x').code).toBe('invalid_feed_name');
    const unknownCode = z.string().refine(() => false, { message: 'no', params: { code: 'no_such_code' } });
    expect(failure(unknownCode, 'x').code).toBe('invalid_body');
  });

  it('lists at most MAX_VALIDATION_DETAILS details and gives the total', () => {
    const error = failure(
      z.array(item),
      Array.from({ length: 300 }, () => ({})),
    );
    expect(error.details).toHaveLength(MAX_VALIDATION_DETAILS);
    expect(error.details[0]).toEqual({ field: '0.name', reason: expect.any(String) as unknown });
    expect(error.message).toMatch(/^600 problems, the first 100: 0\.name: /);
  });
});
