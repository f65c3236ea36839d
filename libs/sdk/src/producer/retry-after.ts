/**
 * Milliseconds to wait according to a `Retry-After` header: either
 * delay-seconds or an HTTP-date (RFC 9110 §10.2.3). `undefined` when absent
 * or unreadable, so the caller falls back to its own backoff.
 */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // an HTTP-date names its day and month; bare numbers that are not delay-seconds are noise
  const date = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
