import fc from 'fast-check';
import { formatSelector, type LabelMatcher, type Labels } from '@pulseboard/protocol';
import { describe, expect, it } from 'vitest';
import { compiledSelectorProblem, compileSelector, literalPrefix } from './selector-matcher.js';

/**
 * PromQL's rules, written out plainly: a missing label reads as "", `=` and
 * `!=` compare the value, and a regex must match the whole value.
 */
function reference(matchers: readonly LabelMatcher[], labels: Labels): boolean {
  return matchers.every((m) => {
    const value = labels[m.label] ?? '';
    switch (m.op) {
      case '=':
        return value === m.value;
      case '!=':
        return value !== m.value;
      case '=~':
        return new RegExp(`^(?:${m.value})$`, 's').test(value);
      case '!~':
        return !new RegExp(`^(?:${m.value})$`, 's').test(value);
    }
  });
}

const labelNames = ['host', 'dc', 'env'];
const values = ['a', 'b', 'ab', 'eu-1', 'eu-west', 'x\ny', ''];
/** Regexes whose meaning is the same in RE2 and in JavaScript. */
const regexes = ['a', 'a|b', 'a.*', '.*', '.+', 'eu-.*', '[ab]+', 'e?u-[0-9]', '(a|ab)b?', 'x.y', ''];
const labelSet = fc
  .array(fc.tuple(fc.constantFrom(...labelNames), fc.constantFrom(...values.filter((v) => v !== ''))), { maxLength: 3 })
  .map((pairs) => Object.fromEntries(pairs) as Labels);
const matcher = fc.oneof(
  fc.record({
    label: fc.constantFrom(...labelNames),
    op: fc.constantFrom('=' as const, '!=' as const),
    value: fc.constantFrom(...values),
  }),
  fc.record({
    label: fc.constantFrom(...labelNames),
    op: fc.constantFrom('=~' as const, '!~' as const),
    value: fc.constantFrom(...regexes),
  }),
);

describe('compiled selectors', () => {
  it('match label sets as PromQL does', () => {
    fc.assert(
      fc.property(fc.array(matcher, { maxLength: 4 }), labelSet, (matchers, labels) => {
        const selector = compileSelector(formatSelector('cpu', matchers));
        expect(selector.matchesLabels(labels)).toBe(reference(matchers, labels));
      }),
      { numRuns: 2000 },
    );
  });

  it('compile each distinct selector once', () => {
    expect(compileSelector('cpu{host=~"a.*"}')).toBe(compileSelector('cpu{host=~"a.*"}'));
    // written in another order, then in canonical form: the same compiled selector
    expect(compileSelector('cpu{z="1", a=~"b.*"}')).toBe(compileSelector('cpu{a=~"b.*",z="1"}'));
  });

  it('answer a regex built to make backtracking engines take exponential time', () => {
    const selector = compileSelector('cpu{host=~"(a+)+$"}');
    expect(selector.matchesLabels({ host: `${'a'.repeat(1000)}!` })).toBe(false);
    expect(selector.matchesLabels({ host: 'aaaa' })).toBe(true);
  });

  it('refuse what RE2 cannot compile, naming the label', () => {
    expect(compiledSelectorProblem('cpu{host=~"("}')).toMatch(/^the regex for host is invalid: /);
    expect(compiledSelectorProblem('cpu{host=~"(a)\\\\1"}')).toMatch(/^the regex for host is invalid: .*escape/);
    expect(compiledSelectorProblem('cpu{host=~"a(?=b)"}')).toMatch(/^the regex for host is invalid: /);
    expect(compiledSelectorProblem('cpu{host=~"[a-f0-9]{32}"}')).toBeUndefined();
  });

  it('skip the automaton for values without the literal prefix every match starts with', () => {
    expect(['web[0-9]+', 'ab?c', 'abc*', 'ab+', 'a|b', '(?i)web', '.*', 'x\\.y', 'eu-.*'].map(literalPrefix)).toEqual([
      'web',
      'a',
      'ab',
      'ab',
      '',
      '',
      '',
      'x',
      'eu-',
    ]);
    const selector = compileSelector('cpu{host=~"ab?c"}');
    expect(['ac', 'abc', 'abbc', 'bc'].map((host) => selector.matchesLabels({ host }))).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});
