import { Injectable } from '@nestjs/common';
import { ApiError, type FeedAccess } from '@pulseboard/api';
import { compileSelector, downsampleMinMax, Retention, type Feed } from '@pulseboard/core';
import {
  canonicalSeriesKey,
  parseSeriesKey,
  patternMatches,
  type FeedChunk,
  type FeedInfo,
  type SeriesId,
} from '@pulseboard/protocol';

export interface PointsQuery {
  from?: number;
  to?: number;
  maxPoints?: number;
}

/** A retained series named by its parts. */
interface RetainedSeries extends SeriesId {
  readonly key: string;
  readonly segments: readonly string[];
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
      const series = seriesOf(feed);
      if (
        selector !== undefined &&
        !(patternMatches(selector.pattern, series.segments) && selector.matchesLabels(series.labels))
      ) {
        continue;
      }
      if (readable !== undefined && !readable.allows(series, series.segments)) continue;
      feeds.push({
        series: series.key,
        name: series.name,
        labels: series.labels,
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

/** The series a retained feed holds (retention names each feed by its series key). */
function seriesOf(feed: Feed): RetainedSeries {
  const { name, labels } = parseSeriesKey(feed.name);
  return { key: feed.name, name, labels, segments: name.split('.') };
}
