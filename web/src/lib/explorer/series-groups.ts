import type { SeriesInfo } from '../data/api';

/** A label key of a name's series, and how many values it takes among them. */
export interface LabelSummary {
  key: string;
  values: number;
}

/** The series of one feed name, as the explorer lists them. */
export interface NameGroup {
  name: string;
  /** Sorted by key. */
  series: readonly SeriesInfo[];
  /** Label keys, sorted, with their value counts. */
  labels: readonly LabelSummary[];
  /** Points per second of all its series. */
  rate: number;
  /** Points retained of all its series. */
  retained: number;
}

/** The series of a feed list grouped by name, names sorted. */
export function groupByName(series: readonly SeriesInfo[]): NameGroup[] {
  const byName = new Map<string, SeriesInfo[]>();
  for (const info of series) {
    const members = byName.get(info.name);
    if (members === undefined) byName.set(info.name, [info]);
    else members.push(info);
  }
  const names = [...byName].sort(([a], [b]) => byText(a, b));
  return names.map(([name, members]) => {
    members.sort((a, b) => byText(a.series, b.series));
    return {
      name,
      series: members,
      labels: labelSummaries(members),
      rate: members.reduce((sum, info) => sum + info.rate, 0),
      retained: members.reduce((sum, info) => sum + info.retained, 0),
    };
  });
}

/** Whether a group is one series without labels, which the explorer lists as a plain row. */
export function isPlainFeed(group: NameGroup): boolean {
  return group.series.length === 1 && group.labels.length === 0;
}

/** What a series row of a group shows: its labels, `host=a, region=eu`. */
export function labelText(info: SeriesInfo): string {
  const keys = Object.keys(info.labels).sort(byText);
  return keys.length === 0 ? '(no labels)' : keys.map((key) => `${key}=${info.labels[key]}`).join(', ');
}

function labelSummaries(series: readonly SeriesInfo[]): LabelSummary[] {
  const values = new Map<string, Set<string>>();
  for (const { labels } of series) {
    for (const key of Object.keys(labels)) {
      let seen = values.get(key);
      if (seen === undefined) values.set(key, (seen = new Set()));
      seen.add(labels[key]);
    }
  }
  return [...values].sort(([a], [b]) => byText(a, b)).map(([key, seen]) => ({ key, values: seen.size }));
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
