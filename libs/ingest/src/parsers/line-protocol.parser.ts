import { setImmediate as nextTurn } from 'node:timers/promises';
import { PointBatchBuilder } from '@pulseboard/core';
import {
  type ErrorDetail,
  type IgnoredField,
  feedNameProblem,
  labelKeyProblem,
  labelValueProblem,
  MAX_LABELS,
  seriesKey,
} from '@pulseboard/protocol';
import type { ParseOptions, ParseResult } from './parse-result.js';
import {
  isPrecision,
  SCALES,
  TS_INVALID,
  TS_OUT_OF_RANGE,
  VALUE_OK,
  ValueReader,
  valueReason,
  type Precision,
  type Scale,
} from './line-protocol.values.js';
import {
  BACKSLASH,
  COMMA,
  EQUALS,
  HASH,
  QUOTE,
  SPACE,
  closingQuote,
  countNewlines,
  decode,
  isKeyEscape,
  isMeasurementEscape,
  isWhitespace,
  lineEnd,
  NINE,
  quote,
  ZERO,
} from './line-protocol.syntax.js';

export { isPrecision, PRECISIONS, type Precision } from './line-protocol.values.js';

const STRING_FIELD_REASON = 'string fields are not stored';
/** Distinct series a parse remembers (agents send a few hundred; what is forgotten is resolved again). */
const MAX_SERIES_REMEMBERED = 10_000;
const LABEL_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** With `u`, a character outside the BMP is one match. */
const NOT_LABEL_KEY_CHAR = /[^A-Za-z0-9_]/gu;

/** A field key as it resolves under one measurement and tag set. */
interface FieldTarget {
  /** Unescaped key, as reported in `ignored` and in reasons. */
  readonly key: string;
  /** The series key the field's values go to. */
  readonly series: string;
  /** Why the feed name is not valid; numeric values of this field make the line bad. */
  readonly problem: string | undefined;
}

/** A measurement with its tag set, resolved once per distinct raw text. */
interface Series {
  /** The measurement, every character outside the feed alphabet replaced by `_`. */
  readonly measurement: string;
  /** The tags as the labels part of a series key, after its `{` (`host="h1"}`); empty without tags. */
  readonly labels: string;
  /** Why the measurement or tag set is malformed. */
  readonly problem: string | undefined;
  /**
   * Raw (still escaped) field key → its target, for keys the layout below no longer holds; made
   * only once a series changes its layout (a body of a thousand new series makes none).
   */
  fields: Map<string, FieldTarget> | undefined;
  /**
   * Raw field keys and targets by position in the last line of this series: producers repeat the
   * same field layout, so comparing in place avoids slicing and hashing each key.
   */
  readonly layoutKeys: string[];
  readonly layoutTargets: FieldTarget[];
}

/**
 * Parses an InfluxDB line-protocol body into a batch of points. Each field of a line is a series:
 * its feed name is `<measurement>.<field key>` with every character outside the feed alphabet
 * replaced by `_`, and every tag is a label (see {@link labelKeyOf} for the keys). The body is
 * refused whole if any line is bad.
 */
export function parseLineProtocol(
  body: string | readonly string[],
  options: ParseOptions & { precision: Precision },
): ParseResult {
  return new LineProtocolParser(body, options).parse(Infinity) as ParseResult;
}

/** Bytes of a body decoded into one string at most, well under V8's large-object size. */
const PIECE_BYTES = 64 * 1024;

/**
 * A line-protocol body as text: in pieces of whole lines, each under 64 KiB,
 * when no line can span pieces. V8 allocates a string of more than 128 KiB
 * apart from the rest of the heap, at about fifty times the cost of a smaller
 * one (a 1,000-line Telegraf batch with 8 tags is 140 KiB), while a body cut
 * at its newlines (a byte UTF-8 never uses inside a character) decodes piece
 * by piece exactly. A body with a `"` may hold a string field with a newline
 * in it, so it is decoded whole.
 */
export function lineProtocolText(body: Buffer): string | string[] {
  if (body.length <= PIECE_BYTES || body.includes(QUOTE_BYTE)) return body.toString('utf8');
  const pieces: string[] = [];
  let start = 0;
  while (start < body.length) {
    const newline = start + PIECE_BYTES >= body.length ? -1 : body.indexOf(NEWLINE_BYTE, start + PIECE_BYTES);
    const end = newline === -1 ? body.length : newline + 1;
    pieces.push(body.toString('utf8', start, end));
    start = end;
  }
  return pieces;
}

const QUOTE_BYTE = 0x22;
const NEWLINE_BYTE = 0x0a;

/**
 * Characters of a body parsed in one turn of the event loop: a few milliseconds' work even when
 * every line names a new series (the slowest kind), where a whole 10 MB body takes seconds.
 */
const CHARS_PER_TURN = 32 * 1024;

/**
 * Like {@link parseLineProtocol}, but a long body is parsed a slice at a time, letting other
 * requests and the delivery tick run in between.
 */
export async function parseLineProtocolInTurns(
  body: string | readonly string[],
  options: ParseOptions & { precision: Precision },
): Promise<ParseResult> {
  const parser = new LineProtocolParser(body, options);
  for (;;) {
    const result = parser.parse(CHARS_PER_TURN);
    if (result !== undefined) return result;
    await nextTurn();
  }
}

class LineProtocolParser {
  /** The piece of the body being parsed, and those after it. */
  private body: string;
  private readonly rest: string[];
  private readonly now: number;
  private readonly maxPoints: number;
  private readonly maxDetails: number;
  private values: ValueReader;
  private readonly scale: Scale;

  private readonly builder = new PointBatchBuilder();
  private readonly ignored: IgnoredField[] = [];
  private readonly details: ErrorDetail[] = [];
  private badLines = 0;
  private points = 0;
  /** Where the next line starts, and its number less one, between slices of the body. */
  private next = 0;
  private line = 0;
  /**
   * The newline (or the body's end) that ends the line being parsed: the first one after its start,
   * unless a string value holds newlines, which moves it on past them.
   */
  private lineBreak = 0;

  private readonly series = new Map<string, Series>();
  /** The first space at or after the last place searched from (the body's length when none): lines start ever later, so each character is searched once. */
  private nextSpace = -1;
  /** Raw text of the previous line's series: consecutive lines usually share it. */
  private lastSeriesKey = '';
  private lastSeries: Series | undefined;

  /** Fields of the line being parsed; committed only once its timestamp is known to be good. */
  private readonly pendingSeries: string[] = [];
  private readonly pendingValues: number[] = [];

  constructor(body: string | readonly string[], options: ParseOptions & { precision: Precision }) {
    // Callers validate the query parameter; this guards against one that forgot.
    if (!isPrecision(options.precision)) throw new TypeError(`unknown precision ${JSON.stringify(options.precision)}`);
    const pieces = typeof body === 'string' ? [body] : [...body];
    this.body = pieces.shift() ?? '';
    this.rest = pieces;
    this.now = options.now;
    this.maxPoints = options.maxPoints;
    this.maxDetails = options.maxDetails;
    this.scale = SCALES[options.precision];
    this.values = new ValueReader(this.body, this.scale);
  }

  /** Moves on to the next piece of the body (whole lines, so lines and their numbers carry on). */
  private nextPiece(): void {
    this.body = this.rest.shift()!;
    this.values = new ValueReader(this.body, this.scale);
    this.next = 0;
    this.nextSpace = -1;
    // the remembered raw text is compared in place in the new piece as in the old
  }

  /**
   * Parses the lines that start within the next `chars` characters; answers the result once the
   * body is done (or refused), or `undefined` while lines are left.
   */
  parse(chars: number): ParseResult | undefined {
    const body = this.body;
    const length = body.length;
    let start = this.next;
    let line = this.line;
    const stop = Math.min(length, start + chars);
    while (start < stop) {
      line++;
      const newline = body.indexOf('\n', start);
      let end = newline === -1 ? length : newline;
      this.lineBreak = end;

      while (start < end && isWhitespace(body.charCodeAt(start))) start++;
      if (start < end && body.charCodeAt(start) !== HASH) {
        // Trailing whitespace (including the CR of CRLF) is not part of the last token.
        while (isWhitespace(body.charCodeAt(end - 1))) end--;
        const reason = this.parseLine(start, end, line);
        if (reason !== undefined) {
          // where a bad line ends must not depend on where it went wrong
          this.lineBreak = lineEnd(body, start);
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
      // lines are numbered as an editor shows them: the newlines inside a string count too
      if (this.lineBreak !== newline && newline !== -1) line += countNewlines(body, newline, this.lineBreak);
      start = this.lineBreak + 1;
    }
    if (start < length) {
      this.next = start;
      this.line = line;
      return undefined;
    }
    if (this.rest.length > 0) {
      this.line = line;
      this.nextPiece();
      return chars === Infinity ? this.parse(Infinity) : undefined;
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
  /**
   * Where a line's series (measurement and tags) ends: at its first unescaped
   * space, or at `end`. The first space, found natively, is that space unless
   * a backslash stands before it (an escaped space, or an escaped backslash);
   * only then are the characters walked one by one.
   */
  private seriesEnd(start: number, end: number): number {
    const body = this.body;
    if (this.nextSpace < start) {
      const found = body.indexOf(' ', start);
      this.nextSpace = found === -1 ? body.length : found;
    }
    const space = this.nextSpace;
    if (space >= end || body.charCodeAt(space - 1) === BACKSLASH) return walkSeries(body, start, end);
    return space;
  }

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
      i = this.seriesEnd(start, end);
      const key = body.slice(start, i);
      let found = this.series.get(key);
      if (found === undefined) {
        found = this.resolveSeries(start, i);
        // a body of ever new series would otherwise keep them all until its end, for nothing
        if (this.series.size === MAX_SERIES_REMEMBERED) this.series.clear();
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

    const pendingSeries = this.pendingSeries;
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
        target = series.fields?.get(rawKey) ?? resolveField(body, keyStart, i, series);
        const displaced = series.layoutKeys[position];
        if (displaced !== undefined && displaced !== rawKey) {
          (series.fields ??= new Map()).set(displaced, series.layoutTargets[position]);
        }
        series.layoutKeys[position] = rawKey;
        series.layoutTargets[position] = target;
      }
      i++;

      if (i < end && body.charCodeAt(i) === QUOTE) {
        const close = closingQuote(body, i + 1);
        if (close === -1) return `unterminated string for field ${quote(target.key)}`;
        i = close + 1;
        if (close > end) {
          // the string held a newline: the line goes on to the next newline after it
          const newline = body.indexOf('\n', i);
          this.lineBreak = newline === -1 ? body.length : newline;
          end = this.lineBreak;
          while (isWhitespace(body.charCodeAt(end - 1))) end--;
        }
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
        const status = this.values.read(valueStart, i);
        if (status !== VALUE_OK) return valueReason(status, body.slice(valueStart, i), target.key);
        if (target.problem !== undefined) return target.problem;
        pendingSeries[count] = target.series;
        pendingValues[count] = this.values.value;
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
      t = this.values.readTimestamp(tsStart, i);
      if (t === TS_INVALID) return `invalid timestamp ${quote(body.slice(tsStart, i))}`;
      if (t === TS_OUT_OF_RANGE) return 'timestamp out of range';
      if (i < end) return 'unexpected text after timestamp';
    }

    this.points += count;
    // After a bad line the batch is never returned, so there is no point in filling it.
    if (this.badLines === 0) {
      const builder = this.builder;
      for (let k = 0; k < count; k++) builder.add(pendingSeries[k], t, pendingValues[k]);
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

    const labels: Record<string, string> = {};
    /** Label key → the tag key it came from, to name both when two tags become one label. */
    const tagKeys = new Map<string, string>();
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

      const label = labelKeyOf(key);
      const earlier = tagKeys.get(label);
      if (earlier === key) return badSeries(`duplicate tag ${quote(key)}`);
      if (earlier !== undefined) {
        return badSeries(`tags ${quote(earlier)} and ${quote(key)} would both be the label ${label}`);
      }
      if (tagKeys.size === MAX_LABELS) {
        return badSeries(`more than ${MAX_LABELS} tags (a series has at most ${MAX_LABELS} labels)`);
      }
      const keyProblem = labelKeyProblem(label);
      if (keyProblem !== undefined) return badSeries(`invalid tag key ${quote(key)}: ${keyProblem}`);
      const value = decode(body, valueStart, i, true, false);
      const valueProblem = labelValueProblem(label, value);
      if (valueProblem !== undefined) return badSeries(`invalid value for tag ${quote(key)}: ${valueProblem}`);
      tagKeys.set(label, key);
      labels[label] = value;
    }
    return {
      measurement,
      // the series key without its name and `{`, so that a field's key is one join away
      labels: tagKeys.size === 0 ? '' : seriesKey(measurement, labels).slice(measurement.length + 1),
      problem: undefined,
      fields: undefined,
      layoutKeys: [],
      layoutTargets: [],
    };
  }
}

function badSeries(problem: string): Series {
  return { measurement: '', labels: '', problem, fields: undefined, layoutKeys: [], layoutTargets: [] };
}

/**
 * The label a tag key becomes: every character outside `[A-Za-z0-9_]` becomes `_` (a character
 * outside the BMP counting as one), as Prometheus' remote-write and OpenTelemetry translators
 * sanitize label names, and a key that would start with a digit gets a leading `_`, which keeps the
 * digit (Prometheus' underscore escaping replaces it; OpenTelemetry's `key_` is longer).
 * `host.name` → `host_name`, `1m` → `_1m`. Keys that end up starting with `__` are reserved, and two
 * tags that end up as one label make the line bad rather than one series out of two.
 */
export function labelKeyOf(tagKey: string): string {
  const label = LABEL_KEY.test(tagKey) ? tagKey : tagKey.replace(NOT_LABEL_KEY_CHAR, '_');
  const first = label.charCodeAt(0);
  return first >= ZERO && first <= NINE ? `_${label}` : label;
}

function resolveField(body: string, start: number, end: number, series: Series): FieldTarget {
  const key = decode(body, start, end, true, false);
  // Series keys outlive the request in the log. `+` would give a rope over slices of the body,
  // keeping the whole body alive; `join` with a separator copies into a string of its own.
  const feed = [series.measurement, decode(body, start, end, true, true)].join('.');
  const problem = feedNameProblem(feed);
  return {
    key,
    series: series.labels === '' ? feed : [feed, series.labels].join('{'),
    problem: problem === undefined ? undefined : `invalid feed name ${quote(feed)}: ${problem}`,
  };
}

function walkSeries(body: string, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const c = body.charCodeAt(i);
    if (c === SPACE) break;
    if (c === BACKSLASH && i + 1 < end) {
      const d = body.charCodeAt(i + 1);
      i += d === SPACE || d === BACKSLASH ? 2 : 1;
    } else i++;
  }
  return i;
}
