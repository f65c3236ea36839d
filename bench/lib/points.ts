/** `bench.f0` … `bench.f<count − 1>`. */
export function feedNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `bench.f${i}`);
}

/** The fan-out feeds: `bench.f0` … `bench.f9`. */
export const FEEDS = feedNames(10);

/** A metric-like value with two decimals, so wire sizes resemble real data. */
export function sampleValue(): number {
  return Math.round(Math.random() * 100_000) / 100;
}

/** How values are made: `noise` is uniform over 0–1000 at every point; `walk` moves each feed a little from its last value. */
export type ValueShape = 'noise' | 'walk';

/**
 * Values of the given shape, by feed index. A walk steps by up to ±5 (0.5 % of
 * the range) and reflects at 0 and 1000, like a gauge that drifts.
 */
export function values(shape: ValueShape): (feed: number) => number {
  if (shape === 'noise') return sampleValue;
  const last = new Map<number, number>();
  return (feed) => {
    let v = (last.get(feed) ?? sampleValue()) + (Math.random() - 0.5) * 10;
    if (v < 0) v = -v;
    if (v > 1000) v = 2000 - v;
    last.set(feed, v);
    return Math.round(v * 100) / 100;
  };
}

export interface BodyLayout {
  /** Default: {@link FEEDS}. */
  feeds?: readonly string[];
  /** Point `i` is at `t + i × stepMs` (rounded to the ms); default 0, all at `t`. */
  stepMs?: number;
  /** By the feed's index in `feeds`; default {@link sampleValue}. */
  value?: (feed: number) => number;
  /** By the feed's index in `feeds`: the point's labels; default none. */
  labels?: (feed: number) => Record<string, string>;
}

/** What a Telegraf-like agent attaches to a host's metrics: 8 labels, by feed index. */
export function agentLabels(feed: number): Record<string, string> {
  return {
    host: `web${feed}.example.com`,
    dc: 'fra1',
    region: 'eu-central',
    env: 'prod',
    service: 'checkout',
    team: 'payments',
    os: 'linux',
    arch: 'amd64',
  };
}

/**
 * InfluxDB line protocol with `count` points over the feeds: measurement
 * `bench`, field `f<i>`, and with `labelled` the feed's 8 agent labels as tags.
 */
export function lineBody(count: number, t: number, labelled: boolean): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const feed = i % FEEDS.length;
    const tags = labelled
      ? Object.entries(agentLabels(feed))
          .map(([k, v]) => `,${k}=${v}`)
          .join('')
      : '';
    lines.push(`bench${tags} f${feed}=${sampleValue()} ${(t + i) * 1_000_000}`);
  }
  return lines.join('\n');
}

/** `{"points":[...]}` with `count` points over the feeds, round-robin from `first`. */
export function pointsBody(count: number, t: number, first = 0, layout: BodyLayout = {}): string {
  const { feeds = FEEDS, stepMs = 0, value = sampleValue, labels } = layout;
  let body = '{"points":[';
  for (let i = 0; i < count; i++) {
    const feed = (first + i) % feeds.length;
    const at = Math.round(t + i * stepMs);
    const labelled = labels === undefined ? '' : `,"labels":${JSON.stringify(labels(feed))}`;
    body += `${i === 0 ? '' : ','}{"feed":"${feeds[feed]}"${labelled},"t":${at},"v":${value(feed)}}`;
  }
  return body + ']}';
}
