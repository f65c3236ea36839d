import type { SeriesId } from '@pulseboard/protocol';
import { seriesOf } from './series-match';

/** A series key read into its parts; a key that does not read is a name without labels. */
export function seriesIdOf(key: string): SeriesId {
  return seriesOf(key) ?? { name: key, labels: {} };
}

/**
 * What a legend calls each of a panel's series (given by key, in the same
 * order): the labels that differ between them (`host=a`, `host=b`), led by
 * the name when the names differ too. One series, or one whose labels are
 * all shared, goes by its full key. A label a series lacks reads as "", so a
 * series without it leaves it out.
 */
export function legendNames(keys: readonly string[]): string[] {
  if (keys.length < 2) return [...keys];
  const series = keys.map(seriesIdOf);
  const differing = differingLabels(series);
  const namesDiffer = series.some((s) => s.name !== series[0].name);
  return series.map((s, i) => {
    const labels = differing.filter((key) => Object.hasOwn(s.labels, key)).map((key) => `${key}=${s.labels[key]}`);
    if (labels.length === 0) return keys[i];
    return namesDiffer ? `${s.name} ${labels.join(', ')}` : labels.join(', ');
  });
}

/** The label keys whose value is not the same in every series (missing reads as ""), sorted. */
export function differingLabels(series: readonly SeriesId[]): string[] {
  const keys = new Set(series.flatMap((s) => Object.keys(s.labels)));
  const value = (s: SeriesId, key: string) => (Object.hasOwn(s.labels, key) ? s.labels[key] : '');
  return [...keys].filter((key) => series.some((s) => value(s, key) !== value(series[0], key))).sort();
}

/** Every label key of the series, sorted: what a panel can be grouped by. */
export function labelKeysOf(keys: readonly string[]): string[] {
  return [...new Set(keys.flatMap((key) => Object.keys(seriesIdOf(key).labels)))].sort();
}
