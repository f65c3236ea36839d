const precise = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 4 });
const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** A metric value for display; large values keep their integer digits. */
export function formatValue(value: number | undefined): string {
  if (value === undefined) return '–';
  return Math.abs(value) >= 10_000 ? whole.format(value) : precise.format(value);
}

export function formatRate(perSecond: number): string {
  return `${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond)}/s`;
}
