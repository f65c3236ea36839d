import { compileSelector, type CompiledSelector } from '@pulseboard/core';
import { parseSeriesKey, patternMatches, selectorCovers, type SeriesId } from '@pulseboard/protocol';
import { ApiError } from './api-error.js';

/** Most selectors a token may list. */
export const MAX_TOKEN_FEEDS = 100;

/**
 * The series a principal may touch, from its token's `feeds` claim
 * (selectors; `[">"]` when absent), so a label can scope a tenant:
 * `>{tenant="acme"}`. A subscription must fall within one allowed selector;
 * a point's series must match one.
 */
export class FeedAccess {
  /** Every series. */
  static readonly ALL = new FeedAccess(['>']);

  /** The claim as given. */
  readonly patterns: readonly string[];
  private readonly selectors: readonly CompiledSelector[];
  private readonly everything: boolean;

  constructor(selectors: readonly string[]) {
    this.patterns = [...selectors];
    this.selectors = selectors.map((selector) => compileSelector(selector));
    this.everything = this.selectors.some((s) => s.pattern.source === '>' && s.matchers.length === 0);
  }

  get all(): boolean {
    return this.everything;
  }

  /** Whether the series may be read or written. */
  allows(series: SeriesId, segments: readonly string[] = series.name.split('.')): boolean {
    if (this.everything) return true;
    return this.selectors.some((s) => patternMatches(s.pattern, segments) && s.matchesLabels(series.labels));
  }

  /** Whether the series named by `key` (a series key) may be read or written; `false` for a malformed key. */
  allowsSeries(key: string): boolean {
    if (this.everything) return true;
    let series: SeriesId;
    try {
      series = parseSeriesKey(key);
    } catch {
      return false;
    }
    return this.allows(series);
  }

  /** Whether everything `selector` matches may be read: it narrows one allowed selector. */
  covers(selector: string): boolean {
    if (this.everything) return true;
    const inner = compileSelector(selector);
    return this.selectors.some((outer) => selectorCovers(outer, inner));
  }

  /** 403 `forbidden` naming the first of `selectors` reaching outside the allowed series. */
  checkSubscription(selectors: Iterable<string>): void {
    if (this.everything) return;
    for (const selector of selectors) {
      if (!this.covers(selector)) {
        throw new ApiError(
          403,
          'forbidden',
          `${JSON.stringify(selector)} reaches beyond the feeds this token may read`,
          [{ field: 'feeds', reason: `${selector} is not within ${this.patterns.join(', ')}` }],
        );
      }
    }
  }

  /** 403 `forbidden` unless the single series named by `key` is allowed. */
  checkSeries(key: string): void {
    if (!this.allowsSeries(key)) {
      throw new ApiError(403, 'forbidden', `the feed ${JSON.stringify(key)} is not one this token may read`);
    }
  }
}
