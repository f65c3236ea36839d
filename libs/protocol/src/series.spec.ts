import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalSeriesKey,
  labelsProblem,
  LABEL_VALUE_MAX_BYTES,
  MAX_LABELS,
  parseSeriesKey,
  seriesKey,
  seriesKeyProblem,
} from './series.js';

const labelKey = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,20}$/).filter((k) => !k.startsWith('__'));
/** Values with what a key must escape or must not be confused by: quotes, backslashes, newlines, braces, commas, non-ASCII. */
const labelValue = fc
  .array(
    fc.oneof(
      fc.constantFrom('"', '\\', '\n', '}', '{', ',', '=', ' ', 'é', '日本', '🙂'),
      fc.string({ minLength: 1, maxLength: 4 }),
    ),
    {
      minLength: 1,
      maxLength: 8,
    },
  )
  .map((parts) => parts.join(''));
const labels = fc.dictionary(labelKey, labelValue, { maxKeys: 8 });
const name = fc.stringMatching(/^[A-Za-z0-9_:-]{1,8}(\.[A-Za-z0-9_:-]{1,8}){0,3}$/);

describe('series keys', () => {
  it('round-trips any name and labels through the key', () => {
    fc.assert(
      fc.property(name, labels, (n, l) => {
        const key = seriesKey(n, l);
        expect(parseSeriesKey(key)).toEqual({ name: n, labels: l });
        expect(canonicalSeriesKey(key)).toBe(key);
      }),
    );
  });

  it('gives one key per series, whatever order the labels come in', () => {
    fc.assert(
      fc.property(name, labels, (n, l) => {
        const reversed = Object.fromEntries(Object.entries(l).reverse());
        expect(seriesKey(n, reversed)).toBe(seriesKey(n, l));
      }),
    );
  });

  it('is the name alone without labels, and escapes values as the Prometheus text format does', () => {
    expect(seriesKey('cpu.usage')).toBe('cpu.usage');
    expect(seriesKey('cpu.usage', {})).toBe('cpu.usage');
    expect(seriesKey('cpu.usage', { region: 'eu', host: 'h1' })).toBe('cpu.usage{host="h1",region="eu"}');
    expect(seriesKey('m', { v: 'a"b\\c\nd' })).toBe('m{v="a\\"b\\\\c\\nd"}');
  });

  it('tells the collisions of v1 apart', () => {
    expect(seriesKey('coll.v', { host: 'a' })).not.toBe(seriesKey('coll.v', { dc: 'a' }));
    expect(seriesKey('m.v', { host: 'web1.example.com', region: 'eu' })).not.toBe(
      seriesKey('m.v', { host: 'web1', region: 'example.com.eu' }),
    );
  });

  it('reads a key written by hand in any label order into its canonical form', () => {
    expect(canonicalSeriesKey('cpu{region="eu", host="h1"}')).toBe('cpu{host="h1",region="eu"}');
  });

  it.each([
    ['cpu{host="a"', "',' or '}' expected at character 13"],
    ['cpu{host="a",', "labels must end with '}'"],
    ['cpu{host=a}', 'a quoted value is expected at character 10'],
    ['cpu{host="a",host="b"}', 'label host appears twice'],
    ['cpu{__name__="x"}', 'label key "__name__" is reserved (keys starting with __)'],
    ['cpu{host=""}', 'label host must not be empty'],
    ['cpu{host="\\t"}', 'unknown escape \\t at character 11'],
    ['cpu{host="a"}x', "unexpected text after '}' at character 14"],
    ['cpu..x{a="1"}', 'feed segments must not be empty'],
  ])('refuses %s: %s', (key, reason) => {
    expect(seriesKeyProblem(key)).toBe(reason);
  });
});

describe('labels', () => {
  it('accepts up to the limits and refuses past them', () => {
    expect(labelsProblem({ host: 'a', region: 'é'.repeat(LABEL_VALUE_MAX_BYTES / 2) })).toBeUndefined();
    expect(labelsProblem({ host: 'é'.repeat(LABEL_VALUE_MAX_BYTES / 2 + 1) })).toBe(
      'label host must be at most 1024 bytes',
    );
    const many = Object.fromEntries(Array.from({ length: MAX_LABELS + 1 }, (_, i) => [`k${i}`, 'v']));
    expect(labelsProblem(many)).toBe('a series may have at most 32 labels');
    expect(labelsProblem({ 'bad-key': 'v' })).toBe('label key "bad-key" must match [A-Za-z_][A-Za-z0-9_]*');
    expect(labelsProblem({ host: 1 })).toBe('label host must be a string');
    expect(labelsProblem({ host: '\ud800' })).toBe('label host must be valid UTF-8');
    expect(labelsProblem(['a'])).toBe('labels must be an object');
  });
});
