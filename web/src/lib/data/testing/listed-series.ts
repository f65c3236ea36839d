import type { FeedInfo } from '@pulseboard/protocol';
import { seriesIdOf } from '../series-names';

/** A feed-list entry for a series key, as `GET /api/v1/feeds` lists it. */
export function listedSeries(
  key: string,
  fields: Partial<Omit<FeedInfo, 'series' | 'name' | 'labels'>> = {},
): FeedInfo {
  return { series: key, ...seriesIdOf(key), rate: 1, last: null, retained: 1, ...fields };
}
