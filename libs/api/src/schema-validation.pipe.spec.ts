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

describe('validation messages', () => {
  const document = z.strictObject({
    title: z.string().min(1).max(3),
    kind: z.enum(['stat', 'timeseries']),
    w: z.int().min(1).max(12),
    feeds: z.array(z.string()).max(1),
    id: z.string().regex(/^[a-z]+$/),
    named: z.string().regex(/^[a-z]+$/, 'may only contain a-z'),
    either: z.union([z.string(), z.number()]),
  });
  const reasons = (value: unknown): Record<string, string> =>
    Object.fromEntries(failure(document, value).details.map((d): [string, string] => [d.field ?? '', d.reason]));

  it('speaks the product’s words, keeping a schema’s own messages', () => {
    expect(
      reasons({ title: '', kind: 'pie', w: 1.5, feeds: ['a', 'b'], id: 'A', named: 'A', either: true, extra: 1 }),
    ).toEqual({
      title: 'must not be empty',
      kind: 'must be one of "stat", "timeseries"',
      w: 'must be an integer',
      feeds: 'must list at most 1 items',
      id: 'is not in the expected format',
      named: 'may only contain a-z',
      either: 'is not valid',
      extra: 'unknown key',
    });
    expect(reasons({ title: 'long', w: 13 })).toMatchObject({
      title: 'must be at most 3 characters long',
      w: 'must be at most 12',
      kind: 'is required',
      feeds: 'is required',
    });
  });

  it('never answers in zod’s wording', () => {
    const error = failure(document, { title: 5, kind: 1, w: 'x', feeds: 'a', id: 1, named: 1, either: null });
    expect(error.message).not.toMatch(/Invalid input|Invalid option|Too (big|small)|expected .*, received/);
  });
});
