import { getJson } from './http.js';

/** What the feed list tells of one series. */
export interface ListedSeries {
  retained: number;
  last: { t: number; v: number } | null;
}

/** An entry of `GET /api/v1/feeds`, old or new. */
interface FeedEntry extends ListedSeries {
  name: string;
  series?: string;
}

/**
 * The series `GET /api/v1/feeds?match=` lists, by series key. Entries carry
 * the key in `series`; one without it comes from a feed list that names each
 * series by its key in `name`.
 */
export async function listedSeries(
  base: string,
  match: string,
  headers: Record<string, string> = {},
): Promise<Record<string, ListedSeries>> {
  const res = await getJson<FeedEntry[]>(`${base}/api/v1/feeds?match=${encodeURIComponent(match)}`, { headers });
  if (res.status !== 200) throw new Error(`the feed list answered ${res.status}: ${JSON.stringify(res.body)}`);
  return Object.fromEntries(res.body.map((e) => [e.series ?? e.name, { retained: e.retained, last: e.last }]));
}
