import {
  ERROR_CODES,
  MAX_TIMESTAMP_MS,
  canonicalSeriesKey,
  seriesKey,
  seriesKeyProblem,
  type ErrorDetail,
  type IgnoredField,
} from '@pulseboard/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLineProtocol, PRECISIONS, type Precision } from './line-protocol.parser.js';
import type { ParseFailure, ParseOptions, ParseResult } from './parse-result.js';
import { LINE_PROTOCOL_BOOLEANS } from './testing/line-protocol-booleans.js';
import { expectNoInternals } from './testing/no-internals.js';
import { applyEdit, textEdits } from './testing/text-edits.js';

const NOW = 1_700_000_000_000;
/** Fixed, so every run checks the same inputs; a counterexample is printed with its seed and path. */
const RUN = { seed: 1_764_230_400, numRuns: 3000 };
/** Fuzzing runs take seconds, more on a loaded machine. */
const TIMEOUT = 60_000;

type Options = ParseOptions & { precision: Precision };

function options(precision: Precision, overrides: Partial<Options> = {}): Options {
  return { now: NOW, maxPoints: 100_000, maxDetails: 1000, precision, ...overrides };
}

interface Points {
  feeds: string[];
  t: number[];
  v: number[];
}

function refusal(result: ParseResult): ParseFailure {
  if (result.ok) throw new Error(`expected a refusal, got ${result.batch.feeds.length} points`);
  return result;
}

/** The whole result as plain values, so one `toEqual` compares everything. */
function plain(result: ParseResult) {
  if (!result.ok) return result;
  const { feeds, t, v } = result.batch;
  return { ok: true, feeds: [...feeds], t: Array.from(t), v: Array.from(v), ignored: result.ignored };
}

// ---- Valid bodies, with the points and ignored fields they must give --------------------------------

const FEED_CHARS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-:'];
/**
 * Characters that need escaping or lie outside the feed alphabet: non-ASCII, astral, and U+FF61,
 * which sorts before astral characters by code point but after them by UTF-16 unit.
 */
const SPECIAL_CHARS = [' ', ',', '=', '\\', '"', '#', "'", '/', '+', 'é', '日', '\uFF61', '\u00A0', '🚀'];

const feedChar = fc.constantFrom(...FEED_CHARS);
const anyNameChar = fc.oneof(
  { weight: 3, arbitrary: feedChar },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_CHARS) },
);

/** A name of one or two dot-separated parts, so the feed it leads to has no empty segment. */
function name(char: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .array(fc.string({ unit: char, minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 2 })
    .map((parts) => parts.join('.'));
}

/** A field value as written, and the point value it must give (`undefined`: a string, not stored). */
interface FieldValue {
  text: string;
  value: number | undefined;
}

const INT64 = 2n ** 63n;
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (v === 0 ? 0 : v));

const fieldValue: fc.Arbitrary<FieldValue> = fc.oneof(
  { weight: 4, arbitrary: finite.map((v) => ({ text: String(v), value: v })) },
  // 17 significant digits always round-trip a double and take the parser's long path.
  { weight: 1, arbitrary: finite.map((v) => ({ text: v.toPrecision(17), value: v })) },
  { weight: 1, arbitrary: finite.map((v) => ({ text: v.toExponential(), value: v })) },
  { weight: 2, arbitrary: fc.bigInt(-INT64, INT64 - 1n).map((n) => ({ text: `${n}i`, value: Number(n) })) },
  { weight: 1, arbitrary: fc.bigInt(0n, 2n ** 64n - 1n).map((n) => ({ text: `${n}u`, value: Number(n) })) },
  { weight: 1, arbitrary: fc.constantFrom(...LINE_PROTOCOL_BOOLEANS).map(([text, value]) => ({ text, value })) },
  {
    weight: 1,
    arbitrary: fc
      .string({ unit: fc.constantFrom('"', '\\', ' ', ',', '=', '#', 'a', 'é', '🚀', '\t', '\n', '\r'), maxLength: 8 })
      .map((s) => ({ text: `"${s.replace(/[\\"]/g, '\\$&')}"`, value: undefined })),
  },
);

const UNITS_PER_SECOND: Record<Precision, bigint> = { ns: 1_000_000_000n, us: 1_000_000n, ms: 1000n, s: 1n };

/** InfluxDB's range: the timestamp in nanoseconds must fit a signed 64-bit integer. */
function latestTimestamp(precision: Precision): bigint {
  return (2n ** 63n - 1n) / (1_000_000_000n / UNITS_PER_SECOND[precision]);
}

function timestamp(precision: Precision): fc.Arbitrary<bigint> {
  const perSecond = UNITS_PER_SECOND[precision];
  const max = latestTimestamp(precision);
  return fc.oneof(
    fc.bigInt(0n, max),
    fc.bigInt(1_600_000_000n * perSecond, 1_900_000_000n * perSecond),
    fc.constantFrom(0n, max),
  );
}

/**
 * The contract's conversion to ms (whole ms plus the fraction), in BigInt: the same formula as in
 * line-protocol.parser.spec.ts.
 */
function expectedMs(ts: bigint, precision: Precision): number {
  if (precision === 's') return Number(ts) * 1000;
  const perMs = UNITS_PER_SECOND[precision] / 1000n;
  return Number(ts / perMs) + Number(ts % perMs) / Number(perMs);
}

interface Line {
  measurement: string;
  tags: [string, string][];
  fields: [string, FieldValue][];
  ts: bigint | undefined;
  /** Layout that must not change the points: indentation, spaces between sections, zero padding. */
  lead: string;
  gap: string;
  zeros: string;
  trail: string;
}

function line(char: fc.Arbitrary<string>, precision: Precision): fc.Arbitrary<Line> {
  return fc.record({
    // A first '#' would make the line a comment.
    measurement: name(char).filter((m) => !m.startsWith('#')),
    // tag keys that become distinct labels, none of them reserved
    tags: fc.uniqueArray(
      fc.tuple(
        name(char).filter((key) => !labelKey(key).startsWith('__')),
        name(char),
      ),
      {
        maxLength: 3,
        selector: ([key]) => labelKey(key),
      },
    ),
    fields: fc.array(fc.tuple(name(char), fieldValue), { minLength: 1, maxLength: 4 }),
    ts: fc.option(timestamp(precision), { nil: undefined }),
    lead: fc.constantFrom('', ' ', '\t'),
    gap: fc.constantFrom(' ', '   '),
    zeros: fc.constantFrom('', '0', '000'),
    trail: fc.constantFrom('', ' ', '\t'),
  });
}

/** Measurements escape comma and space; a backslash is escaped too, so every one is unambiguous. */
function escapeMeasurement(text: string): string {
  return text.replace(/[\\, ]/g, '\\$&');
}

/** Tag keys, tag values and field keys also escape `=`. */
function escapeKey(text: string): string {
  return text.replace(/[\\,= ]/g, '\\$&');
}

function writeLine(l: Line): string {
  const series = escapeMeasurement(l.measurement) + l.tags.map(([k, v]) => `,${escapeKey(k)}=${escapeKey(v)}`).join('');
  const fields = l.fields.map(([key, field]) => `${escapeKey(key)}=${field.text}`).join(',');
  const ts = l.ts === undefined ? '' : `${l.gap}${l.zeros}${l.ts}`;
  return `${l.lead}${series}${l.gap}${fields}${ts}${l.trail}`;
}

/** Every character outside the feed alphabet becomes `_`, an astral character counting as one. */
function sanitize(text: string): string {
  return Array.from(text, (c) => (/^[A-Za-z0-9_\-:.]$/.test(c) ? c : '_')).join('');
}

/** Every character outside `[A-Za-z0-9_]` becomes `_`, an astral character counting as one; a leading digit gets a `_`. */
function labelKey(tagKey: string): string {
  const label = Array.from(tagKey, (c) => (/^[A-Za-z0-9_]$/.test(c) ? c : '_')).join('');
  return /^[0-9]/.test(label) ? `_${label}` : label;
}

/** `<measurement>.<field>`, with every tag a label. */
function expectedFeed(l: Line, field: string): string {
  const name = [l.measurement, field].map(sanitize).join('.');
  return seriesKey(name, Object.fromEntries(l.tags.map(([key, value]) => [labelKey(key), value])));
}

type Item = { line: Line } | { filler: string };

interface Body {
  precision: Precision;
  items: Item[];
  eol: string;
  finalEol: boolean;
}

function body(char: fc.Arbitrary<string>): fc.Arbitrary<Body> {
  return fc.constantFrom(...PRECISIONS).chain((precision) =>
    fc.record({
      precision: fc.constant(precision),
      items: fc.array(
        fc.oneof(
          { weight: 5, arbitrary: line(char, precision).map((l): Item => ({ line: l })) },
          { weight: 1, arbitrary: fc.constantFrom('', '   ', '# a comment', '  #cpu v=1').map((f) => ({ filler: f })) },
        ),
        { maxLength: 10 },
      ),
      eol: fc.constantFrom('\n', '\r\n'),
      finalEol: fc.boolean(),
    }),
  );
}

function lineTexts(b: Body): string[] {
  return b.items.map((item) => ('line' in item ? writeLine(item.line) : item.filler));
}

function render(b: Body): string {
  return lineTexts(b).join(b.eol) + (b.finalEol ? b.eol : '');
}

/** The physical line each item starts on: string values may hold newlines. */
function startLines(texts: string[]): number[] {
  let line = 1;
  return texts.map((text) => {
    const start = line;
    line += text.split('\n').length;
    return start;
  });
}

function expected(b: Body): Points & { ignored: IgnoredField[] } {
  const out: Points & { ignored: IgnoredField[] } = { feeds: [], t: [], v: [], ignored: [] };
  const starts = startLines(lineTexts(b));
  b.items.forEach((item, k) => {
    if (!('line' in item)) return;
    const l = item.line;
    for (const [key, field] of l.fields) {
      if (field.value === undefined) {
        out.ignored.push({ line: starts[k], field: key, reason: 'string fields are not stored' });
        continue;
      }
      out.feeds.push(expectedFeed(l, key));
      out.t.push(l.ts === undefined ? NOW : expectedMs(l.ts, b.precision));
      out.v.push(field.value);
    }
  });
  return out;
}

function pointCount(b: Body): number {
  return expected(b).feeds.length;
}

// ---- Any input ----------------------------------------------------------------------------------------

/** Characters that steer line protocol through its branches, plus a lone surrogate. */
const SYNTAX_CHARS = [...'mxy,= \\"\n\r\t#.:-_0123456789eEiuTtFfrl', '🚀', 'é', '\uD800'];

/** Series, keys and values that differ from each other by an escape: near misses for the parser's caches. */
const SERIES_POOL = ['m', 'm,t=a', 'm,t=a\\ ', 'm,t=a\\\\', 'm\\ ,t=a', 'm,t=a\\,b', 'm,u=b,t=a', 'm,t=a,u=b', 'm\\\\'];
const KEY_POOL = ['x', 'x\\ ', 'x\\\\', 'x\\=', 'x\\,y', 'xy', 'y', '"x', '', 'x\\', 'm,t=.'];
const VALUE_POOL = [
  '1',
  '-1.5',
  '2i',
  '3u',
  't',
  'FALSE',
  '"s"',
  '"a\\"b"',
  '"a b"',
  '"a\nb"',
  '"\n',
  '',
  '1e400',
  'abc',
];
const TS_POOL = ['', ' 1', ' 1700000000000000000', ' -1', ' 0', ' 00', '  5 '];

const nearMisses = fc
  .array(
    fc
      .tuple(
        fc.constantFrom(...SERIES_POOL),
        fc.array(fc.tuple(fc.constantFrom(...KEY_POOL), fc.constantFrom(...VALUE_POOL)), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.constantFrom(...TS_POOL),
      )
      .map(([series, fields, ts]) => `${series} ${fields.map(([k, v]) => `${k}=${v}`).join(',')}${ts}`),
    { maxLength: 8 },
  )
  .map((lines) => lines.join('\n'));

const edit = textEdits(SYNTAX_CHARS);

const mutated = fc
  .tuple(fc.oneof(body(feedChar), body(anyNameChar)), fc.array(edit, { maxLength: 3 }))
  .map(([b, edits]) => edits.reduce(applyEdit, render(b)));

const anyInput = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.string({ unit: fc.constantFrom(...SYNTAX_CHARS), maxLength: 200 }),
  nearMisses,
  { weight: 3, arbitrary: mutated },
);

const anyOptions = fc.record({
  now: fc.constant(NOW),
  maxPoints: fc.oneof(
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 6 }) },
    { weight: 3, arbitrary: fc.constant(100_000) },
  ),
  maxDetails: fc.integer({ min: 0, max: 4 }),
  precision: fc.constantFrom(...PRECISIONS),
});

function expectWellFormed(input: string, opts: Options, result: ParseResult): void {
  const lines = input.split('\n');
  const isContent = (n: number) =>
    Number.isInteger(n) && n >= 1 && n <= lines.length && !/^[ \t\v\f\r]*(#|$)/.test(lines[n - 1]);
  if (result.ok) {
    const { feeds, t, v } = result.batch;
    expect(t).toHaveLength(feeds.length);
    expect(v).toHaveLength(feeds.length);
    expect(feeds.length).toBeLessThanOrEqual(opts.maxPoints);
    expect(feeds.filter((f) => seriesKeyProblem(f) !== undefined || canonicalSeriesKey(f) !== f)).toEqual([]);
    expect(Array.from(t).filter((x) => !(x >= 0 && x <= MAX_TIMESTAMP_MS))).toEqual([]);
    expect(Array.from(v).filter((x) => !Number.isFinite(x))).toEqual([]);
    for (const entry of result.ignored) {
      expect(isContent(entry.line)).toBe(true);
      expect(typeof entry.field).toBe('string');
      expect(entry.reason).toBe('string fields are not stored');
    }
    return;
  }
  expect(ERROR_CODES).toContain(result.code);
  expect(['invalid_points', 'too_many_points']).toContain(result.code);
  expectNoInternals(result.message, input);
  expect(result.details.length).toBeLessThanOrEqual(opts.maxDetails);
  if (result.code === 'too_many_points') expect(result.details).toEqual([]);
  let previous = 0;
  for (const detail of result.details) {
    expect(Object.keys(detail).sort()).toEqual(['line', 'reason']);
    expect(isContent(detail.line!)).toBe(true);
    expect(detail.line!).toBeGreaterThan(previous);
    previous = detail.line!;
    expectNoInternals(detail.reason, input);
  }
}

/**
 * A body split into its lines as InfluxDB splits it (`scanLine` in its `models/points.go`), each
 * with the physical line it starts on: past the measurement and tags, a quote opening a field
 * value (more `=` than `,` so far) starts a string, and newlines inside strings do not end the
 * line. A comment ends at its newline, and so does every line outside a string, backslash or not.
 */
function splitLines(input: string): { text: string; line: number }[] {
  const lines: { text: string; line: number }[] = [];
  let physical = 1;
  let start = 0;
  while (start <= input.length) {
    const indent = input.slice(start).search(/[^ \t\v\f\r]|$/);
    let end = input.indexOf('\n', start);
    if (end === -1) end = input.length;
    if (input[start + indent] !== '#' && start + indent < end) {
      let inFields = false;
      let quoted = false;
      let equals = 0;
      let commas = 0;
      for (end = start + indent; end < input.length; end++) {
        const c = input[end];
        if (c === '\\' && input[end + 1] !== '\n') end++;
        else if (c === '\n' && !quoted) break;
        else if (c === '\n') continue;
        else if (!inFields) inFields = c === ' ';
        else if (quoted) quoted = c !== '"';
        else if (c === '=') equals++;
        else if (c === ',') commas++;
        else if (c === '"') quoted = equals > commas;
      }
      end = Math.min(end, input.length);
    }
    const text = input.slice(start, end);
    lines.push({ text, line: physical });
    physical += text.split('\n').length;
    start = end + 1;
  }
  return lines;
}

/**
 * What a body must give given what each of its lines gives alone: lines do not affect each other,
 * whatever the parser remembers from one line to the next.
 */
function composed(input: string, opts: Options) {
  const points: Points = { feeds: [], t: [], v: [] };
  const ignored: IgnoredField[] = [];
  const details: ErrorDetail[] = [];
  let bad = 0;
  splitLines(input).forEach(({ text, line }) => {
    const alone = parseLineProtocol(text, { ...opts, maxPoints: Infinity, maxDetails: 1 });
    if (!alone.ok) {
      bad++;
      if (details.length < opts.maxDetails) details.push({ line, reason: alone.details[0].reason });
      return;
    }
    points.feeds.push(...alone.batch.feeds);
    points.t.push(...alone.batch.t);
    points.v.push(...alone.batch.v);
    ignored.push(...alone.ignored.map((entry) => ({ ...entry, line })));
  });
  if (points.feeds.length > opts.maxPoints) {
    const message = `more than ${opts.maxPoints} points in one batch`;
    return { ok: false, code: 'too_many_points', message, details: [] };
  }
  if (bad > 0) {
    const shown = details.length > 0 && details.length < bad ? ` (first ${details.length} listed)` : '';
    const message = `${bad} invalid line${bad === 1 ? '' : 's'}; nothing was stored${shown}`;
    return { ok: false, code: 'invalid_points', message, details };
  }
  return { ok: true, ...points, ignored };
}

// ---- Invalid lines ----------------------------------------------------------------------------------------

const plainName = name(feedChar);
const plainSeries = fc
  .tuple(plainName, fc.uniqueArray(fc.tuple(plainName, plainName), { maxLength: 2, selector: ([k]) => k }))
  .map(([m, tags]) => m + tags.map(([k, v]) => `,${k}=${v}`).join(''));
const plainFields = fc
  .array(fc.tuple(plainName, fieldValue), { minLength: 1, maxLength: 3 })
  .map((fields) => fields.map(([k, f]) => `${k}=${f.text}`).join(','));

const BAD_VALUES = [
  'abc',
  '1.2.3',
  '1e400',
  '-1e400',
  '9223372036854775808i',
  '-9223372036854775809i',
  '18446744073709551616u',
  '-1u',
  '',
  'tRUE',
  '+1',
  'NaN',
  '"open',
  '1i2',
  '0x10',
  '.',
  '-',
];
const BAD_TIMESTAMPS = ['-1', '12.5', 'abc', '+5', '-', '99999999999999999999999', '1e9', '5 6'];

/** A line that is refused whatever surrounds it. */
const badLine = fc.oneof(
  fc.tuple(plainSeries, plainFields, fc.constantFrom(...BAD_VALUES)).map(([s, f, v]) => `${s} ${f},bad=${v}`),
  fc.tuple(plainSeries, plainFields, fc.constantFrom(...BAD_TIMESTAMPS)).map(([s, f, ts]) => `${s} ${f} ${ts}`),
  fc.tuple(plainSeries, plainFields).map(([s, f]) => `${s} ${f} 1 extra`),
  plainSeries,
  fc.tuple(plainSeries, plainFields).map(([s, f]) => `${s} ${f},`),
  fc.tuple(plainSeries, plainFields).map(([s, f]) => `${s} ${f},flag`),
  fc.tuple(plainSeries, plainFields).map(([s, f]) => `${s},lonely ${f}`),
  fc.tuple(plainSeries, plainFields).map(([s, f]) => `${s},dup=a,dup=b ${f}`),
  fc.tuple(plainSeries, plainFields).map(([s, f]) => `${s},same.label=a,same-label=b ${f}`),
  fc.tuple(plainSeries, plainFields).map(([s, f]) => `${s},__reserved=a ${f}`),
  fc.tuple(plainSeries, plainFields).map(([s, f]) => `${s},long=${'é'.repeat(513)} ${f}`),
  fc.tuple(plainSeries, plainFields).map(([s, f]) => `${s},empty= ${f}`),
  fc.tuple(plainSeries, plainFields).map(([s, f]) => `,${s} ${f}`),
  fc.tuple(plainSeries, plainFields).map(([s, f]) => `${s} ${f},n..m=1`),
  plainFields.map((f) => `${'m'.repeat(200)} ${f},n=1`),
);

// ---- Properties ----------------------------------------------------------------------------------------------

describe('parseLineProtocol under fuzzing', () => {
  it(
    'never throws and answers a well-formed result that agrees with its lines parsed alone',
    { timeout: TIMEOUT },
    () => {
      fc.assert(
        fc.property(anyInput, anyOptions, (input, opts) => {
          const result = parseLineProtocol(input, opts);
          expectWellFormed(input, opts, result);
          expect(plain(result)).toEqual(composed(input, opts));
        }),
        RUN,
      );
    },
  );

  it.each([
    ['names from the feed alphabet', feedChar],
    ['names with escaped and replaced characters', anyNameChar],
  ])('gives back the points written, in order, for %s', { timeout: TIMEOUT }, (_, char) => {
    fc.assert(
      fc.property(body(char), (b) => {
        const { feeds, t, v, ignored } = expected(b);
        const result = parseLineProtocol(render(b), options(b.precision));
        expect(plain(result)).toEqual({ ok: true, feeds, t, v, ignored });
      }),
      RUN,
    );
  });

  it('refuses the whole body for one bad line and names exactly that line', { timeout: TIMEOUT }, () => {
    fc.assert(
      fc.property(body(anyNameChar), badLine, fc.nat(), (b, bad, at) => {
        const alone = refusal(parseLineProtocol(bad, options(b.precision)));
        const texts = lineTexts(b);
        // an unclosed quote takes the rest of the body into its line, as in InfluxDB: put it last
        const k = bad.endsWith('"open') ? texts.length : at % (texts.length + 1);
        texts.splice(k, 0, bad);
        const result = parseLineProtocol(texts.join(b.eol), options(b.precision));
        expect(result).toEqual({
          ok: false,
          code: 'invalid_points',
          message: '1 invalid line; nothing was stored',
          details: [{ line: startLines(texts)[k], reason: alone.details[0].reason }],
        });
      }),
      RUN,
    );
  });

  it(
    'refuses a body with more points than maxPoints and accepts one with exactly maxPoints',
    { timeout: TIMEOUT },
    () => {
      fc.assert(
        fc.property(
          body(anyNameChar).filter((b) => pointCount(b) > 0),
          fc.nat(),
          (b, pick) => {
            const count = pointCount(b);
            const maxPoints = pick % count;
            expect(parseLineProtocol(render(b), options(b.precision, { maxPoints }))).toEqual({
              ok: false,
              code: 'too_many_points',
              message: `more than ${maxPoints} points in one batch`,
              details: [],
            });
            const exact = parseLineProtocol(render(b), options(b.precision, { maxPoints: count }));
            expect(exact.ok && exact.batch.feeds.length).toBe(count);
          },
        ),
        RUN,
      );
    },
  );
});
