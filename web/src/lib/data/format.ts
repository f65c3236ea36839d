const precise = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 4 });
const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** A metric value for display; large values keep their integer digits. */
export function formatValue(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  const size = Math.abs(value);
  // tiny values (a sine crossing zero) would print a row of zeros
  if (size !== 0 && size < 1e-3) return value.toExponential(2);
  return size >= 10_000 ? whole.format(value) : precise.format(value);
}

/** A value with its unit (`42.25 ms`, `35 %`); no unit, no space. */
export function formatWithUnit(value: number | undefined, unit: string): string {
  const text = formatValue(value);
  return unit === '' || value === undefined ? text : `${text} ${unit}`;
}

/** A lag or an age in ms, to a readable precision (`35 ms`, `1.2 s`, `3 min`). */
export function formatLag(ms: number): string {
  const sign = ms < 0 ? '−' : '';
  const size = Math.abs(ms);
  if (size < 1_000) return `${sign}${Math.round(size)} ms`;
  if (size < 60_000) return `${sign}${(size / 1000).toFixed(size < 10_000 ? 1 : 0)} s`;
  if (size < 3_600_000) return `${sign}${Math.round(size / 60_000)} min`;
  return `${sign}${Math.round(size / 3_600_000)} h`;
}

/** A point in time as a clock reading, for marker labels. */
export function formatClock(t: number): string {
  return new Date(t).toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}
