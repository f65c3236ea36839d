import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor.js';
import { newEpoch } from './log/memory-log.js';

describe('cursor', () => {
  it('round-trips epoch and position', () => {
    const epoch = newEpoch();
    for (const position of [0, 1, 35, 36, 1_000_000, Number.MAX_SAFE_INTEGER]) {
      expect(decodeCursor(encodeCursor(epoch, position))).toEqual({ epoch, positions: [position] });
    }
  });

  it('is a compact token without CR, LF or NUL', () => {
    const token = encodeCursor('k3x9a0b1c2', 123_456);
    expect(token).toBe('k3x9a0b1c2-2n9c');
    expect(token).not.toMatch(/[\r\n\0]/);
  });

  it('round-trips one position per partition as the highest and the distances below it', () => {
    const epoch = newEpoch();
    const positions = [1_764_288_000_123_004, 1_764_288_000_120_000, 0, 1_764_288_000_123_004];
    const token = encodeCursor(epoch, positions);
    expect(token).toBe(`${epoch}-${positions[0].toString(36)}.0.2bg.${positions[0].toString(36)}.0`);
    expect(decodeCursor(token)).toEqual({ epoch, positions });
    expect(decodeCursor(encodeCursor(epoch, [5, 7]))).toEqual({ epoch, positions: [5, 7] });
    expect(encodeCursor(epoch, [42])).toBe(encodeCursor(epoch, 42));
  });

  it.each([
    '',
    'abc',
    'abc-',
    '-12',
    'ABC-1',
    'a-1-2',
    'a-zzzzzzzzzzzz',
    'a\n-1',
    'a-1\n',
    'a-1.',
    'a-1..0',
    'a-5.0',
    'a-5.6.0',
    'a-5.0.0.',
    'a-zzzzzzzzzzz.0.0',
  ])('rejects %j', (token) => {
    expect(decodeCursor(token)).toBeUndefined();
  });

  it('gives every log a different epoch', () => {
    const epochs = new Set(Array.from({ length: 100 }, () => newEpoch()));
    expect(epochs.size).toBe(100);
    for (const epoch of epochs) expect(epoch).toMatch(/^[0-9a-z]{10}$/);
  });
});
