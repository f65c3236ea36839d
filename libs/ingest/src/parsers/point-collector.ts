import { PointBatchBuilder } from '@pulseboard/core';
import { labelsProblem, unlabelledPointProblem, type ErrorDetail, type Labels } from '@pulseboard/protocol';
import type { ParseOptions, ParseResult } from './parse-result.js';
import { SeriesKeys } from './series-keys.js';

/**
 * Validates decoded JSON points one by one into a batch of series keys,
 * collecting at most `maxDetails` reasons for bad ones; shared by the JSON and
 * NDJSON parsers. A point's reason is the one `pointProblem` gives.
 */
export class PointCollector {
  private readonly builder: PointBatchBuilder;
  private readonly seriesKeys = new SeriesKeys();
  private readonly details: ErrorDetail[] = [];
  private bad = 0;

  constructor(
    private readonly options: ParseOptions,
    expected: number,
  ) {
    this.builder = new PointBatchBuilder(expected);
  }

  /** Adds a decoded point, or records why it is invalid. */
  add(raw: unknown, index: number, line?: number): void {
    const problem = unlabelledPointProblem(raw);
    if (problem !== undefined) {
      this.reject(problem, index, line);
      return;
    }
    const point = raw as { feed: string; labels?: unknown; t?: number; v: number };
    let series = point.feed;
    if (point.labels !== undefined) {
      // a label set met before in this batch was valid then
      const known = this.seriesKeys.find(point.feed, point.labels);
      const labels = known === undefined ? labelsProblem(point.labels) : undefined;
      if (labels !== undefined) {
        this.reject(labels, index, line);
        return;
      }
      series = known ?? this.seriesKeys.add(point.feed, point.labels as Labels);
    }
    if (this.bad === 0) this.builder.add(series, point.t ?? this.options.now, point.v);
  }

  reject(reason: string, index: number, line?: number): void {
    this.bad++;
    if (this.details.length < this.options.maxDetails) {
      this.details.push(line === undefined ? { index, reason } : { index, line, reason });
    }
  }

  result(): ParseResult {
    if (this.bad === 0) return { ok: true, batch: this.builder.build(), ignored: [] };
    const shown = this.details.length < this.bad ? ` (first ${this.details.length} listed)` : '';
    return {
      ok: false,
      code: 'invalid_points',
      message: `${this.bad} invalid point${this.bad === 1 ? '' : 's'}; nothing was stored${shown}`,
      details: this.details,
    };
  }
}

export function tooManyPoints(maxPoints: number): ParseResult {
  return { ok: false, code: 'too_many_points', message: `more than ${maxPoints} points in one batch`, details: [] };
}
