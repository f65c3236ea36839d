import { formatLag } from '../data/format';

const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** Points per second; slow feeds keep a decimal. */
export function formatRate(perSecond: number): string {
  if (perSecond === 0) return '0/s';
  return `${perSecond < 10 ? perSecond.toFixed(1) : whole.format(perSecond)}/s`;
}

/** A count, with digit grouping. */
export function formatCount(count: number): string {
  return whole.format(count);
}

/** How long ago a moment was: `just now`, `4.4 s ago`, `3 min ago`. */
export function formatAge(thenMs: number, nowMs: number): string {
  const age = nowMs - thenMs;
  return age < 1_000 ? 'just now' : `${formatLag(age)} ago`;
}
