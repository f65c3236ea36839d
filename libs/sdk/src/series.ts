import { formatSelector, parseSelector, type LabelMatcher, type MatchOp } from '@pulseboard/protocol';

export {
  labelsProblem,
  parseSelector,
  parseSeriesKey,
  selectorProblem,
  seriesKey,
  seriesKeyProblem,
  MATCH_OPS,
} from '@pulseboard/protocol';
export type { Labels, LabelMatcher, MatchOp, SeriesId, Selector as ParsedSelector } from '@pulseboard/protocol';

/**
 * The text of a selector that {@link selector} built and checked: a name
 * pattern with optional label matchers (`cpu.usage{host="h1"}`). Wherever the
 * SDK takes feeds it takes plain strings too; this type marks text known to
 * be well formed.
 */
export type Selector = string & { readonly __selector: true };

/** What one label must be: a value it equals, or a value with an operator (`=~` and `!~` take a regex). */
export type LabelMatch = string | { readonly op: MatchOp; readonly value: string };

/** Label matchers by label; several for one label all apply (`{ host: [{ op: '!=', value: 'a' }, …] }`). */
export type SelectorMatchers = Readonly<Record<string, LabelMatch | readonly LabelMatch[]>>;

/**
 * Builds a selector from a name pattern and label matchers, in canonical
 * form (matchers sorted): `selector('cpu.usage', { host: 'h1' })` is
 * `cpu.usage{host="h1"}`, `selector('*.usage', { region: { op: '=~', value: 'eu-.*' } })`
 * is `*.usage{region=~"eu-.*"}`. Values are escaped as the selector syntax
 * needs. Throws `TypeError` with the reason when the result is not a
 * selector (a bad pattern or label key); regexes are checked for syntax by
 * the server.
 */
export function selector(pattern: string, matchers: SelectorMatchers = {}): Selector {
  if (pattern.includes('{')) throw new TypeError(`${pattern}: pass label matchers as the second argument`);
  const list: LabelMatcher[] = [];
  for (const [label, match] of Object.entries(matchers)) {
    for (const one of Array.isArray(match) ? (match as readonly LabelMatch[]) : [match as LabelMatch]) {
      list.push(typeof one === 'string' ? { label, op: '=', value: one } : { label, op: one.op, value: one.value });
    }
  }
  return parseSelector(formatSelector(pattern, list)).source as Selector;
}
