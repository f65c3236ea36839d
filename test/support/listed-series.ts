import type { FeedInfo } from '@pulseboard/protocol';
import { getJson } from './http.js';

/** What the feed list tells of one series. */
export interface ListedSeries {
  retained: number;
  last: { t: number; v: number } | null;
}

/** The series `GET /api/v1/feeds?match=` lists, by series key. */
export async function listedSeries(
  base: string,
  match: string,
  headers: Record<string, string> = {},
): Promise<Record<string, ListedSeries>> {
  const res = await getJson<FeedInfo[]>(`${base}/api/v1/feeds?match=${encodeURIComponent(match)}`, { headers });
  if (res.status !== 200) throw new Error(`the feed list answered ${res.status}: ${JSON.stringify(res.body)}`);
  return Object.fromEntries(res.body.map((e) => [e.series, { retained: e.retained, last: e.last }]));
}
