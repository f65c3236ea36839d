import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor.js';
import { newEpoch } from './log/memory-log.js';

describe('cursor', () => {
  it('round-trips epoch and position', () => {
    const epoch = newEpoch();
    for (const position of [0, 1, 35, 36, 1_000_000, Number.MAX_SAFE_INTEGER]) {
      expect(decodeCursor(encodeCursor(epoch, position))).toEqual({ epoch, position });
    }
  });

  it('is a compact token without CR, LF or NUL', () => {
    const token = encodeCursor('k3x9a0b1c2', 123_456);
    expect(token).toBe('k3x9a0b1c2-2n9c');
    expect(token).not.toMatch(/[\r\n\0]/);
  });

  it.each(['', 'abc', 'abc-', '-12', 'ABC-1', 'a-1-2', 'a-zzzzzzzzzzzz', 'a\n-1', 'a-1\n'])('rejects %j', (token) => {
    expect(decodeCursor(token)).toBeUndefined();
  });

  it('gives every log a different epoch', () => {
    const epochs = new Set(Array.from({ length: 100 }, () => newEpoch()));
    expect(epochs.size).toBe(100);
    for (const epoch of epochs) expect(epoch).toMatch(/^[0-9a-z]{10}$/);
  });
});
