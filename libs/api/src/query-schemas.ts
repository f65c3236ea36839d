import { compiledSelectorProblem, compileSelector } from '@pulseboard/core';
import { splitSelectorList } from '@pulseboard/protocol';
import { z } from 'zod';

/** A query parameter given once (`?a=1`) or repeated (`?a=1&a=2`), as one string. */
const queryString = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v.join(',') : v));

/** A non-negative integer query parameter, e.g. milliseconds. */
export function integerParam(max: number): z.ZodType<number, string | string[]> {
  return queryString.pipe(
    z
      .string()
      .regex(/^\d+$/, 'must be a non-negative integer')
      .transform(Number)
      .pipe(z.number().max(max, `must be at most ${max}`)),
  );
}

/** A millisecond timestamp query parameter (may be fractional). */
export const timestampParam: z.ZodType<number, string | string[]> = queryString.pipe(
  z
    .string()
    .regex(/^-?(\d+\.?\d*|\.\d+)$/, 'must be a number of milliseconds since the epoch')
    .transform(Number),
);

/**
 * Comma-separated selectors (`a.b,c.*,cpu{host=~"a|b",dc="x"}`: commas inside
 * braces belong to the selector); empty means none. Each is validated, a bad
 * one answers `invalid_pattern` naming it, and each is given on in canonical
 * form, so that matchers written in any order are one subscription.
 */
export function selectorListParam(maxFeeds: number): z.ZodType<string[], string | string[]> {
  return queryString.transform((value, ctx) => {
    const texts = [
      ...new Set(
        splitSelectorList(value)
          // spaces only: a CR, LF or tab is refused as part of a bad selector, not quietly removed
          .map((s) => s.replace(/^ +| +$/g, ''))
          .filter((s) => s !== ''),
      ),
    ];
    // counted before anything is compiled
    if (texts.length > maxFeeds) {
      ctx.addIssue({
        code: 'custom',
        message: `at most ${maxFeeds} feeds or selectors per request`,
        params: { code: 'too_many_subscriptions' },
      });
      return z.NEVER;
    }
    const selectors = new Set<string>();
    for (const text of texts) {
      const selector = canonicalSelector(text, ctx);
      if (selector !== undefined) selectors.add(selector);
    }
    return [...selectors];
  });
}

/** One selector, in canonical form. */
export const selectorParam: z.ZodType<string, string | string[]> = queryString.transform(
  (value, ctx) => canonicalSelector(value, ctx) ?? z.NEVER,
);

/** One selector in a JSON message, in canonical form. */
export const selectorValue: z.ZodType<string, string> = z
  .string()
  .transform((value, ctx) => canonicalSelector(value, ctx) ?? z.NEVER);

/**
 * The canonical text of the selector `value` (matchers sorted, duplicates
 * dropped), or `undefined` with an `invalid_pattern` issue when it is not a
 * selector the server can match (a regex that does not compile included).
 */
function canonicalSelector(value: string, ctx: z.RefinementCtx): string | undefined {
  const problem = compiledSelectorProblem(value);
  if (problem !== undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `invalid selector ${JSON.stringify(value)}: ${problem}`,
      params: { code: 'invalid_pattern' },
    });
    return undefined;
  }
  return compileSelector(value).source;
}

export { queryString };
