import { labelsTest, parseSelector, problemOf, type Labels, type RegexTest, type Selector } from '@pulseboard/protocol';
import { RE2JS } from 're2js';

/** A selector with its regexes compiled: tests a series' labels (its name is matched by the pattern). */
export interface CompiledSelector extends Selector {
  /** Whether the series' labels satisfy every matcher. */
  matchesLabels(labels: Labels): boolean;
}

/** Distinct selectors kept compiled; past it, the oldest are compiled again when next used. */
const CACHE_SIZE = 10_000;
const cache = new Map<string, CompiledSelector>();

/**
 * Parses and compiles a selector, once per distinct text. Regexes use RE2's
 * syntax and semantics (as PromQL does) and run on re2js, an automaton that
 * takes time linear in the input whatever the pattern, so no selector can
 * stall the server. `.` matches any character, newlines included (as in
 * Prometheus 3). Throws `TypeError` with the reason when the selector or one
 * of its regexes is invalid.
 */
export function compileSelector(text: string): CompiledSelector {
  let compiled = cache.get(text);
  if (compiled === undefined) {
    const selector = parseSelector(text);
    compiled = cache.get(selector.source) ?? remember(selector.source, compile(selector));
    if (text !== selector.source) remember(text, compiled);
  }
  return compiled;
}

/** Keeps a compiled selector under `text`, forgetting the oldest past {@link CACHE_SIZE}. */
function remember(text: string, compiled: CompiledSelector): CompiledSelector {
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(text, compiled);
  return compiled;
}

/** Why `text` is not a selector the server can match, or `undefined` when it is one. */
export function compiledSelectorProblem(text: unknown): string | undefined {
  return problemOf(text, 'a selector must be a string', compileSelector);
}

function compile(selector: Selector): CompiledSelector {
  return { ...selector, matchesLabels: labelsTest(selector.matchers, regexTest) };
}

/**
 * Whether a whole value matches the regex: values that lack its literal
 * prefix (`web` of `web[0-9]+`) are refused without running the automaton,
 * which most values a selector meets do.
 */
function regexTest(source: string, label: string): RegexTest {
  const regex = compileRegex(label, source);
  const prefix = literalPrefix(source);
  if (prefix === '') return (value) => regex.matches(value);
  return (value) => value.startsWith(prefix) && regex.matches(value);
}

/** Characters that end a regex's literal prefix. */
const SYNTAX = new Set('\\.+*?()[]{}^$|');
/** Quantifiers, which make the character before them optional or repeated. */
const QUANTIFIERS = new Set('?*{');

/** The literal text every match starts with, or '' (a regex with a `|` anywhere has none, to stay simple). */
export function literalPrefix(source: string): string {
  if (source.includes('|')) return '';
  let end = 0;
  while (end < source.length && !SYNTAX.has(source[end])) end++;
  // `ab?` or `ab*`: the `b` may be absent
  if (end < source.length && QUANTIFIERS.has(source[end])) end--;
  return source.slice(0, Math.max(0, end));
}

function compileRegex(label: string, source: string): RE2JS {
  try {
    return RE2JS.compile(source, RE2JS.DOTALL);
  } catch (error) {
    throw new TypeError(`the regex for ${label} is invalid: ${(error as Error).message}`, { cause: error });
  }
}
