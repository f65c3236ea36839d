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
});
