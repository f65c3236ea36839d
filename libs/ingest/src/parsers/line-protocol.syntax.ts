/*
 * Character-level pieces of InfluxDB line protocol: the characters that
 * matter, the escape sets, and name decoding into the feed alphabet.
 */

export const TAB = 9;
export const NEWLINE = 10;
export const CR = 13;
export const SPACE = 32;
export const QUOTE = 34;
export const HASH = 35;
export const PLUS = 43;
export const COMMA = 44;
export const MINUS = 45;
export const DOT = 46;
export const ZERO = 48;
export const NINE = 57;
export const EQUALS = 61;
export const UPPER_E = 69;
export const UPPER_F = 70;
export const UPPER_T = 84;
export const BACKSLASH = 92;
export const LOWER_E = 101;
export const LOWER_F = 102;
export const LOWER_I = 105;
export const LOWER_T = 116;
export const LOWER_U = 117;

/** 1 for the characters a feed name may contain: `A-Z a-z 0-9 _ - : .`. */
export const FEED_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const s = String.fromCharCode(c);
  FEED_CHAR[c] = /[A-Za-z0-9_\-:.]/.test(s) ? 1 : 0;
}

export function isWhitespace(c: number): boolean {
  return c === SPACE || c === TAB || (c >= 10 && c <= CR);
}

export function isMeasurementEscape(c: number): boolean {
  return c === COMMA || c === SPACE || c === BACKSLASH;
}

/**
 * Tag keys, tag values and field keys share one escape set. Two contiguous backslashes are one
 * escaped backslash, as the InfluxDB line-protocol reference ("Special characters") specifies.
 */
export function isKeyEscape(c: number): boolean {
  return c === COMMA || c === EQUALS || c === SPACE || c === BACKSLASH;
}

/**
 * Unescapes `[start, end)` of a measurement (`keyEscapes` false) or a key or tag value, and with
 * `sanitize` replaces every character outside the feed alphabet, a surrogate pair counting as one,
 * by `_`. Names that need neither come back as a slice.
 */
export function decode(body: string, start: number, end: number, keyEscapes: boolean, sanitize: boolean): string {
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

/** Longest excerpt of user input quoted in a reason: a reason should point, not echo the body. */
const QUOTE_LIMIT = 64;

/** Quotes user text for an error message, cut to a readable length. */
export function quote(text: string): string {
  return JSON.stringify(text.length > QUOTE_LIMIT ? text.slice(0, QUOTE_LIMIT) + '…' : text);
}

/**
 * Where the line that starts (after its indentation) at `start` ends: its newline, or the body's end.
 * This is how InfluxDB splits a body into lines (`scanLine` in its `models/points.go`): once past
 * the measurement and tags, a quote that opens a field value starts a string, and a newline inside
 * it does not end the line. Unlike InfluxDB, a backslash never carries a line over a newline
 * outside a string (the line-protocol reference allows no newline in names or tag values).
 * Used for bad lines only, so that how far a bad line reaches does not depend on where it is bad;
 * a good line gets the same answer from parsing it.
 */
export function lineEnd(body: string, start: number): number {
  const length = body.length;
  let inFields = false;
  let quoted = false;
  // a quote opens a string only where a value starts: after more `=` than `,` outside strings
  let equals = 0;
  let commas = 0;
  for (let i = start; i < length; i++) {
    const c = body.charCodeAt(i);
    if (c === BACKSLASH) {
      if (i + 1 < length && body.charCodeAt(i + 1) !== NEWLINE) i++;
    } else if (c === NEWLINE) {
      if (!quoted) return i;
    } else if (!inFields) {
      inFields = c === SPACE;
    } else if (quoted) {
      quoted = c !== QUOTE;
    } else if (c === EQUALS) {
      equals++;
    } else if (c === COMMA) {
      commas++;
    } else if (c === QUOTE) {
      quoted = equals > commas;
    }
  }
  return length;
}

/**
 * The index of the quote that closes the string value whose text starts at `from`, or -1 when the
 * body ends first. `\"` and `\\` are escapes; a newline is part of the string, as InfluxDB reads
 * on to the closing quote.
 */
export function closingQuote(body: string, from: number): number {
  const length = body.length;
  let i = from;
  while (i < length) {
    const c = body.charCodeAt(i);
    if (c === QUOTE) return i;
    if (c === BACKSLASH && i + 1 < length) {
      const d = body.charCodeAt(i + 1);
      i += d === QUOTE || d === BACKSLASH ? 2 : 1;
    } else {
      i++;
    }
  }
  return -1;
}

/** How many newlines lie in `[from, to)`. */
export function countNewlines(body: string, from: number, to: number): number {
  let count = 0;
  for (let i = body.indexOf('\n', from); i !== -1 && i < to; i = body.indexOf('\n', i + 1)) count++;
  return count;
}
