import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatSelector,
  parseSelector,
  selectorCovers,
  selectorProblem,
  splitSelectorList,
  type LabelMatcher,
} from './selector.js';

const label = fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/).filter((k) => !k.startsWith('__'));
const value = fc.string({ maxLength: 12 }).map((s) => s.replace(/[\ud800-\udfff]/g, ''));
const matcher = fc.record({
  label,
  op: fc.constantFrom('=' as const, '!=' as const, '=~' as const, '!~' as const),
  value,
});
const pattern = fc.constantFrom('cpu', 'cpu.usage', '*.usage', 'host1.>', '>', 'a.*.c');

describe('selectors', () => {
  it('round-trips: the canonical text parses back to the same selector', () => {
    fc.assert(
      fc.property(pattern, fc.array(matcher, { maxLength: 6 }), (p, matchers) => {
        const selector = parseSelector(formatSelector(p, matchers));
        expect(parseSelector(selector.source)).toEqual(selector);
        expect(selector.pattern.source).toBe(p);
        const unique = new Set(matchers.map((m) => JSON.stringify([m.label, m.op, m.value])));
        expect(selector.matchers.length).toBe(unique.size);
      }),
    );
  });

  it('has one canonical text whatever order the matchers come in', () => {
    fc.assert(
      fc.property(pattern, fc.array(matcher, { maxLength: 6 }), (p, matchers: LabelMatcher[]) => {
        expect(parseSelector(formatSelector(p, [...matchers].reverse())).source).toBe(
          parseSelector(formatSelector(p, matchers)).source,
        );
      }),
    );
  });

  it('reads matchers with spaces, every operator and escapes', () => {
    const selector = parseSelector('*.usage{ region =~ "eu-.*", env!="te\\"st", host!~"a|b", dc="x" }');
    expect(selector.pattern.source).toBe('*.usage');
    expect(selector.matchers).toEqual([
      { label: 'dc', op: '=', value: 'x' },
      { label: 'env', op: '!=', value: 'te"st' },
      { label: 'host', op: '!~', value: 'a|b' },
      { label: 'region', op: '=~', value: 'eu-.*' },
    ]);
    expect(selector.source).toBe('*.usage{dc="x",env!="te\\"st",host!~"a|b",region=~"eu-.*"}');
    expect(parseSelector('cpu{}').source).toBe('cpu');
  });

  it.each([
    ['cpu{host}', "'=~' or '!~' or '!=' or '=' expected at character 9"],
    ['cpu{host=="a"}', 'a quoted value is expected at character 10'],
    ['cpu{9x="a"}', 'label key "9x" must match [A-Za-z_][A-Za-z0-9_]*'],
    ['a..b{x="1"}', 'pattern segments must not be empty'],
    ['>.a{x="1"}', "'>' may only be the last segment"],
  ])('refuses %s', (text, reason) => {
    expect(selectorProblem(text)).toBe(reason);
  });

  it('splits a feeds list at commas outside braces and quotes', () => {
    expect(splitSelectorList('a.b,cpu{host=~"a|b",dc="x"},c.>,d{v="x,}y"}')).toEqual([
      'a.b',
      'cpu{host=~"a|b",dc="x"}',
      'c.>',
      'd{v="x,}y"}',
    ]);
    expect(splitSelectorList('')).toEqual(['']);
  });

  it('covers a selector that narrows the pattern and keeps every matcher', () => {
    const tenant = parseSelector('>{tenant="acme"}');
    expect(selectorCovers(tenant, parseSelector('cpu.usage{host="a",tenant="acme"}'))).toBe(true);
    expect(selectorCovers(tenant, parseSelector('>{tenant="acme"}'))).toBe(true);
    expect(selectorCovers(tenant, parseSelector('cpu.usage'))).toBe(false);
    expect(selectorCovers(tenant, parseSelector('>{tenant=~"acme"}'))).toBe(false);
    expect(selectorCovers(parseSelector('host1.>'), parseSelector('host1.cpu{a="b"}'))).toBe(true);
    expect(selectorCovers(parseSelector('host1.>'), parseSelector('*.cpu'))).toBe(false);
  });
});
