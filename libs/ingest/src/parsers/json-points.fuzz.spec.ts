import { DEFAULT_MAX_JSON_DEPTH, jsonSyntaxProblem } from '@pulseboard/api';
import { ERROR_CODES, MAX_TIMESTAMP_MS, pointProblem, seriesKey, type ErrorDetail } from '@pulseboard/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonPoints } from './json-points.parser.js';
import { parseNdjsonPoints } from './ndjson-points.parser.js';
import type { ParseOptions, ParseResult } from './parse-result.js';
import { expectNoInternals } from './testing/no-internals.js';
import { applyEdit, textEdits } from './testing/text-edits.js';

const NOW = 1_700_000_000_000;
/** Fixed, so every run checks the same inputs; a counterexample is printed with its seed and path. */
const RUN = { seed: 1_764_230_400, numRuns: 2500 };
/** Fuzzing runs take seconds, more on a loaded machine. */
const TIMEOUT = 60_000;
const OPTIONS: ParseOptions = { now: NOW, maxPoints: 100_000, maxDetails: 1000 };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The whole result as plain values, so one `toEqual` compares everything. */
function plain(result: ParseResult) {
  if (!result.ok) return result;
  const { feeds, t, v } = result.batch;
  return { ok: true, feeds: [...feeds], t: Array.from(t), v: Array.from(v), ignored: result.ignored };
}

/** The reason a body names for one bad entry: the point's problem, or why its text is not JSON. */
function reasonFor(text: string): string | undefined {
  try {
    return pointProblem(JSON.parse(text));
  } catch {
    return jsonSyntaxProblem(text, 'the line');
  }
}

// ---- The two formats: how a list of point texts is written, and how the contract reads a body back ----

interface Written {
  body: string;
  /** 1-based line of each point (NDJSON only). */
  lines?: number[];
}

/** Whitespace a producer may put between points; it must not change the result. */
interface Layout {
  pad: string;
  eol: string;
  blank: boolean[];
  finalEol: boolean;
}

const layout: fc.Arbitrary<Layout> = fc.record({
  pad: fc.constantFrom('', ' ', '\t', '\n  '),
  eol: fc.constantFrom('\n', '\r\n'),
  blank: fc.array(fc.boolean(), { maxLength: 40 }),
  finalEol: fc.boolean(),
});

/** One point as the contract reads it: its position, its line, and the decoded value or why there is none. */
interface Entry {
  index: number;
  line?: number;
  raw: unknown;
  problem: string | undefined;
}

interface Format {
  name: string;
  parse: (body: string, options: ParseOptions) => ParseResult;
  write: (texts: string[], l: Layout) => Written;
  /** Points of a body whose structure is readable, or `undefined` (JSON: not an object with a `points` array). */
  entries: (body: string) => Entry[] | undefined;
  /** Decoded documents the JSON limits apply to. */
  documents: (body: string) => unknown[];
}

const json: Format = {
  name: 'JSON',
  parse: parseJsonPoints,
  write: (texts, l) => ({ body: `{${l.pad}"points":${l.pad}[${l.pad}${texts.join(`,${l.pad}`)}${l.pad}]${l.pad}}` }),
  entries: (body) => {
    const decoded = tryParse(body);
    if (decoded === undefined || typeof decoded.value !== 'object' || decoded.value === null) return undefined;
    const points = (decoded.value as { points?: unknown }).points;
    if (!Array.isArray(points)) return undefined;
    return points.map((raw: unknown, index) => ({ index, raw, problem: pointProblem(raw) }));
  },
  documents: (body) => {
    const decoded = tryParse(body);
    return decoded === undefined ? [] : [decoded.value];
  },
};

const ndjson: Format = {
  name: 'NDJSON',
  parse: parseNdjsonPoints,
  write: (texts, l) => {
    // Leading and trailing whitespace and blank lines are allowed around each line.
    const space = l.pad.replace('\n', '');
    const out: string[] = [];
    const lines: number[] = [];
    texts.forEach((text, k) => {
      if (l.blank[k]) out.push(space);
      out.push(`${space}${text}${space}`);
      lines.push(out.length);
    });
    return { body: out.join(l.eol) + (l.finalEol ? l.eol : ''), lines };
  },
  entries: (body) => {
    const entries: Entry[] = [];
    body.split('\n').forEach((text, k) => {
      const trimmed = text.trim();
      if (trimmed === '') return;
      entries.push({ index: entries.length, line: k + 1, raw: tryParse(trimmed)?.value, problem: reasonFor(trimmed) });
    });
    return entries;
  },
  documents: (body) =>
    body.split('\n').flatMap((text) => {
      const decoded = tryParse(text.trim());
      return decoded === undefined ? [] : [decoded.value];
    }),
};

const FORMATS = [json, ndjson];

function tryParse(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/** Levels of objects and arrays: 0 for a primitive, 1 for `{}` or `[]`. */
function levels(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce((deepest: number, child) => Math.max(deepest, levels(child)), 0);
}

function hasForbiddenKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(hasForbiddenKey);
  return Object.keys(value).some(
    (key) => FORBIDDEN_KEYS.has(key) || hasForbiddenKey((value as Record<string, unknown>)[key]),
  );
}

// ---- Points -------------------------------------------------------------------------------------------

const SEGMENT_CHARS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-:'];
const segmentChar = fc.constantFrom(...SEGMENT_CHARS);

/** Feed names by the rules of feed-name.ts, up to the 200-character limit. */
const feed = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .array(fc.string({ unit: segmentChar, minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 5 })
      .map((s) => s.join('.')),
  },
  { weight: 1, arbitrary: fc.string({ unit: segmentChar, minLength: 190, maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.string({ unit: segmentChar, minLength: 1, maxLength: 3 }), { minLength: 40, maxLength: 50 })
      .map((s) => s.join('.')),
  },
);

const nonZero = (x: number) => (x === 0 ? 0 : x);
const value = fc
  .oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER, 1e-300, -1),
  )
  .map(nonZero);
const time = fc
  .oneof(
    fc.double({ min: 0, max: MAX_TIMESTAMP_MS, noNaN: true }),
    fc.double({ min: 1.6e12, max: 1.9e12, noNaN: true }),
    fc.integer({ min: 0, max: 2 ** 31 }),
    fc.constantFrom(0, MAX_TIMESTAMP_MS),
  )
  .map(nonZero);
/** Fields besides feed, labels, t and v, which the contract ignores. */
const extra = fc.dictionary(
  fc.constantFrom('unit', 'tags', 'note'),
  fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 })),
  { maxKeys: 2 },
);

/** Keys and values from small pools, so that label sets repeat within a body, in any key order. */
const LABEL_KEYS = ['host', 'region', 'env', '_a', 'A1', 'k'.repeat(128)];
const LABEL_VALUES = ['h1', 'h2', 'eu', 'a"b', 'C:\\t\\', 'a\nb', 'küche', '🚀', '}', ',=', ' ', 'é'.repeat(512)];
const labels = fc
  .uniqueArray(
    fc.tuple(
      fc.constantFrom(...LABEL_KEYS),
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...LABEL_VALUES) },
        { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }) },
      ),
    ),
    { maxLength: 4, selector: ([key]) => key },
  )
  .map((pairs): Record<string, string> => Object.fromEntries(pairs));

interface Point {
  feed: string;
  labels?: Record<string, string>;
  t?: number;
  v: number;
}

/** The series a valid point belongs to. */
function seriesOf(p: Point): string {
  return p.labels === undefined ? p.feed : seriesKey(p.feed, p.labels);
}

const point: fc.Arbitrary<Point> = fc
  .record({
    feed,
    labels: fc.option(labels, { nil: undefined, freq: 2 }),
    t: fc.option(time, { nil: undefined }),
    v: value,
    extra,
  })
  .map(({ feed, labels, t, v, extra }) => ({
    ...extra,
    feed,
    ...(labels === undefined ? {} : { labels }),
    ...(t === undefined ? {} : { t }),
    v,
  }));

const BAD_LABELS = [
  null,
  'host=h1',
  [],
  { host: 1 },
  { host: '' },
  { 'host-name': 'a' },
  { '1host': 'a' },
  { __name__: 'a' },
  { host: 'x'.repeat(1025) },
  Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])),
];

const invalidPoint: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, 1, 'a.b', [], [{ feed: 'a', v: 1 }], true),
  fc
    .tuple(point, fc.constantFrom('', 'a..b', '.a', 'a.', 'a b', 'a/b', 'é', 'x'.repeat(201), 42, null, ['a']))
    .map(([p, bad]) => ({ ...p, feed: bad })),
  fc
    .tuple(point, fc.constantFrom(-1, -0.5, MAX_TIMESTAMP_MS + 1, 1e300, '1700000000000', null, true, []))
    .map(([p, bad]) => ({ ...p, t: bad })),
  fc.tuple(point, fc.constantFrom('1', null, true, [], {}, NaN)).map(([p, bad]) => ({ ...p, v: bad })),
  fc.tuple(point, fc.constantFrom(...BAD_LABELS)).map(([p, bad]) => ({ ...p, labels: bad })),
  point.map(({ feed, t }) => ({ feed, t })),
);

/** A line of NDJSON that is not a point: bad JSON, or JSON that is not a valid point. */
const invalidLine = fc.oneof(
  invalidPoint.map((p) => JSON.stringify(p)),
  point.map((p) => JSON.stringify(p).slice(0, -1)),
  fc.constantFrom('not json', '{"feed":"a" "v":1}', '[', '{"feed":"a","v":1}}', "{'feed':'a','v':1}"),
);

// ---- Any input ---------------------------------------------------------------------------------------

const SYNTAX_CHARS = [...'{}[]":,.-+eE0123456789 \n\t\\uftnrlsaev', 'é', '🚀', '\uD800', '\u2028'];

const edit = textEdits(SYNTAX_CHARS);

/** A point carrying a key that reaches the prototype, at its top or one level down. */
const prototypeKeyPoint = fc
  .tuple(point, fc.constantFrom(...FORBIDDEN_KEYS), fc.boolean())
  .map(([p, key, inside]) => (inside ? { ...p, tags: { [key]: 1 } } : { ...p, [key]: 1 }));

const pointText = fc.oneof(
  { weight: 12, arbitrary: point.map((p) => JSON.stringify(p)) },
  { weight: 1, arbitrary: invalidPoint.map((p) => JSON.stringify(p)) },
  { weight: 1, arbitrary: prototypeKeyPoint.map((p) => JSON.stringify(p)) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
);

/** Bodies of the format, mostly of valid points, then broken by a few edits (or none). */
function mutated(format: Format): fc.Arbitrary<string> {
  return fc
    .tuple(fc.array(pointText, { maxLength: 8 }), layout, fc.array(edit, { maxLength: 3 }))
    .map(([texts, l, edits]) => edits.reduce(applyEdit, format.write(texts, l).body));
}

function anyInput(format: Format): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.string({ unit: 'grapheme', maxLength: 100 }),
    fc.json(),
    fc.jsonValue().map((v) => JSON.stringify({ points: v })),
    fc.array(fc.json({ maxDepth: 4 }), { maxLength: 6 }).map((lines) => lines.join('\n')),
    { weight: 3, arbitrary: mutated(format) },
  );
}

const anyOptions = fc.record({
  now: fc.constant(NOW),
  maxPoints: fc.oneof(
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 6 }) },
    { weight: 3, arbitrary: fc.constant(100_000) },
  ),
  maxDetails: fc.integer({ min: 0, max: 4 }),
  maxDepth: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
});

/**
 * Checks a result against the contract: accepted bodies give exactly their points; refusals carry a
 * known code, a clean message, and details that name exactly the bad points in body order.
 */
function expectContract(format: Format, input: string, options: ParseOptions, result: ParseResult): void {
  const entries = format.entries(input);
  const documents = format.documents(input);
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  const bad = (entries ?? []).filter((e) => e.problem !== undefined);
  const withinLimits = !documents.some(hasForbiddenKey) && documents.every((d) => levels(d) <= maxDepth);
  if (result.ok) {
    expect(entries).toBeDefined();
    expect(bad).toEqual([]);
    expect(entries!.length).toBeLessThanOrEqual(options.maxPoints);
    expect(documents.some(hasForbiddenKey)).toBe(false);
    const points = entries!.map((e) => e.raw as Point);
    expect(plain(result)).toEqual({
      ok: true,
      feeds: points.map(seriesOf),
      t: points.map((p) => p.t ?? NOW),
      v: points.map((p) => p.v),
      ignored: [],
    });
    return;
  }

  expect(ERROR_CODES).toContain(result.code);
  expectNoInternals(result.message, input);
  expect(Array.isArray(result.details)).toBe(true);
  for (const detail of result.details) expectNoInternals(detail.reason, input);
  switch (result.code) {
    case 'invalid_points': {
      const listed = bad.slice(0, options.maxDetails);
      expect(result.details).toEqual(
        listed.map((e): ErrorDetail => ({
          index: e.index,
          ...(e.line === undefined ? {} : { line: e.line }),
          reason: e.problem!,
        })),
      );
      expect(
        result.message.startsWith(`${bad.length} invalid point${bad.length === 1 ? '' : 's'}; nothing was stored`),
      ).toBe(true);
      return;
    }
    case 'too_many_points':
      expect(entries!.length).toBeGreaterThan(options.maxPoints);
      break;
    case 'invalid_json':
    case 'invalid_body':
      expect(format).toBe(json);
      expect(entries).toBeUndefined();
      break;
    case 'forbidden_key':
      expect(documents.some(hasForbiddenKey)).toBe(true);
      break;
    case 'json_too_deep':
      expect(documents.some((d) => levels(d) > maxDepth)).toBe(true);
      break;
    default:
      expect.unreachable(`unexpected code ${String(result.code)}`);
  }
  expect(result.details).toEqual([]);
  // A readable body of valid points within every limit is never refused.
  if (entries !== undefined) expect(bad.length > 0 || entries.length > options.maxPoints || !withinLimits).toBe(true);
}

// ---- Properties -----------------------------------------------------------------------------------------

describe.each(FORMATS)('$name ingest under fuzzing', (format) => {
  it('never throws and answers what the contract says', { timeout: TIMEOUT }, () => {
    fc.assert(
      fc.property(anyInput(format), anyOptions, (input, options) => {
        expectContract(format, input, options, format.parse(input, options));
      }),
      RUN,
    );
  });

  it('gives back the points written, in order', { timeout: TIMEOUT }, () => {
    fc.assert(
      fc.property(fc.array(point, { maxLength: 30 }), layout, (points, l) => {
        const { body } = format.write(
          points.map((p) => JSON.stringify(p)),
          l,
        );
        expect(plain(format.parse(body, OPTIONS))).toEqual({
          ok: true,
          feeds: points.map(seriesOf),
          t: points.map((p) => p.t ?? NOW),
          v: points.map((p) => p.v),
          ignored: [],
        });
      }),
      RUN,
    );
  });

  it('refuses the whole body for one bad point and names exactly that point', { timeout: TIMEOUT }, () => {
    const badText = format === ndjson ? invalidLine : invalidPoint.map((p) => JSON.stringify(p));
    fc.assert(
      fc.property(fc.array(point, { maxLength: 30 }), badText, fc.nat(), layout, (points, bad, at, l) => {
        const texts = points.map((p) => JSON.stringify(p));
        const k = at % (texts.length + 1);
        texts.splice(k, 0, bad);
        const { body, lines } = format.write(texts, l);
        const where = lines === undefined ? { index: k } : { index: k, line: lines[k] };
        expect(format.parse(body, OPTIONS)).toEqual({
          ok: false,
          code: 'invalid_points',
          message: '1 invalid point; nothing was stored',
          details: [{ ...where, reason: reasonFor(bad) }],
        });
      }),
      RUN,
    );
  });

  it('refuses more points than maxPoints and accepts exactly maxPoints', { timeout: TIMEOUT }, () => {
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 30 }), fc.nat(), layout, (points, pick, l) => {
        const { body } = format.write(
          points.map((p) => JSON.stringify(p)),
          l,
        );
        const maxPoints = pick % points.length;
        expect(format.parse(body, { ...OPTIONS, maxPoints })).toEqual({
          ok: false,
          code: 'too_many_points',
          message: `more than ${maxPoints} points in one batch`,
          details: [],
        });
        const exact = format.parse(body, { ...OPTIONS, maxPoints: points.length });
        expect(exact.ok && exact.batch.feeds.length).toBe(points.length);
      }),
      RUN,
    );
  });
});

/** `[[...]]` nested `depth` levels deep (0: a plain number). */
function nested(depth: number): unknown {
  let value: unknown = 0;
  for (let k = 0; k < depth; k++) value = [value];
  return value;
}

/** The same JSON text with every `every`-th letter inside strings (keys included) written as a `\u` escape. */
function respell(text: string, every: number): string {
  let out = '';
  let inString = false;
  let letters = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString && c === '\\') {
      const length = text[i + 1] === 'u' ? 6 : 2;
      out += text.slice(i, i + length);
      i += length - 1;
      continue;
    }
    if (c === '"') inString = !inString;
    if (inString && /[A-Za-z]/.test(c) && letters++ % every === 0) {
      out += `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    } else {
      out += c;
    }
  }
  return out;
}

/** Points with an ignored field nested to around the default depth limit, under an ordinary key or `points`. */
const deepPoint = fc
  .tuple(point, fc.constantFrom('tags', 'points'), fc.integer({ min: 0, max: DEFAULT_MAX_JSON_DEPTH + 8 }))
  .map(([p, key, depth]) => ({ ...p, [key]: nested(depth) }));

/*
 * The JSON limits judge the decoded value, not its text: a prototype key is found however it is
 * spelled, and the depth limit covers everything outside the points, so respelling letters as
 * `\u00XX` escapes never changes an answer.
 */
describe('JSON limits under fuzzing', () => {
  it('gives a JSON body the same answer however its text spells the same value', { timeout: TIMEOUT }, () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(point, deepPoint), { maxLength: 4 }),
        fc.integer({ min: 0, max: DEFAULT_MAX_JSON_DEPTH + 8 }),
        fc.integer({ min: 1, max: 4 }),
        (points, metaDepth, every) => {
          const text = JSON.stringify({ points, meta: nested(metaDepth) });
          expect(plain(parseJsonPoints(respell(text, every), OPTIONS))).toEqual(plain(parseJsonPoints(text, OPTIONS)));
        },
      ),
      RUN,
    );
  });

  it('gives an NDJSON body the same answer however its text spells the same values', { timeout: TIMEOUT }, () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(point, deepPoint), { maxLength: 4 }),
        fc.integer({ min: 1, max: 4 }),
        (points, every) => {
          const lines = points.map((p) => JSON.stringify(p));
          const respelled = lines.map((line) => respell(line, every));
          expect(plain(parseNdjsonPoints(respelled.join('\n'), OPTIONS))).toEqual(
            plain(parseNdjsonPoints(lines.join('\n'), OPTIONS)),
          );
        },
      ),
      RUN,
    );
  });
});
