/** Longest accepted feed name, in characters. */
export const FEED_NAME_MAX_LENGTH = 200;

const SEGMENT = /^[A-Za-z0-9_\-:]+$/;
const FEED_ALPHABET = /^[A-Za-z0-9_\-:.]+$/;

/**
 * Why `name` is not a valid feed name, or `undefined` when it is one.
 * A feed name is 1–200 characters of `A-Z a-z 0-9 _ - : .` made of non-empty
 * dot-separated segments (`host1.cpu.user`).
 */
export function feedNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'feed must be a string';
  if (name.length === 0) return 'feed must not be empty';
  if (name.length > FEED_NAME_MAX_LENGTH) return `feed must be at most ${FEED_NAME_MAX_LENGTH} characters`;
  if (!FEED_ALPHABET.test(name)) return 'feed may only contain A-Z a-z 0-9 _ - : .';
  if (name.startsWith('.') || name.endsWith('.') || name.includes('..')) return 'feed segments must not be empty';
  return undefined;
}

export function isFeedName(name: unknown): name is string {
  return feedNameProblem(name) === undefined;
}

/**
 * A parsed subscription pattern. NATS-style: `*` matches exactly one segment,
 * `>` (last segment only) matches one or more trailing segments. A pattern
 * without wildcards is a plain feed name.
 */
export interface FeedPattern {
  readonly source: string;
  readonly segments: readonly string[];
  readonly wildcard: boolean;
}

/** Why `pattern` is not a valid feed name or pattern, or `undefined` when it is one. */
export function patternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string') return 'pattern must be a string';
  if (pattern.length === 0) return 'pattern must not be empty';
  if (pattern.length > FEED_NAME_MAX_LENGTH) return `pattern must be at most ${FEED_NAME_MAX_LENGTH} characters`;
  const segments = pattern.split('.');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment === '') return 'pattern segments must not be empty';
    if (segment === '*') continue;
    if (segment === '>') {
      if (i !== segments.length - 1) return "'>' may only be the last segment";
      continue;
    }
    if (!SEGMENT.test(segment)) return "pattern segments are feed-name characters, '*' or a final '>'";
  }
  return undefined;
}

/** Parses a feed name or pattern; throws `TypeError` with the reason when it is invalid. */
export function parsePattern(pattern: string): FeedPattern {
  const problem = patternProblem(pattern);
  if (problem !== undefined) throw new TypeError(problem);
  const segments = pattern.split('.');
  return { source: pattern, segments, wildcard: segments.some((s) => s === '*' || s === '>') };
}

/** Whether a feed name (given as its segments) matches a parsed pattern. */
export function patternMatches(pattern: FeedPattern, feedSegments: readonly string[]): boolean {
  const { segments } = pattern;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment === '>') return feedSegments.length > i;
    if (i >= feedSegments.length) return false;
    if (segment !== '*' && segment !== feedSegments[i]) return false;
  }
  return segments.length === feedSegments.length;
}

/**
 * Whether every feed name `inner` matches is also matched by `outer` (both
 * valid patterns): `host1.>` covers `host1.cpu.*` and `host1.cpu`, but not `>`
 * or `*.cpu`. Used to decide whether a subscription stays within what a token
 * may read.
 */
export function patternCovers(outer: string, inner: string): boolean {
  const o = outer.split('.');
  const i = inner.split('.');
  for (let k = 0; k < o.length; k++) {
    const segment = o[k];
    // `>` takes one or more segments, and whatever `inner` has left is at least one
    if (segment === '>') return k < i.length;
    if (k >= i.length) return false;
    const own = i[k];
    // `inner`'s `>` spans any number of segments; nothing but `>` covers that
    if (own === '>') return false;
    if (segment === '*') continue;
    if (own !== segment) return false;
  }
  return o.length === i.length;
}
