import { isFeedName, parsePattern, patternCovers, patternMatches, type FeedPattern } from '@pulseboard/protocol';
import { ApiError } from './api-error.js';

/** Most feed patterns a token may list. */
export const MAX_TOKEN_FEEDS = 100;

/**
 * The feeds a principal may touch, from its token's `feeds` claim (patterns;
 * `[">"]` when absent). A subscription must fall within one allowed pattern;
 * a point's feed must match one.
 */
export class FeedAccess {
  /** Every feed. */
  static readonly ALL = new FeedAccess(['>']);

  readonly patterns: readonly string[];
  private readonly parsed: readonly FeedPattern[];
  private readonly everything: boolean;

  constructor(patterns: readonly string[]) {
    this.patterns = [...patterns];
    this.parsed = patterns.map((pattern) => parsePattern(pattern));
    this.everything = patterns.includes('>');
  }

  get all(): boolean {
    return this.everything;
  }

  /** Whether the feed `name` may be read or written. */
  allowsName(name: string): boolean {
    if (this.everything) return true;
    if (!isFeedName(name)) return false;
    const segments = name.split('.');
    return this.parsed.some((pattern) => patternMatches(pattern, segments));
  }

  /** Whether everything `pattern` matches may be read. */
  covers(pattern: string): boolean {
    return this.everything || this.patterns.some((allowed) => patternCovers(allowed, pattern));
  }

  /** 403 `forbidden` naming the first of `patterns` reaching outside the allowed feeds. */
  checkSubscription(patterns: Iterable<string>): void {
    if (this.everything) return;
    for (const pattern of patterns) {
      if (!this.covers(pattern)) {
        throw new ApiError(
          403,
          'forbidden',
          `${JSON.stringify(pattern)} reaches beyond the feeds this token may read`,
          [{ field: 'feeds', reason: `${pattern} is not within ${this.patterns.join(', ')}` }],
        );
      }
    }
  }

  /** 403 `forbidden` unless the single feed `name` is allowed. */
  checkName(name: string): void {
    if (!this.allowsName(name)) {
      throw new ApiError(403, 'forbidden', `the feed ${JSON.stringify(name)} is not one this token may read`);
    }
  }
}
