import { parsePattern, patternMatches, patternProblem, type FeedPattern } from '@pulseboard/protocol';

/** What the search box asks for. */
export type FeedSearch =
  | { kind: 'all' }
  | { kind: 'substring'; text: string }
  | { kind: 'pattern'; pattern: FeedPattern }
  | { kind: 'invalid'; problem: string };

/**
 * Reads the search box: text with `*` or `>` is a pattern (checked as the
 * server checks `match`), anything else a case-insensitive name substring.
 */
export function parseSearch(query: string): FeedSearch {
  const text = query.trim();
  if (text === '') return { kind: 'all' };
  if (!text.includes('*') && !text.includes('>')) return { kind: 'substring', text: text.toLowerCase() };
  const problem = patternProblem(text);
  return problem === undefined ? { kind: 'pattern', pattern: parsePattern(text) } : { kind: 'invalid', problem };
}

export function matchesSearch(search: FeedSearch, name: string): boolean {
  switch (search.kind) {
    case 'all':
      return true;
    case 'substring':
      return name.toLowerCase().includes(search.text);
    case 'pattern':
      return patternMatches(search.pattern, name.split('.'));
    case 'invalid':
      return false;
  }
}

/** The `match` to ask the server for: a pattern narrows the list there; a substring is matched here. */
export function serverMatch(search: FeedSearch): string | undefined {
  return search.kind === 'pattern' ? search.pattern.source : undefined;
}
