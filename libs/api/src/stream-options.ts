import { z } from 'zod';
import { queryString } from './query-schemas.js';

/*
 * The options a client asks a stream for, one check each whichever way it
 * asks: as query parameters (SSE, poll, refused `invalid_query`) or in a
 * socket's `subscribe` (refused `invalid_message`). A query parameter is
 * first read as a number, then meets the same check as the JSON value.
 */

/** Highest `maxRate` a stream may ask for, in points per second per feed. */
export const MAX_RATE = 1_000_000;

/** `maxRate`: points per second per feed, above 0; a stream that wants every point leaves it out. */
export const maxRateValue = z.number().positive('must be greater than 0').max(MAX_RATE, `must be at most ${MAX_RATE}`);

/** `history`: whole milliseconds of retained points to send first, at most `maxMs`. */
export function historyValue(maxMs: number): z.ZodType<number, number> {
  return z
    .number()
    .int('must be a whole number of milliseconds')
    .min(0, 'must not be negative')
    .max(maxMs, `must be at most ${maxMs}`);
}

/** A decimal number in a query parameter (`12`, `-1`, `0.5`). */
const numberParam: z.ZodType<number, string | string[]> = queryString.pipe(
  z
    .string()
    .regex(/^-?(\d+\.?\d*|\.\d+)$/, 'must be a number')
    .transform(Number),
);

/** `maxRate` as a query parameter. */
export const maxRateParam: z.ZodType<number, string | string[]> = numberParam.pipe(maxRateValue);

/** `history` as a query parameter. */
export function historyParam(maxMs: number): z.ZodType<number, string | string[]> {
  return numberParam.pipe(historyValue(maxMs));
}
