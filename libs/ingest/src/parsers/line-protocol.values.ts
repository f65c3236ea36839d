import {
  quote,
  DOT,
  LOWER_E,
  LOWER_F,
  LOWER_I,
  LOWER_T,
  LOWER_U,
  MINUS,
  NINE,
  PLUS,
  UPPER_E,
  UPPER_F,
  UPPER_T,
  ZERO,
} from './line-protocol.syntax.js';

/** Unit of line-protocol timestamps, as in InfluxDB's `precision` query parameter. */
export type Precision = 'ns' | 'us' | 'ms' | 's';

export const PRECISIONS: readonly Precision[] = Object.freeze(['ns', 'us', 'ms', 's'] as const);

export function isPrecision(value: string): value is Precision {
  return (PRECISIONS as readonly string[]).includes(value);
}

/** Exact powers of ten: every one up to 1e22 is representable, which the float fast path relies on. */
export const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

export const INT64_MAX = '9223372036854775807';
export const INT64_MIN_MAGNITUDE = '9223372036854775808';
export const UINT64_MAX = '18446744073709551615';

/** Status of a field value read by `readValue`; the number itself is left in `value`. */
export const VALUE_OK = 0;
export const VALUE_INVALID = 1;
export const VALUE_INT_RANGE = 2;
export const VALUE_UINT_RANGE = 3;
export const VALUE_NOT_FINITE = 4;

/** Timestamps are never negative, so negative numbers can report failures. */
export const TS_INVALID = -1;
export const TS_OUT_OF_RANGE = -2;

export interface Scale {
  /** Digits of the timestamp that are below a millisecond. */
  fractionDigits: number;
  divisor: number;
  multiplier: number;
  /**
   * The latest timestamp in this unit, in decimal: InfluxDB keeps time as signed 64-bit
   * nanoseconds and refuses a timestamp that does not fit once converted to them
   * (2262-04-11T23:47:16.854775807Z). Comparing digits refuses a megabyte of them with a scan.
   */
  latest: string;
}

export const SCALES: Record<Precision, Scale> = {
  ns: { fractionDigits: 6, divisor: 1e6, multiplier: 1, latest: INT64_MAX },
  us: { fractionDigits: 3, divisor: 1e3, multiplier: 1, latest: INT64_MAX.slice(0, -3) },
  ms: { fractionDigits: 0, divisor: 1, multiplier: 1, latest: INT64_MAX.slice(0, -6) },
  s: { fractionDigits: 0, divisor: 1, multiplier: 1000, latest: INT64_MAX.slice(0, -9) },
};

/**
 * Reads line-protocol field values and timestamps straight from the body,
 * without slicing it for the common short forms.
 */
export class ValueReader {
  /** The number read by the last successful `read`. */
  value = 0;

  constructor(
    private readonly body: string,
    private readonly scale: Scale,
  ) {}

  /**
   * Reads the non-string field value in `[start, end)` into `this.value`. Plain decimals of up to
   * 15 digits are computed directly, which is exact: both the digits and the power of ten are exact
   * doubles, so one division rounds correctly. Everything longer goes through `Number`.
   */
  read(start: number, end: number): number {
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
  readTimestamp(start: number, end: number): number {
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
    const { fractionDigits, divisor, multiplier, latest } = this.scale;
    if (negative || !fitsUnderAt(body, first, end, latest)) return TS_OUT_OF_RANGE;

    const split = Math.max(first, end - fractionDigits);
    let whole = 0;
    for (let k = first; k < split; k++) whole = whole * 10 + (body.charCodeAt(k) - ZERO);
    let ms = whole * multiplier;
    if (split < end) {
      let fraction = 0;
      for (let k = split; k < end; k++) fraction = fraction * 10 + (body.charCodeAt(k) - ZERO);
      ms += fraction / divisor;
    }
    return ms;
  }
}

export function valueReason(status: number, raw: string, key: string): string {
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

/** The digits in `[start, end)` without leading zeros (at least one digit). */
export function significantDigits(body: string, start: number, end: number): string {
  let i = start;
  while (i < end - 1 && body.charCodeAt(i) === ZERO) i++;
  return body.slice(i, end);
}

/** Whether the decimal digits in `[start, end)` of `body` (no leading zeros) are at most `limit`, without slicing. */
function fitsUnderAt(body: string, start: number, end: number, limit: string): boolean {
  if (end - start !== limit.length) return end - start < limit.length;
  for (let k = 0; k < limit.length; k++) {
    const c = body.charCodeAt(start + k);
    const l = limit.charCodeAt(k);
    if (c !== l) return c < l;
  }
  return true;
}

/** Whether the decimal `digits` (no leading zeros) is at most `limit`. */
export function fitsUnder(digits: string, limit: string): boolean {
  if (digits.length !== limit.length) return digits.length < limit.length;
  return digits <= limit;
}
