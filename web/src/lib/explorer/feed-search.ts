import { selectorProblem, parseSelector, type Selector } from '@pulseboard/protocol';
import { selectorMatcher, type SeriesMatcher } from '../data/series-match';
import { seriesIdOf } from '../data/series-names';

/** What the search box asks for. */
export type FeedSearch =
  | { kind: 'all' }
  | { kind: 'substring'; text: string }
  | { kind: 'pattern'; selector: Selector; matches: SeriesMatcher }
  | { kind: 'invalid'; problem: string };

/**
 * Reads the search box: text with `*`, `>` or label matchers in braces is a
 * selector (checked as the server checks `match`; braces alone,
 * `{host="a"}`, stand for any name), anything else a case-insensitive
 * substring of the series key.
 */
export function parseSearch(query: string): FeedSearch {
  let text = query.trim();
  if (text === '') return { kind: 'all' };
  if (!/[*>{]/.test(text)) return { kind: 'substring', text: text.toLowerCase() };
  if (text.startsWith('{')) text = `>${text}`;
  const problem = selectorProblem(text);
  const matches = problem === undefined ? selectorMatcher(text) : undefined;
  if (matches === undefined) return { kind: 'invalid', problem: problem ?? 'not a selector' };
  return { kind: 'pattern', selector: parseSelector(text), matches };
}

/** Whether the series under `key` (`cpu.usage{host="a"}`, or a name) is one the search asks for. */
export function matchesSearch(search: FeedSearch, key: string): boolean {
  switch (search.kind) {
    case 'all':
      return true;
    case 'substring':
      return key.toLowerCase().includes(search.text);
    case 'pattern':
      return search.matches(seriesIdOf(key));
    case 'invalid':
      return false;
  }
}

/**
 * The `match` to ask the server for: a selector's name pattern narrows the
 * list there; its label matchers, and substrings, are matched here.
 */
export function serverMatch(search: FeedSearch): string | undefined {
  if (search.kind !== 'pattern') return undefined;
  const pattern = search.selector.pattern.source;
  return pattern === '>' ? undefined : pattern;
}
