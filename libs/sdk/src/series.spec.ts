import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSelector, parseSeriesKey, selector, selectorProblem, seriesKey, type Labels } from './index.js';

/** Fixed, so every run checks the same inputs; a counterexample is printed with its seed and path. */
const RUN = { seed: 1_764_230_400, numRuns: 500 };

const segment = fc.stringMatching(/^[A-Za-z0-9_:-]{1,12}$/);
const name = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.'));
const labelKey = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/).filter((key) => !key.startsWith('__'));
/** Any code point, with the characters the key syntax must escape or could trip on, often. */
const labelValue = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
      fc.constantFrom('"', '\\', '\n', '}', ',', '{', '=', ' '),
    ),
    {
      minLength: 1,
      maxLength: 8,
    },
  )
  .map((parts) => parts.join(''));
const labels = fc.dictionary(labelKey, labelValue, { maxKeys: 6 });

describe('series keys', () => {
  it('reads back the name and labels it was built from, for any label values', () => {
    fc.assert(
      fc.property(name, labels, (n, l) => {
        const key = seriesKey(n, l);
        expect(parseSeriesKey(key)).toEqual({ name: n, labels: l });
        // one series, one key: the key built from what was read is the same text
        expect(seriesKey(n, parseSeriesKey(key).labels)).toBe(key);
      }),
      RUN,
    );
  });

  it('writes keys sorted and escaped, and a series without labels as its name', () => {
    expect(seriesKey('cpu.usage', { region: 'eu', host: 'a' })).toBe('cpu.usage{host="a",region="eu"}');
    expect(seriesKey('cpu.usage', {})).toBe('cpu.usage');
    expect(seriesKey('cpu.usage')).toBe('cpu.usage');
    const tricky: Labels = { path: 'C:\\temp "x"\n}, y' };
    expect(seriesKey('disk.free', tricky)).toBe('disk.free{path="C:\\\\temp \\"x\\"\\n}, y"}');
    expect(parseSeriesKey('disk.free{path="C:\\\\temp \\"x\\"\\n}, y"}')).toEqual({
      name: 'disk.free',
      labels: tricky,
    });
    expect(parseSeriesKey('cpu.usage')).toEqual({ name: 'cpu.usage', labels: {} });
  });

  it('refuses text that is not a series key', () => {
    for (const bad of ['cpu{host="a"', 'cpu{host=a}', 'a..b', 'cpu{host="a",host="b"}', 'cpu{__name__="x"}']) {
      expect(() => parseSeriesKey(bad), bad).toThrow(TypeError);
    }
  });
});

describe('selector', () => {
  it('builds canonical selector text from a pattern and label matchers', () => {
    expect(selector('cpu.usage')).toBe('cpu.usage');
    expect(selector('cpu.usage', { host: 'h1' })).toBe('cpu.usage{host="h1"}');
    expect(selector('*.usage', { region: { op: '=~', value: 'eu-.*' }, env: { op: '!=', value: 'test' } })).toBe(
      '*.usage{env!="test",region=~"eu-.*"}',
    );
    expect(
      selector('>', {
        host: [
          { op: '!=', value: 'a' },
          { op: '!=', value: 'b' },
        ],
      }),
    ).toBe('>{host!="a",host!="b"}');
  });

  it('escapes values, so any value matches itself', () => {
    fc.assert(
      fc.property(name, labelKey, labelValue, (n, key, value) => {
        const text = selector(n, { [key]: value });
        expect(selectorProblem(text)).toBeUndefined();
        expect(parseSelector(text).matchers).toEqual([{ label: key, op: '=', value }]);
      }),
      RUN,
    );
  });

  it('throws TypeError for what is not a selector', () => {
    expect(() => selector('a..b')).toThrow(TypeError);
    expect(() => selector('cpu', { 'not-a-key': 'x' })).toThrow(TypeError);
    expect(() => selector('cpu{host="a"}')).toThrow(TypeError);
  });
});
