import { patternProblem } from '@pulseboard/protocol';
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
 * Comma-separated feed names and patterns (`a.b,c.*`); empty means none.
 * Each is validated, and a bad one answers `invalid_pattern` naming it.
 */
export function feedListParam(maxFeeds: number): z.ZodType<string[], string | string[]> {
  return queryString.transform((value, ctx) => {
    const feeds = [
      ...new Set(
        value
          .split(',')
          // spaces only: a CR, LF or tab is refused as part of a bad pattern, not quietly removed
          .map((s) => s.replace(/^ +| +$/g, ''))
          .filter((s) => s !== ''),
      ),
    ];
    if (feeds.length > maxFeeds) {
      ctx.addIssue({
        code: 'custom',
        message: `at most ${maxFeeds} feeds or patterns per request`,
        params: { code: 'too_many_subscriptions' },
      });
      return z.NEVER;
    }
    for (const feed of feeds) checkPattern(feed, ctx);
    return feeds;
  });
}

/** One feed name or pattern. */
export const patternParam: z.ZodType<string, string | string[]> = queryString.superRefine(checkPattern);

/** One feed name or pattern in a JSON message. */
export const patternValue: z.ZodType<string> = z.string().superRefine(checkPattern);

/** Adds an `invalid_pattern` issue when `value` is not a feed name or pattern. */
function checkPattern(value: string, ctx: z.RefinementCtx): void {
  const problem = patternProblem(value);
  if (problem !== undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `invalid feed or pattern ${JSON.stringify(value)}: ${problem}`,
      params: { code: 'invalid_pattern' },
    });
  }
}

export { queryString };
