import { parsePattern, patternCovers, patternProblem, type FeedPattern } from './feed-name.js';
import {
  BraceReader,
  problemOf,
  escapeLabelValue,
  labelKeyProblem,
  LABEL_VALUE_MAX_BYTES,
  MAX_LABELS,
  type Labels,
} from './series.js';

/** Label matcher operators, with PromQL's meaning. */
export const MATCH_OPS = ['=', '!=', '=~', '!~'] as const;
export type MatchOp = (typeof MATCH_OPS)[number];

/**
 * One label matcher. A missing label reads as `""`; a regex (`=~`, `!~`)
 * matches the whole value.
 */
export interface LabelMatcher {
  readonly label: string;
  readonly op: MatchOp;
  readonly value: string;
}

/**
 * A name pattern (as in v1: names, `*` and a final `>`), optionally with
 * label matchers: `cpu.usage{host="h1"}`, `*.usage{region=~"eu-.*"}`,
 * `>{tenant="acme"}`.
 */
export interface Selector {
  /** The canonical text: the pattern, then the matchers sorted and unique. */
  readonly source: string;
  readonly pattern: FeedPattern;
  readonly matchers: readonly LabelMatcher[];
}

/** Longest selector accepted, in characters. */
export const SELECTOR_MAX_LENGTH = 4096;

/**
 * Reads a selector; throws `TypeError` with the reason when it is not one.
 * Regexes are checked for syntax only here; the server compiles them.
 */
export function parseSelector(text: string): Selector {
  if (text.length > SELECTOR_MAX_LENGTH)
    throw new TypeError(`a selector must be at most ${SELECTOR_MAX_LENGTH} characters`);
  const brace = text.indexOf('{');
  const patternText = brace === -1 ? text : text.slice(0, brace);
  const problem = patternProblem(patternText);
  if (problem !== undefined) throw new TypeError(problem);
  const pattern = parsePattern(patternText);
  if (brace === -1) return { source: text, pattern, matchers: [] };
  const reader = new BraceReader(text, brace + 1);
  const matchers: LabelMatcher[] = [];
  while (!reader.closes()) {
    const label = reader.labelKey();
    const keyProblem = labelKeyProblem(label);
    if (keyProblem !== undefined) throw new TypeError(keyProblem);
    const op = reader.expect('=~', '!~', '!=', '=');
    const value = reader.quoted();
    if (value.length > LABEL_VALUE_MAX_BYTES) {
      throw new TypeError(`the value for ${label} must be at most ${LABEL_VALUE_MAX_BYTES} characters`);
    }
    matchers.push({ label, op, value });
    if (matchers.length > MAX_LABELS * 2) throw new TypeError(`a selector may have at most ${MAX_LABELS * 2} matchers`);
    reader.separator();
  }
  reader.end();
  const unique = uniqueMatchers(matchers);
  return { source: formatSelector(pattern.source, unique), pattern, matchers: unique };
}

/** Why `text` is not a selector, or `undefined` when it is one (regexes checked for syntax only). */
export function selectorProblem(text: unknown): string | undefined {
  return problemOf(text, 'a selector must be a string', parseSelector);
}

/** The canonical text of a selector: `pattern{label op "value",…}`, matchers in order. */
export function formatSelector(pattern: string, matchers: readonly LabelMatcher[]): string {
  if (matchers.length === 0) return pattern;
  return `${pattern}{${matchers.map((m) => `${m.label}${m.op}"${escapeLabelValue(m.value)}"`).join(',')}}`;
}

/**
 * Splits a `feeds=` list at its commas, except those inside braces or
 * quotes, which belong to a selector: `a.b,cpu{host=~"a|b",dc="x"}` is two.
 */
export function splitSelectorList(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = depth > 0;
    else if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(list.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(list.slice(start));
  return parts;
}

/** Whether a whole label value matches a regex. */
export type RegexTest = (value: string) => boolean;

/**
 * Whether a label set satisfies every matcher, with PromQL's meaning: a
 * missing label reads as `""`, `=`/`!=` compare the value, a regex must match
 * the whole value. `compileRegex` supplies the regex engine (the server's
 * linear-time one; the browser's own), called once per regex matcher; a
 * regex it cannot judge (`undefined`) lets every value through.
 */
export function labelsTest(
  matchers: readonly LabelMatcher[],
  compileRegex: (source: string, label: string) => RegexTest | undefined,
): (labels: Labels) => boolean {
  if (matchers.length === 0) return () => true;
  const tests = matchers.map(({ label, op, value }): ((actual: string) => boolean) => {
    switch (op) {
      case '=':
        return (actual) => actual === value;
      case '!=':
        return (actual) => actual !== value;
      case '=~':
        return compileRegex(value, label) ?? (() => true);
      case '!~': {
        const matches = compileRegex(value, label);
        return matches === undefined ? () => true : (actual) => !matches(actual);
      }
    }
  });
  return (labels) => {
    for (let i = 0; i < tests.length; i++) {
      const label = matchers[i].label;
      if (!tests[i](Object.hasOwn(labels, label) ? labels[label] : '')) return false;
    }
    return true;
  };
}

/** Whether every series `inner` matches is also matched by `outer`, judged conservatively. */
export function selectorCovers(outer: Selector, inner: Selector): boolean {
  if (!patternCovers(outer.pattern.source, inner.pattern.source)) return false;
  // each of outer's matchers must be one of inner's: inner can only narrow
  return outer.matchers.every((m) =>
    inner.matchers.some((n) => n.label === m.label && n.op === m.op && n.value === m.value),
  );
}

function uniqueMatchers(matchers: LabelMatcher[]): LabelMatcher[] {
  const byText = new Map<string, LabelMatcher>();
  for (const m of matchers) byText.set(`${m.label}\u0000${m.op}\u0000${m.value}`, m);
  return [...byText.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, m]) => m);
}
