import { describe, expect, it } from 'vitest';
import { feedNameProblem, parsePattern, patternMatches, patternProblem, patternCovers } from './feed-name.js';

describe('feed names', () => {
  it.each(['host1.cpu.user', 'a', 'A-b_c:d.e', 'x'.repeat(200)])('accepts %s', (name) => {
    expect(feedNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', 'empty'],
    ['x'.repeat(201), 'at most 200'],
    ['a..b', 'segments'],
    ['.a', 'segments'],
    ['a.', 'segments'],
    ['a b', 'only contain'],
    ['a*', 'only contain'],
    ['a\nb', 'only contain'],
  ])('rejects %j', (name, reason) => {
    expect(feedNameProblem(name)).toContain(reason);
  });

  it('rejects non-strings', () => {
    expect(feedNameProblem(42)).toBe('feed must be a string');
  });
});

describe('patterns', () => {
  const matches = (pattern: string, feed: string): boolean => patternMatches(parsePattern(pattern), feed.split('.'));

  it('matches * as exactly one segment', () => {
    expect(matches('*.cpu.user', 'host1.cpu.user')).toBe(true);
    expect(matches('*.cpu.user', 'a.b.cpu.user')).toBe(false);
    expect(matches('host1.*', 'host1')).toBe(false);
  });

  it('matches > as one or more trailing segments', () => {
    expect(matches('host1.>', 'host1.cpu')).toBe(true);
    expect(matches('host1.>', 'host1.cpu.user')).toBe(true);
    expect(matches('host1.>', 'host1')).toBe(false);
    expect(matches('>', 'anything.at.all')).toBe(true);
  });

  it('matches plain names exactly', () => {
    expect(matches('a.b', 'a.b')).toBe(true);
    expect(matches('a.b', 'a.b.c')).toBe(false);
    expect(parsePattern('a.b').wildcard).toBe(false);
  });

  it.each(['a.>.b', 'a..b', '', 'a.b*', 'a.>>'])('rejects %j', (pattern) => {
    expect(patternProblem(pattern)).toBeDefined();
    expect(() => parsePattern(pattern)).toThrow(TypeError);
  });
});

describe('patternCovers', () => {
  it.each([
    ['host1.>', 'host1.cpu.user', true],
    ['host1.>', 'host1.cpu.*', true],
    ['host1.>', 'host1.>', true],
    ['host1.>', 'host1.*', true],
    ['host1.>', 'host1', false],
    ['host1.>', '>', false],
    ['host1.>', '*.cpu.user', false],
    ['host1.>', 'host2.cpu', false],
    ['>', '*.cpu.user', true],
    ['>', '>', true],
    ['*.cpu.user', 'host1.cpu.user', true],
    ['*.cpu.user', '*.cpu.user', true],
    ['*.cpu.user', '*.cpu.*', false],
    ['*.cpu.user', 'host1.cpu', false],
    ['*.cpu.user', 'host1.cpu.user.x', false],
    ['a.*', 'a.>', false],
    ['a.*.>', 'a.b.>', true],
    ['a.*.>', 'a.>', false],
    ['a.b', 'a.b', true],
    ['a.b', 'a.*', false],
  ])('%s covers %s: %s', (outer, inner, expected) => {
    expect(patternCovers(outer, inner)).toBe(expected);
  });
});
