import { describe, expect, it } from 'vitest';
import { parseJsonPoints } from './json-points.parser.js';
import { parseNdjsonPoints } from './ndjson-points.parser.js';
import type { ParseOptions, ParseResult } from './parse-result.js';

const options: ParseOptions = { now: 5000, maxPoints: 100, maxDetails: 3 };

function batch(result: ParseResult) {
  if (!result.ok) throw new Error(`expected success, got ${result.code}: ${result.message}`);
  return { feeds: [...result.batch.feeds], t: [...result.batch.t], v: [...result.batch.v] };
}

function failure(result: ParseResult) {
  if (result.ok) throw new Error('expected failure');
  return result;
}

describe('parseJsonPoints', () => {
  it('reads points in order and stamps missing t with now', () => {
    const body = JSON.stringify({
      points: [
        { feed: 'a.b', t: 1, v: 2 },
        { feed: 'c', v: -0.5, extra: true },
      ],
    });
    expect(batch(parseJsonPoints(body, options))).toEqual({ feeds: ['a.b', 'c'], t: [1, 5000], v: [2, -0.5] });
  });

  it('accepts an empty batch', () => {
    expect(batch(parseJsonPoints('{"points":[]}', options)).feeds).toEqual([]);
  });

  it('names every bad point up to maxDetails and counts them all', () => {
    const points = [{ feed: 'ok', v: 1 }, ...Array.from({ length: 5 }, () => ({ feed: 'ok', v: null }))];
    const result = failure(parseJsonPoints(JSON.stringify({ points }), options));
    expect(result.code).toBe('invalid_points');
    expect(result.details).toEqual([
      { index: 1, reason: 'v must be a number' },
      { index: 2, reason: 'v must be a number' },
      { index: 3, reason: 'v must be a number' },
    ]);
    expect(result.message).toBe('5 invalid points; nothing was stored (first 3 listed)');
  });

  it('tells malformed JSON from a wrong shape', () => {
    expect(failure(parseJsonPoints('{', options)).code).toBe('invalid_json');
    expect(failure(parseJsonPoints('null', options)).code).toBe('invalid_body');
    expect(failure(parseJsonPoints('{"points":"x"}', options)).code).toBe('invalid_body');
  });

  it('refuses more points than the limit before validating them', () => {
    const points = Array.from({ length: 101 }, () => ({ feed: 'a', v: 'bad' }));
    expect(failure(parseJsonPoints(JSON.stringify({ points }), options)).code).toBe('too_many_points');
  });
});

describe('labels on JSON points', () => {
  const parse = (points: unknown[]) => parseJsonPoints(JSON.stringify({ points }), options);

  it('puts each point in the series of its feed and labels, keys sorted, whatever order they came in', () => {
    const result = parse([
      { feed: 'cpu.usage', labels: { region: 'eu', host: 'h1' }, t: 1, v: 1 },
      { feed: 'cpu.usage', labels: { host: 'h1', region: 'eu' }, t: 2, v: 2 },
      { feed: 'cpu.usage', labels: { host: 'h2', region: 'eu' }, t: 3, v: 3 },
      { feed: 'cpu.usage', labels: {}, t: 4, v: 4 },
      { feed: 'cpu.usage', t: 5, v: 5 },
    ]);
    expect(batch(result)).toEqual({
      feeds: [
        'cpu.usage{host="h1",region="eu"}',
        'cpu.usage{host="h1",region="eu"}',
        'cpu.usage{host="h2",region="eu"}',
        'cpu.usage',
        'cpu.usage',
      ],
      t: [1, 2, 3, 4, 5],
      v: [1, 2, 3, 4, 5],
    });
  });

  it('tells apart label sets that differ in the feed, one key or one value', () => {
    const labels = [{ a: 'x' }, { b: 'x' }, { a: 'y' }, { a: 'x', b: 'x' }, { a: 'x' }];
    const result = parse([
      ...labels.map((l) => ({ feed: 'm', labels: l, v: 1 })),
      { feed: 'n', labels: { a: 'x' }, v: 1 },
    ]);
    expect(batch(result).feeds).toEqual(['m{a="x"}', 'm{b="x"}', 'm{a="y"}', 'm{a="x",b="x"}', 'm{a="x"}', 'n{a="x"}']);
  });

  it('escapes quotes, backslashes and newlines in values and keeps any other character', () => {
    const result = parse([
      { feed: 'm', labels: { q: 'say "hi"', b: 'C:\\temp\\', n: 'a\nb', u: 'küche 🚀 }{,=' }, v: 1 },
    ]);
    expect(batch(result).feeds).toEqual(['m{b="C:\\\\temp\\\\",n="a\\nb",q="say \\"hi\\"",u="küche 🚀 }{,="}']);
  });

  it.each([
    [null, 'labels must be an object'],
    ['host=h1', 'labels must be an object'],
    [[['host', 'h1']], 'labels must be an object'],
    [{ host: 1 }, 'label host must be a string'],
    [{ host: null }, 'label host must be a string'],
    [{ host: '' }, 'label host must not be empty'],
    [{ host: 'x'.repeat(1025) }, 'label host must be at most 1024 bytes'],
    [{ host: 'é'.repeat(513) }, 'label host must be at most 1024 bytes'],
    [{ 'host-name': 'a' }, 'label key "host-name" must match [A-Za-z_][A-Za-z0-9_]*'],
    [{ '1host': 'a' }, 'label key "1host" must match [A-Za-z_][A-Za-z0-9_]*'],
    [{ '': 'a' }, 'label keys must not be empty'],
    [{ __tenant: 'a' }, 'label key "__tenant" is reserved (keys starting with __)'],
    [{ ['k'.repeat(129)]: 'a' }, 'label keys must be at most 128 characters'],
    [Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])), 'a series may have at most 32 labels'],
  ])('refuses the labels %j, storing nothing: %s', (labels, reason) => {
    const result = failure(
      parse([
        { feed: 'ok', labels: { host: 'h1' }, v: 1 },
        { feed: 'm', labels, v: 1 },
      ]),
    );
    expect(result.code).toBe('invalid_points');
    expect(result.details).toEqual([{ index: 1, reason }]);
  });

  it('accepts the limits exactly: 32 labels, a 128-character key, a value of 1024 bytes', () => {
    const many = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'v']));
    const long = { ['k'.repeat(128)]: 'é'.repeat(512) };
    const result = batch(
      parse([
        { feed: 'm', labels: many, v: 1 },
        { feed: 'm', labels: long, v: 2 },
      ]),
    );
    expect(result.feeds[0]).toBe(
      `m{${Object.keys(many)
        .map((k) => `${k}="v"`)
        .join(',')}}`,
    );
    expect(result.feeds[1]).toBe(`m{${'k'.repeat(128)}="${'é'.repeat(512)}"}`);
  });

  it('refuses a bad label set on every point that repeats it', () => {
    const result = failure(parse([1, 2, 3].map((v) => ({ feed: 'm', labels: { host: v === 2 ? 'ok' : '' }, v }))));
    expect(result.details.map((d) => d.index)).toEqual([0, 2]);
  });
});

describe('parseNdjsonPoints', () => {
  it('reads one point per line, skipping blank lines and tolerating CRLF', () => {
    const body = '{"feed":"a","t":1,"v":1}\r\n\r\n  {"feed":"b","v":2}  \n';
    expect(batch(parseNdjsonPoints(body, options))).toEqual({ feeds: ['a', 'b'], t: [1, 5000], v: [1, 2] });
  });

  it('names bad points by index and line', () => {
    const body = '{"feed":"a","v":1}\n\n{"feed":"a","v":"x"}\nnot json\n';
    const result = failure(parseNdjsonPoints(body, options));
    expect(result.details).toHaveLength(2);
    expect(result.details[0]).toEqual({ index: 1, line: 3, reason: 'v must be a number' });
    expect(result.details[1]).toMatchObject({ index: 2, line: 4 });
    expect(result.details[1].reason).toMatch(/^malformed JSON/);
  });

  it('refuses more points than the limit', () => {
    const body = Array.from({ length: 101 }, () => '{"feed":"a","v":1}').join('\n');
    expect(failure(parseNdjsonPoints(body, options)).code).toBe('too_many_points');
  });

  it('reads labels beside feed, and names a point with bad labels by index and line', () => {
    const body = '{"feed":"a","labels":{"host":"h1"},"v":1}\n\n{"feed":"a","labels":{"host":"h1"},"v":2}\n';
    expect(batch(parseNdjsonPoints(body, options)).feeds).toEqual(['a{host="h1"}', 'a{host="h1"}']);
    const bad = failure(parseNdjsonPoints(`${body}{"feed":"a","labels":{"__x":"1"},"v":3}`, options));
    expect(bad.details).toEqual([{ index: 2, line: 4, reason: 'label key "__x" is reserved (keys starting with __)' }]);
  });
});
