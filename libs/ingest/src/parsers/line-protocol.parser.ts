import { PointBatchBuilder } from '@pulseboard/core';
import { type ErrorDetail, type IgnoredField, feedNameProblem, MAX_TIMESTAMP_MS } from '@pulseboard/protocol';
import type { ParseOptions, ParseResult } from './parse-result.js';

/** Unit of line-protocol timestamps, as in InfluxDB's `precision` query parameter. */
export type Precision = 'ns' | 'us' | 'ms' | 's';

export const PRECISIONS: readonly Precision[] = Object.freeze(['ns', 'us', 'ms', 's'] as const);

export function isPrecision(value: string): value is Precision {
  return (PRECISIONS as readonly string[]).includes(value);
}

const TAB = 9;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const HASH = 35;
const PLUS = 43;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const EQUALS = 61;
const UPPER_E = 69;
const UPPER_F = 70;
const UPPER_T = 84;
const BACKSLASH = 92;
const LOWER_E = 101;
const LOWER_F = 102;
const LOWER_I = 105;
const LOWER_T = 116;
const LOWER_U = 117;

/** 1 for the characters a feed name may contain: `A-Z a-z 0-9 _ - : .`. */
const FEED_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const s = String.fromCharCode(c);
  FEED_CHAR[c] = /[A-Za-z0-9_\-:.]/.test(s) ? 1 : 0;
}

/** Exact powers of ten: every one up to 1e22 is representable, which the float fast path relies on. */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

const INT64_MAX = '9223372036854775807';
const INT64_MIN_MAGNITUDE = '9223372036854775808';
const UINT64_MAX = '18446744073709551615';

/** Status of a field value read by `readValue`; the number itself is left in `value`. */
const VALUE_OK = 0;
const VALUE_INVALID = 1;
const VALUE_INT_RANGE = 2;
const VALUE_UINT_RANGE = 3;
const VALUE_NOT_FINITE = 4;

/** Timestamps are never negative, so negative numbers can report failures. */
const TS_INVALID = -1;
const TS_OUT_OF_RANGE = -2;

/**
 * Most digits a timestamp can have and still be in range (8.64e21 ns). Longer ones are refused
 * before any arithmetic, so a megabyte of digits costs a scan, not a bignum.
 */
const MAX_TIMESTAMP_DIGITS = 22;

/** Longest excerpt of user input quoted in a reason: a reason should point, not echo the body. */
const QUOTE_LIMIT = 64;

const STRING_FIELD_REASON = 'string fields are not stored';

interface Scale {
  /** Digits of the timestamp that are below a millisecond. */
  fractionDigits: number;
  divisor: number;
  multiplier: number;
}

const SCALES: Record<Precision, Scale> = {
  ns: { fractionDigits: 6, divisor: 1e6, multiplier: 1 },
  us: { fractionDigits: 3, divisor: 1e3, multiplier: 1 },
  ms: { fractionDigits: 0, divisor: 1, multiplier: 1 },
  s: { fractionDigits: 0, divisor: 1, multiplier: 1000 },
};

/** A field key as it resolves under one series. */
interface FieldTarget {
  /** Unescaped key, as reported in `ignored` and in reasons. */
  readonly key: string;
  readonly feed: string;
  /** Why `feed` is not a valid feed name; numeric values of this field make the line bad. */
  readonly problem: string | undefined;
}

/** A measurement with its tag set, resolved once per distinct raw text. */
interface Series {
  /** Sanitised measurement and tag values in tag-key order, joined by `.`. */
  readonly prefix: string;
  /** Why the measurement or tag set is malformed. */
  readonly problem: string | undefined;
  /** Raw (still escaped) field key → its target. */
  readonly fields: Map<string, FieldTarget>;
  /**
   * Raw field keys and targets by position in the last line of this series: producers repeat the
   * same field layout, so comparing in place avoids slicing and hashing each key.
   */
  readonly layoutKeys: string[];
  readonly layoutTargets: FieldTarget[];
}

/**
 * Parses an InfluxDB line-protocol body into a batch of points. Feed names are the measurement,
 * the tag values in tag-key order and the field key, joined by `.` with every character outside the
 * feed alphabet replaced by `_`. The body is refused whole if any line is bad.
 */
export function parseLineProtocol(body: string, options: ParseOptions & { precision: Precision }): ParseResult {
  return new LineProtocolParser(body, options).parse();
}

class LineProtocolParser {
  private readonly body: string;
  private readonly now: number;
  private readonly maxPoints: number;
  private readonly maxDetails: number;
  private readonly scale: Scale;

  private readonly builder = new PointBatchBuilder();
  private readonly ignored: IgnoredField[] = [];
  private readonly details: ErrorDetail[] = [];
  private badLines = 0;
  private points = 0;

  private readonly series = new Map<string, Series>();
  /** Raw text of the previous line's series: consecutive lines usually share it. */
  private lastSeriesKey = '';
  private lastSeries: Series | undefined;

  /** Fields of the line being parsed; committed only once its timestamp is known to be good. */
  private readonly pendingFeeds: string[] = [];
  private readonly pendingValues: number[] = [];

  /** Output of `readValue`. */
  private value = 0;

  constructor(body: string, options: ParseOptions & { precision: Precision }) {
    // Callers validate the query parameter; this guards against one that forgot.
    if (!isPrecision(options.precision)) throw new TypeError(`unknown precision ${JSON.stringify(options.precision)}`);
    this.body = body;
    this.now = options.now;
    this.maxPoints = options.maxPoints;
    this.maxDetails = options.maxDetails;
    this.scale = SCALES[options.precision];
  }

  parse(): ParseResult {
    const body = this.body;
    const length = body.length;
    let start = 0;
    let line = 0;
    while (start < length) {
      line++;
      let end = body.indexOf('\n', start);
      if (end === -1) end = length;
      const next = end + 1;

      while (start < end && isWhitespace(body.charCodeAt(start))) start++;
      if (start < end && body.charCodeAt(start) !== HASH) {
        // Trailing whitespace (including the CR of CRLF) is not part of the last token.
        while (isWhitespace(body.charCodeAt(end - 1))) end--;
        const reason = this.parseLine(start, end, line);
        if (reason !== undefined) {
          this.badLines++;
          if (this.details.length < this.maxDetails) this.details.push({ line, reason });
        } else if (this.points > this.maxPoints) {
          return {
            ok: false,
            code: 'too_many_points',
            message: `more than ${this.maxPoints} points in one batch`,
            details: [],
          };
        }
      }
      start = next;
    }

    if (this.badLines > 0) {
      return { ok: false, code: 'invalid_points', message: this.failureMessage(), details: this.details };
    }
    return { ok: true, batch: this.builder.build(), ignored: this.ignored };
  }

  /** Worded like the JSON parsers' message, with lines where they count points. */
  private failureMessage(): string {
    const bad = this.badLines;
    const listed = this.details.length;
    const shown = listed > 0 && listed < bad ? ` (first ${listed} listed)` : '';
    return `${bad} invalid line${bad === 1 ? '' : 's'}; nothing was stored${shown}`;
  }

  /** Parses the non-blank line `[start, end)`; returns why it is bad, or `undefined` once its points are taken. */
  private parseLine(start: number, end: number, line: number): string | undefined {
    const body = this.body;

    let series: Series;
    let i: number;
    const lastKey = this.lastSeriesKey;
    if (
      this.lastSeries !== undefined &&
      start + lastKey.length < end &&
      body.charCodeAt(start + lastKey.length) === SPACE &&
      body.startsWith(lastKey, start)
    ) {
      // Same raw text followed by a space: scanning it again would stop at the same place, since a
      // remembered key never ends in a lone backslash (that would have escaped the space).
      series = this.lastSeries;
      i = start + lastKey.length;
    } else {
      i = start;
      while (i < end) {
        const c = body.charCodeAt(i);
        if (c === SPACE) break;
        if (c === BACKSLASH && i + 1 < end) {
          const d = body.charCodeAt(i + 1);
          i += d === SPACE || d === BACKSLASH ? 2 : 1;
        } else i++;
      }
      const key = body.slice(start, i);
      let found = this.series.get(key);
      if (found === undefined) {
        found = this.resolveSeries(start, i);
        this.series.set(key, found);
      }
      series = found;
      if (i < end) {
        this.lastSeriesKey = key;
        this.lastSeries = series;
      }
    }
    if (series.problem !== undefined) return series.problem;

    while (i < end && body.charCodeAt(i) === SPACE) i++;
    if (i === end) return 'missing field set';

    const pendingFeeds = this.pendingFeeds;
    const pendingValues = this.pendingValues;
    let count = 0;
    let position = 0;
    for (;;) {
      let target: FieldTarget;
      const layoutKey = position < series.layoutKeys.length ? series.layoutKeys[position] : undefined;
      if (
        layoutKey !== undefined &&
        i + layoutKey.length < end &&
        body.charCodeAt(i + layoutKey.length) === EQUALS &&
        body.startsWith(layoutKey, i)
      ) {
        // As with series keys: a remembered field key never ends in an escaping backslash.
        target = series.layoutTargets[position];
        i += layoutKey.length;
      } else {
        const keyStart = i;
        while (i < end) {
          const c = body.charCodeAt(i);
          if (c === EQUALS || c === COMMA || c === SPACE) break;
          i += c === BACKSLASH && i + 1 < end && isKeyEscape(body.charCodeAt(i + 1)) ? 2 : 1;
        }
        if (i === keyStart) return 'empty field key';
        if (i === end || body.charCodeAt(i) !== EQUALS) {
          return `missing "=" after field key ${quote(decode(body, keyStart, i, true, false))}`;
        }
        const rawKey = body.slice(keyStart, i);
        let found = series.fields.get(rawKey);
        if (found === undefined) {
          found = resolveField(body, keyStart, i, series.prefix);
          series.fields.set(rawKey, found);
        }
        target = found;
        series.layoutKeys[position] = rawKey;
        series.layoutTargets[position] = target;
      }
      i++;

      if (i < end && body.charCodeAt(i) === QUOTE) {
        i++;
        for (;;) {
          if (i >= end) return `unterminated string for field ${quote(target.key)}`;
          const c = body.charCodeAt(i);
          if (c === QUOTE) break;
          if (c === BACKSLASH && i + 1 < end) {
            const d = body.charCodeAt(i + 1);
            i += d === QUOTE || d === BACKSLASH ? 2 : 1;
          } else {
            i++;
          }
        }
        i++;
        if (i < end) {
          const c = body.charCodeAt(i);
          if (c !== COMMA && c !== SPACE) return `unexpected text after string value of field ${quote(target.key)}`;
        }
        // Recorded at once: should the line turn out bad the whole body fails and this list is dropped.
        this.ignored.push({ line, field: target.key, reason: STRING_FIELD_REASON });
      } else {
        const valueStart = i;
        while (i < end) {
          const c = body.charCodeAt(i);
          if (c === COMMA || c === SPACE) break;
          i++;
        }
        if (i === valueStart) return `missing value for field ${quote(target.key)}`;
        const status = this.readValue(valueStart, i);
        if (status !== VALUE_OK) return valueReason(status, body.slice(valueStart, i), target.key);
        if (target.problem !== undefined) return target.problem;
        pendingFeeds[count] = target.feed;
        pendingValues[count] = this.value;
        count++;
      }

      if (i === end) break;
      if (body.charCodeAt(i) === SPACE) break;
      i++;
      position++;
    }

    let t = this.now;
    if (i < end) {
      while (body.charCodeAt(i) === SPACE) i++;
      const tsStart = i;
      while (i < end && body.charCodeAt(i) !== SPACE) i++;
      t = this.readTimestamp(tsStart, i);
      if (t === TS_INVALID) return `invalid timestamp ${quote(body.slice(tsStart, i))}`;
      if (t === TS_OUT_OF_RANGE) return 'timestamp out of range';
      if (i < end) return 'unexpected text after timestamp';
    }

    this.points += count;
    // After a bad line the batch is never returned, so there is no point in filling it.
    if (this.badLines === 0) {
      const builder = this.builder;
      for (let k = 0; k < count; k++) builder.add(pendingFeeds[k], t, pendingValues[k]);
    }
    return undefined;
  }

  /** Resolves the measurement and tag set in `[start, end)`, which holds no unescaped space. */
  private resolveSeries(start: number, end: number): Series {
    const body = this.body;
    let i = start;
    while (i < end) {
      const c = body.charCodeAt(i);
      if (c === COMMA) break;
      i += c === BACKSLASH && i + 1 < end && isMeasurementEscape(body.charCodeAt(i + 1)) ? 2 : 1;
    }
    if (i === start) return badSeries('missing measurement');
    const measurement = decode(body, start, i, false, true);

    const tags: { key: string; value: string }[] = [];
    while (i < end) {
      i++; // the comma
      const keyStart = i;
      while (i < end) {
        const c = body.charCodeAt(i);
        if (c === EQUALS || c === COMMA) break;
        i += c === BACKSLASH && i + 1 < end && isKeyEscape(body.charCodeAt(i + 1)) ? 2 : 1;
      }
      if (i === keyStart) return badSeries('empty tag key');
      const key = decode(body, keyStart, i, true, false);
      if (i === end || body.charCodeAt(i) !== EQUALS) return badSeries(`missing "=" in tag ${quote(key)}`);
      i++;
      const valueStart = i;
      while (i < end) {
        const c = body.charCodeAt(i);
        if (c === COMMA) break;
        if (c === EQUALS) return badSeries(`unescaped "=" in value of tag ${quote(key)}`);
        i += c === BACKSLASH && i + 1 < end && isKeyEscape(body.charCodeAt(i + 1)) ? 2 : 1;
      }
      if (i === valueStart) return badSeries(`empty value for tag ${quote(key)}`);
      tags.push({ key, value: decode(body, valueStart, i, true, true) });
    }

    tags.sort((a, b) => compareCodePoints(a.key, b.key));
    let prefix = measurement;
    for (let k = 0; k < tags.length; k++) {
      if (k > 0 && tags[k].key === tags[k - 1].key) return badSeries(`duplicate tag ${quote(tags[k].key)}`);
      prefix += '.' + tags[k].value;
    }
    return { prefix, problem: undefined, fields: new Map(), layoutKeys: [], layoutTargets: [] };
  }

  /**
   * Reads the non-string field value in `[start, end)` into `this.value`. Plain decimals of up to
   * 15 digits are computed directly, which is exact: both the digits and the power of ten are exact
   * doubles, so one division rounds correctly. Everything longer goes through `Number`.
   */
  private readValue(start: number, end: number): number {
    const body = this.body;
    let i = start;
    let c = body.charCodeAt(i);
    if (c === LOWER_T || c === UPPER_T || c === LOWER_F || c === UPPER_F) return this.readBoolean(start, end);

    const negative = c === MINUS;
    if (negative) i++;
    const digitsStart = i;
    let mantissa = 0;
    while (i < end) {
      c = body.charCodeAt(i);
      if (c < ZERO || c > NINE) break;
      mantissa = mantissa * 10 + (c - ZERO);
      i++;
    }
    const intDigits = i - digitsStart;

    if (i === end) {
      if (intDigits === 0) return VALUE_INVALID;
      if (intDigits <= 15) {
        this.value = negative ? -mantissa : mantissa;
        return VALUE_OK;
      }
      return this.readFloat(start, end);
    }
    if (i + 1 === end && intDigits > 0) {
      if (c === LOWER_I) return this.readInteger(negative, digitsStart, i, mantissa);
      if (c === LOWER_U) return negative ? VALUE_UINT_RANGE : this.readUnsigned(digitsStart, i, mantissa);
    }

    if (c === DOT) {
      i++;
      while (i < end) {
        c = body.charCodeAt(i);
        if (c < ZERO || c > NINE) break;
        mantissa = mantissa * 10 + (c - ZERO);
        i++;
      }
      const fractionDigits = i - digitsStart - intDigits - 1;
      if (intDigits + fractionDigits === 0) return VALUE_INVALID;
      if (i === end) {
        if (intDigits + fractionDigits <= 15) {
          const magnitude = mantissa / POW10[fractionDigits];
          this.value = negative ? -magnitude : magnitude;
          return VALUE_OK;
        }
        return this.readFloat(start, end);
      }
    } else if (intDigits === 0) {
      return VALUE_INVALID;
    }

    if (c !== LOWER_E && c !== UPPER_E) return VALUE_INVALID;
    i++;
    if (i < end) {
      c = body.charCodeAt(i);
      if (c === MINUS || c === PLUS) i++;
    }
    const exponentStart = i;
    while (i < end) {
      c = body.charCodeAt(i);
      if (c < ZERO || c > NINE) break;
      i++;
    }
    if (i === exponentStart || i !== end) return VALUE_INVALID;
    return this.readFloat(start, end);
  }

  /** For syntax already checked by `readValue`, which `Number` accepts and rounds correctly. */
  private readFloat(start: number, end: number): number {
    const v = Number(this.body.slice(start, end));
    if (!Number.isFinite(v)) return VALUE_NOT_FINITE;
    this.value = v;
    return VALUE_OK;
  }

  private readInteger(negative: boolean, start: number, end: number, mantissa: number): number {
    if (end - start <= 15) {
      this.value = negative ? 0 - mantissa : mantissa;
      return VALUE_OK;
    }
    const digits = significantDigits(this.body, start, end);
    if (!fitsUnder(digits, negative ? INT64_MIN_MAGNITUDE : INT64_MAX)) return VALUE_INT_RANGE;
    const magnitude = Number(digits);
    this.value = negative ? 0 - magnitude : magnitude;
    return VALUE_OK;
  }

  private readUnsigned(start: number, end: number, mantissa: number): number {
    if (end - start <= 15) {
      this.value = mantissa;
      return VALUE_OK;
    }
    const digits = significantDigits(this.body, start, end);
    if (!fitsUnder(digits, UINT64_MAX)) return VALUE_UINT_RANGE;
    this.value = Number(digits);
    return VALUE_OK;
  }

  private readBoolean(start: number, end: number): number {
    switch (this.body.slice(start, end)) {
      case 't':
      case 'T':
      case 'true':
      case 'True':
      case 'TRUE':
        this.value = 1;
        return VALUE_OK;
      case 'f':
      case 'F':
      case 'false':
      case 'False':
      case 'FALSE':
        this.value = 0;
        return VALUE_OK;
      default:
        return VALUE_INVALID;
    }
  }

  /**
   * Converts the timestamp in `[start, end)` to ms, or returns `TS_INVALID` / `TS_OUT_OF_RANGE`.
   * Splitting the digits at the millisecond gives `whole + fraction / divisor`, the same double as
   * `Number(ts / divisor) + Number(ts % divisor) / Number(divisor)` in BigInt: any in-range `whole`
   * is below 2^53 and so accumulates exactly, and `fraction` has at most 6 digits.
   */
  private readTimestamp(start: number, end: number): number {
    const body = this.body;
    let i = start;
    const negative = body.charCodeAt(i) === MINUS;
    if (negative) i++;
    if (i === end) return TS_INVALID;
    let first = -1;
    for (let k = i; k < end; k++) {
      const c = body.charCodeAt(k);
      if (c < ZERO || c > NINE) return TS_INVALID;
      if (first === -1 && c !== ZERO) first = k;
    }
    if (first === -1) return 0;
    if (negative || end - first > MAX_TIMESTAMP_DIGITS) return TS_OUT_OF_RANGE;

    const { fractionDigits, divisor, multiplier } = this.scale;
    const split = Math.max(first, end - fractionDigits);
    let whole = 0;
    for (let k = first; k < split; k++) whole = whole * 10 + (body.charCodeAt(k) - ZERO);
    let ms = whole * multiplier;
    if (split < end) {
      let fraction = 0;
      for (let k = split; k < end; k++) fraction = fraction * 10 + (body.charCodeAt(k) - ZERO);
      ms += fraction / divisor;
    }
    return ms <= MAX_TIMESTAMP_MS ? ms : TS_OUT_OF_RANGE;
  }
}

function badSeries(problem: string): Series {
  return { prefix: '', problem, fields: new Map(), layoutKeys: [], layoutTargets: [] };
}

function resolveField(body: string, start: number, end: number, prefix: string): FieldTarget {
  const key = decode(body, start, end, true, false);
  // Feeds outlive the request in the log. `+` would give a rope over slices of the body, keeping
  // the whole body alive; `join` copies into a string of its own.
  const feed = [prefix, decode(body, start, end, true, true)].join('.');
  const problem = feedNameProblem(feed);
  return { key, feed, problem: problem === undefined ? undefined : `invalid feed name ${quote(feed)}: ${problem}` };
}

function valueReason(status: number, raw: string, key: string): string {
  switch (status) {
    case VALUE_INT_RANGE:
      return `integer value ${quote(raw)} for field ${quote(key)} is out of range (signed 64-bit)`;
    case VALUE_UINT_RANGE:
      return `unsigned value ${quote(raw)} for field ${quote(key)} is out of range (0 to 2^64-1)`;
    case VALUE_NOT_FINITE:
      return `float value ${quote(raw)} for field ${quote(key)} is out of range`;
    default:
      return `invalid field value ${quote(raw)} for field ${quote(key)}`;
  }
}

function isWhitespace(c: number): boolean {
  return c === SPACE || c === TAB || (c >= 10 && c <= CR);
}

function isMeasurementEscape(c: number): boolean {
  return c === COMMA || c === SPACE || c === BACKSLASH;
}

/**
 * Tag keys, tag values and field keys share one escape set. Two contiguous backslashes are one
 * escaped backslash, as the InfluxDB line-protocol reference ("Special characters") specifies.
 */
function isKeyEscape(c: number): boolean {
  return c === COMMA || c === EQUALS || c === SPACE || c === BACKSLASH;
}

/**
 * Unescapes `[start, end)` of a measurement (`keyEscapes` false) or a key or tag value, and with
 * `sanitize` replaces every character outside the feed alphabet, a surrogate pair counting as one,
 * by `_`. Names that need neither come back as a slice.
 */
function decode(body: string, start: number, end: number, keyEscapes: boolean, sanitize: boolean): string {
  let i = start;
  while (i < end) {
    const c = body.charCodeAt(i);
    if (c === BACKSLASH || (sanitize && (c >= 128 || FEED_CHAR[c] === 0))) break;
    i++;
  }
  if (i === end) return body.slice(start, end);

  let out = body.slice(start, i);
  let run = i;
  while (i < end) {
    const c = body.charCodeAt(i);
    if (c === BACKSLASH && i + 1 < end) {
      const d = body.charCodeAt(i + 1);
      if (keyEscapes ? isKeyEscape(d) : isMeasurementEscape(d)) {
        // Every escapable character lies outside the feed alphabet.
        out += body.slice(run, i) + (sanitize ? '_' : String.fromCharCode(d));
        i += 2;
        run = i;
        continue;
      }
    }
    if (sanitize && (c >= 128 || FEED_CHAR[c] === 0)) {
      out += body.slice(run, i) + '_';
      i++;
      if (c >= 0xd800 && c <= 0xdbff && i < end) {
        const d = body.charCodeAt(i);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      run = i;
      continue;
    }
    i++;
  }
  return out + body.slice(run, end);
}

/**
 * Orders strings by code point, which is the byte order of their UTF-8 encoding (InfluxDB sorts
 * tag keys as bytes). Plain `<` compares UTF-16 units, which puts astral characters before
 * U+E000–U+FFFF.
 */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeUnitRank(x) - codeUnitRank(y);
  }
  return a.length - b.length;
}

function codeUnitRank(c: number): number {
  if (c < 0xd800) return c;
  return c >= 0xe000 ? c - 0x800 : c + 0x2000;
}

/** The digits in `[start, end)` without leading zeros (at least one digit). */
function significantDigits(body: string, start: number, end: number): string {
  let i = start;
  while (i < end - 1 && body.charCodeAt(i) === ZERO) i++;
  return body.slice(i, end);
}

/** Whether the decimal `digits` (no leading zeros) is at most `limit`. */
function fitsUnder(digits: string, limit: string): boolean {
  if (digits.length !== limit.length) return digits.length < limit.length;
  return digits <= limit;
}

function quote(text: string): string {
  return JSON.stringify(text.length > QUOTE_LIMIT ? text.slice(0, QUOTE_LIMIT) + '…' : text);
}
