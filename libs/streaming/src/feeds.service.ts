import { Injectable } from '@nestjs/common';
import { ApiError, type FeedAccess } from '@pulseboard/api';
import { compileSelector, downsampleMinMax, Retention } from '@pulseboard/core';
import { canonicalSeriesKey, patternMatches, type FeedChunk, type FeedInfo } from '@pulseboard/protocol';

export interface PointsQuery {
  from?: number;
  to?: number;
  maxPoints?: number;
}

/** Read side of retention for the HTTP API: series listing and time-window queries. */
@Injectable()
export class FeedsService {
  constructor(private readonly retention: Retention) {}

  /**
   * Series matching the selector `match` (all when absent) that `access`
   * allows (all when absent), sorted by series key, at most `limit`.
   */
  list(match: string | undefined, limit: number, access?: FeedAccess): FeedInfo[] {
    const selector = match === undefined ? undefined : compileSelector(match);
    const readable = access === undefined || access.all ? undefined : access;
    const now = Date.now();
    const feeds: FeedInfo[] = [];
    for (const feed of this.retention.all()) {
      if (
        selector !== undefined &&
        !(patternMatches(selector.pattern, feed.segments) && selector.matchesLabels(feed.labels))
      ) {
        continue;
      }
      if (readable !== undefined && !readable.allows(feed, feed.segments)) continue;
      feeds.push({
        series: feed.key,
        name: feed.name,
        labels: feed.labels,
        rate: feed.rate(now),
        last: feed.last(),
        retained: feed.size,
      });
    }
    feeds.sort((a, b) => (a.series < b.series ? -1 : a.series > b.series ? 1 : 0));
    return feeds.length > limit ? feeds.slice(0, limit) : feeds;
  }

  /**
   * Retained points of the series named by `key` (labels in any order) with
   * `from <= t <= to`, in arrival order, optionally downsampled.
   */
  points(key: string, query: PointsQuery, access?: FeedAccess): FeedChunk {
    let series: string;
    try {
      series = canonicalSeriesKey(key);
    } catch (error) {
      throw new ApiError(400, 'invalid_feed_name', (error as Error).message);
    }
    // before the lookup, so that a forbidden series does not reveal whether it exists
    access?.checkSeries(series);
    const feed = this.retention.get(series);
    if (feed === undefined) throw new ApiError(404, 'feed_not_found', `no series ${JSON.stringify(series)}`);
    const from = query.from ?? -Infinity;
    const to = query.to ?? Infinity;
    if (from > to) {
      throw new ApiError(400, 'invalid_query', 'from must not be after to', [
        { field: 'from', reason: 'must not be after to' },
      ]);
    }
    let points = feed.readByTime(from, to);
    if (query.maxPoints !== undefined) points = downsampleMinMax(points, query.maxPoints);
    return { t: Array.from(points.t), v: Array.from(points.v) };
  }
}
