import {
  labelsTest,
  parseSelector,
  parseSeriesKey,
  patternMatches,
  type RegexTest,
  type Selector,
  type SeriesId,
} from '@pulseboard/protocol';

/** Whether a series (its name and labels) is one a selector names. */
export type SeriesMatcher = (series: SeriesId) => boolean;

/** Distinct texts kept parsed; past it the cache starts over (a page names far fewer). */
const CACHE_LIMIT = 4096;

const matchers = new Map<string, SeriesMatcher | undefined>();
const keys = new Map<string, SeriesId | undefined>();

/**
 * The matcher of a selector, compiled once per distinct text, or `undefined`
 * when `text` is not a selector. The server routes series with RE2
 * (`re2js`); the page routes what the server sent among its panels with
 * the browser's own `RegExp`, which reads the regexes people write
 * (`a|b`, `eu-.*`, `[0-9]+`) the same way, so the bundle carries no regex
 * engine. A regex the browser cannot compile is left to the server: it
 * matches every value here, since the server only sends what it matched.
 */
export function selectorMatcher(text: string): SeriesMatcher | undefined {
  if (matchers.has(text)) return matchers.get(text);
  const matcher = compile(text);
  remember(matchers, text, matcher);
  return matcher;
}

/** The name and labels of a series key, or `undefined` when `key` is not one; parsed once per distinct key. */
export function seriesOf(key: string): SeriesId | undefined {
  if (keys.has(key)) return keys.get(key);
  let series: SeriesId | undefined;
  try {
    series = parseSeriesKey(key);
  } catch {
    series = undefined;
  }
  remember(keys, key, series);
  return series;
}

/** Whether the series under `key` is one `selector` names (an unreadable key only matches its own text). */
export function keyMatches(selector: string, key: string): boolean {
  const series = seriesOf(key);
  if (series === undefined) return selector === key;
  return selectorMatcher(selector)?.(series) ?? false;
}

function compile(text: string): SeriesMatcher | undefined {
  let selector: Selector;
  try {
    selector = parseSelector(text);
  } catch {
    return undefined;
  }
  const { pattern } = selector;
  const labels = labelsTest(selector.matchers, browserRegex);
  return (series) => patternMatches(pattern, series.name.split('.')) && labels(series.labels);
}

/** A regex the browser cannot compile is left to the server, which only sends what it matched. */
function browserRegex(source: string): RegexTest | undefined {
  const regex = wholeValueRegex(source);
  return regex === undefined ? undefined : (value) => regex.test(value);
}

/**
 * A regex that must match the whole value, as PromQL's do; `.` matches
 * newlines too (Prometheus 3). A leading `(?i)` (RE2's case-insensitive flag)
 * becomes the `i` flag.
 */
export function wholeValueRegex(source: string): RegExp | undefined {
  const insensitive = source.startsWith('(?i)');
  try {
    return new RegExp(`^(?:${insensitive ? source.slice(4) : source})$`, insensitive ? 'si' : 's');
  } catch {
    return undefined;
  }
}

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
}
