/** The fan-out feeds: `bench.f0` … `bench.f9`. */
export const FEEDS = Array.from({ length: 10 }, (_, i) => `bench.f${i}`);

/** A metric-like value with two decimals, so wire sizes resemble real data. */
export function sampleValue(): number {
  return Math.round(Math.random() * 100_000) / 100;
}

/** `{"points":[...]}` with `count` points over the feeds, round-robin from `first`, all at time `t`. */
export function pointsBody(count: number, t: number, first = 0): string {
  let body = '{"points":[';
  for (let i = 0; i < count; i++) {
    body += `${i === 0 ? '' : ','}{"feed":"${FEEDS[(first + i) % FEEDS.length]}","t":${t},"v":${sampleValue()}}`;
  }
  return body + ']}';
}
