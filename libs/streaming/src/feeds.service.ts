import { Injectable } from '@nestjs/common';
import { ApiError, type FeedAccess } from '@pulseboard/api';
import { downsampleMinMax, Retention } from '@pulseboard/core';
import { feedNameProblem, parsePattern, patternMatches, type FeedChunk, type FeedInfo } from '@pulseboard/protocol';

export interface PointsQuery {
  from?: number;
  to?: number;
  maxPoints?: number;
}

/** Read side of retention for the HTTP API: feed listing and time-window queries. */
@Injectable()
export class FeedsService {
  constructor(private readonly retention: Retention) {}

  /** Feeds matching `match` (all when absent) and `allowed`, sorted by name, at most `limit`. */
  list(match: string | undefined, limit: number, allowed?: (name: string) => boolean): FeedInfo[] {
    const pattern = match === undefined ? undefined : parsePattern(match);
    const now = Date.now();
    const feeds: FeedInfo[] = [];
    for (const feed of this.retention.all()) {
      if (pattern !== undefined && !patternMatches(pattern, feed.segments)) continue;
      if (allowed !== undefined && !allowed(feed.name)) continue;
      feeds.push({ name: feed.name, rate: feed.rate(now), last: feed.last(), retained: feed.size });
    }
    feeds.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return feeds.length > limit ? feeds.slice(0, limit) : feeds;
  }

  /** Retained points of one feed with `from <= t <= to`, in arrival order, optionally downsampled. */
  points(name: string, query: PointsQuery, access?: FeedAccess): FeedChunk {
    const problem = feedNameProblem(name);
    if (problem !== undefined) throw new ApiError(400, 'invalid_feed_name', problem);
    // before the lookup, so that a forbidden name does not reveal whether the feed exists
    access?.checkSeries(name);
    const feed = this.retention.get(name);
    if (feed === undefined) throw new ApiError(404, 'feed_not_found', `no feed named ${JSON.stringify(name)}`);
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
