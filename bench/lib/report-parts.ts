import type { FanoutResult, TargetResult } from './results.js';

/* Formatting and verdicts shared by the report's sections. */

export function int(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : Math.round(value).toLocaleString('en-US');
}

export function fixed(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

export function ratio(a: number | undefined, b: number | undefined): number | null {
  return a === undefined || b === undefined || b === 0 ? null : a / b;
}

export function times(value: number | null): string {
  if (value === null) return '—';
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(2)}×`;
}

export function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * What limited a run: the symptoms (points not delivered, lag beyond a few
 * batch windows, ingest throttled) and the resources found saturated.
 */
export function bottleneck(
  result: Pick<FanoutResult, 'delivered' | 'serverStats' | 'loadgen' | 'machineCpuPct' | 'latency' | 'ingest'>,
  cores: number,
  batchMs: number,
): string {
  const delivered = result.delivered;
  if (delivered === undefined) return '—';
  const saturated: string[] = [];
  if ((result.serverStats?.cpuPct ?? 0) >= 90) saturated.push('server CPU');
  if ((result.loadgen?.elu ?? 0) >= 0.9) saturated.push('load generator');
  if ((result.machineCpuPct ?? 0) >= cores * 100 * 0.9) saturated.push('machine');
  const symptoms: string[] = [];
  if (delivered.expectedPerSec <= 0 || delivered.pointsPerSec < 0.97 * delivered.expectedPerSec) {
    symptoms.push('not all delivered');
  }
  if ((result.latency?.p99 ?? 0) > 4 * batchMs) symptoms.push('lagging');
  if ((result.ingest?.skippedPoints ?? 0) > 0) symptoms.push('ingest throttled');
  if (symptoms.length === 0) {
    return saturated.length === 0 ? 'none (kept up)' : `none (kept up; ${saturated.join(', ')} busy)`;
  }
  return `${saturated.length === 0 ? 'nothing saturated' : saturated.join(' + ')}: ${symptoms.join(', ')}`;
}

export function target(
  name: string,
  measured: number | null | undefined,
  threshold: number | null | undefined,
  unit: string,
  kind: 'min' | 'max',
  note?: string,
): TargetResult {
  const m = measured ?? null;
  const t = threshold ?? null;
  const met = m === null || t === null ? null : kind === 'min' ? m >= t : m <= t;
  const margin = m === null || t === null || m === 0 || t === 0 ? null : kind === 'min' ? m / t : t / m;
  return { name, measured: m, threshold: t, unit, kind, met, margin, ...(note === undefined ? {} : { note }) };
}
