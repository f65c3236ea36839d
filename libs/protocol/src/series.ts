import { feedNameProblem } from './feed-name.js';

/** A series' labels: key → value. Keys sort in byte order in a series key. */
export type Labels = Readonly<Record<string, string>>;

/** Most labels one series may carry. */
export const MAX_LABELS = 32;
/** Longest label key, in characters. */
export const LABEL_KEY_MAX_LENGTH = 128;
/** Longest label value, in UTF-8 bytes. */
export const LABEL_VALUE_MAX_BYTES = 1024;

const LABEL_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Half of a UTF-16 surrogate pair without its other half: no UTF-8 encoding exists for it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A series named by its parts. */
export interface SeriesId {
  readonly name: string;
  readonly labels: Labels;
}

/** Why `key` is not a valid label key, or `undefined` when it is one. */
export function labelKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'label keys must not be empty';
  if (key.length > LABEL_KEY_MAX_LENGTH) return `label keys must be at most ${LABEL_KEY_MAX_LENGTH} characters`;
  if (!LABEL_KEY.test(key)) return `label key ${JSON.stringify(key)} must match [A-Za-z_][A-Za-z0-9_]*`;
  if (key.startsWith('__')) return `label key ${JSON.stringify(key)} is reserved (keys starting with __)`;
  return undefined;
}

/** Why `value` is not a valid label value, or `undefined` when it is one. */
export function labelValueProblem(key: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return `label ${key} must be a string`;
  if (value.length === 0) return `label ${key} must not be empty`;
  // a UTF-16 unit is at most 3 UTF-8 bytes, so only long values need counting
  if (value.length * 3 > LABEL_VALUE_MAX_BYTES && utf8Length(value) > LABEL_VALUE_MAX_BYTES) {
    return `label ${key} must be at most ${LABEL_VALUE_MAX_BYTES} bytes`;
  }
  if (LONE_SURROGATE.test(value)) return `label ${key} must be valid UTF-8`;
  return undefined;
}

/** Why `labels` (a decoded JSON value) is not a valid label set, or `undefined` when it is one. */
export function labelsProblem(labels: unknown): string | undefined {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return 'labels must be an object';
  let count = 0;
  for (const key in labels) {
    if (!Object.hasOwn(labels, key)) continue;
    if (++count > MAX_LABELS) return `a series may have at most ${MAX_LABELS} labels`;
    const problem = labelKeyProblem(key) ?? labelValueProblem(key, (labels as Record<string, unknown>)[key]);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/**
 * The series key: `name` without labels, otherwise `name{k1="v1",k2="v2"}`
 * with keys in byte order and values escaped as in the Prometheus text
 * format. One series, one key. `name` and `labels` must be valid.
 */
export function seriesKey(name: string, labels?: Labels): string {
  if (labels === undefined) return name;
  const keys = Object.keys(labels);
  if (keys.length === 0) return name;
  // label keys are ASCII, so code-unit order is byte order
  keys.sort();
  let key = `${name}{`;
  for (let i = 0; i < keys.length; i++) {
    key += `${i > 0 ? ',' : ''}${keys[i]}="${escapeLabelValue(labels[keys[i]])}"`;
  }
  return `${key}}`;
}

/** A label value as it stands between quotes: `\` → `\\`, `"` → `\"`, newline → `\n`. */
export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`)) : value;
}

/**
 * Reads a series key (or a name with labels in any order) into its parts;
 * throws `TypeError` with the reason when it is not one. `seriesKey` of the
 * result is the canonical key.
 */
export function parseSeriesKey(text: string): SeriesId {
  const brace = text.indexOf('{');
  const name = brace === -1 ? text : text.slice(0, brace);
  const nameProblem = feedNameProblem(name);
  if (nameProblem !== undefined) throw new TypeError(nameProblem);
  if (brace === -1) return { name, labels: {} };
  const reader = new BraceReader(text, brace + 1);
  const labels: Record<string, string> = {};
  let count = 0;
  while (!reader.closes()) {
    const key = reader.labelKey();
    reader.expect('=');
    const value = reader.quoted();
    if (Object.hasOwn(labels, key)) throw new TypeError(`label ${key} appears twice`);
    if (++count > MAX_LABELS) throw new TypeError(`a series may have at most ${MAX_LABELS} labels`);
    const problem = labelKeyProblem(key) ?? labelValueProblem(key, value);
    if (problem !== undefined) throw new TypeError(problem);
    labels[key] = value;
    reader.separator();
  }
  reader.end();
  return { name, labels };
}

/** Why `text` is not a series key, or `undefined` when it is one. */
export function seriesKeyProblem(text: unknown): string | undefined {
  return problemOf(text, 'series must be a string', parseSeriesKey);
}

/**
 * Why `read` refuses `text` (the message of the `TypeError` it throws), or
 * `undefined` when it reads it; `notText` when `text` is not a string.
 */
export function problemOf(text: unknown, notText: string, read: (text: string) => unknown): string | undefined {
  if (typeof text !== 'string') return notText;
  try {
    read(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The series key in canonical form (keys sorted); throws `TypeError` when `text` is not a series key. */
export function canonicalSeriesKey(text: string): string {
  if (!text.includes('{')) {
    const problem = feedNameProblem(text);
    if (problem !== undefined) throw new TypeError(problem);
    return text;
  }
  const { name, labels } = parseSeriesKey(text);
  return seriesKey(name, labels);
}

/**
 * Reads the `{…}` part of a series key or a selector: label keys, quoted
 * values with `\\`, `\"` and `\n` escapes, separators and the closing brace.
 */
export class BraceReader {
  constructor(
    private readonly text: string,
    private at: number,
  ) {}

  /** Whether the closing brace is next (skipping spaces). */
  closes(): boolean {
    this.skipSpaces();
    if (this.at >= this.text.length) throw new TypeError("labels must end with '}'");
    return this.text[this.at] === '}';
  }

  /** A label key: the characters up to an operator, a space or a brace. */
  labelKey(): string {
    this.skipSpaces();
    const start = this.at;
    while (this.at < this.text.length && /[A-Za-z0-9_]/.test(this.text[this.at])) this.at++;
    if (this.at === start) throw new TypeError(`a label key is expected at character ${start + 1}`);
    return this.text.slice(start, this.at);
  }

  /** The first of `options` the text continues with (longest first), consumed. */
  expect<T extends string>(...options: T[]): T {
    this.skipSpaces();
    for (const option of options) {
      if (this.text.startsWith(option, this.at)) {
        this.at += option.length;
        return option;
      }
    }
    throw new TypeError(`${options.map((o) => `'${o}'`).join(' or ')} expected at character ${this.at + 1}`);
  }

  /** A double-quoted string, unescaped. */
  quoted(): string {
    this.skipSpaces();
    if (this.text[this.at] !== '"') throw new TypeError(`a quoted value is expected at character ${this.at + 1}`);
    let value = '';
    let start = ++this.at;
    for (;;) {
      if (this.at >= this.text.length) throw new TypeError('a quoted value is not closed');
      const c = this.text[this.at];
      if (c === '"') break;
      if (c === '\\') {
        value += this.text.slice(start, this.at);
        const next = this.text[this.at + 1];
        if (next === '\\' || next === '"') value += next;
        else if (next === 'n') value += '\n';
        else throw new TypeError(`unknown escape \\${next ?? ''} at character ${this.at + 1}`);
        this.at += 2;
        start = this.at;
      } else this.at++;
    }
    value += this.text.slice(start, this.at);
    this.at++;
    return value;
  }

  /** A `,` between pairs (or before the closing brace). */
  separator(): void {
    this.skipSpaces();
    if (this.text[this.at] === ',') this.at++;
    else if (this.text[this.at] !== '}') throw new TypeError(`',' or '}' expected at character ${this.at + 1}`);
  }

  /** The closing brace, which must end the text. */
  end(): void {
    this.at++;
    if (this.at !== this.text.length) throw new TypeError(`unexpected text after '}' at character ${this.at + 1}`);
  }

  private skipSpaces(): void {
    while (this.text[this.at] === ' ') this.at++;
  }
}

function utf8Length(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
