import { describe, expect, it } from 'vitest';
import { formatLag, formatValue, formatWithUnit } from './format';

describe('format', () => {
  it('shows values to four significant digits, large ones whole, tiny ones in exponent form', () => {
    expect(formatValue(42.25)).toBe('42.25');
    expect(formatValue(1.23456)).toBe('1.235');
    expect(formatValue(123_456.7)).toBe('123,457');
    expect(formatValue(7.271e-7)).toBe('7.27e-7');
    expect(formatValue(0)).toBe('0');
    expect(formatValue(undefined)).toBe('–');
  });

  it('adds the unit after a space, and nothing to a missing value', () => {
    expect(formatWithUnit(1.5, 'ms')).toBe('1.5 ms');
    expect(formatWithUnit(undefined, 'ms')).toBe('–');
    expect(formatWithUnit(3, '')).toBe('3');
  });

  it('shows a lag to a readable precision', () => {
    expect(formatLag(35.4)).toBe('35 ms');
    expect(formatLag(1_234)).toBe('1.2 s');
    expect(formatLag(42_000)).toBe('42 s');
    expect(formatLag(180_000)).toBe('3 min');
    expect(formatLag(-20)).toBe('−20 ms');
  });
});
