import { describe, expect, it } from 'vitest';
import { matchesSearch, parseSearch, serverMatch } from './feed-search';

describe('feed search', () => {
  it.each([
    ['', 'all'],
    ['   ', 'all'],
    ['cpu', 'substring'],
    ['demo.*', 'pattern'],
    ['host1.>', 'pattern'],
    ['*.cpu.user', 'pattern'],
    ['demo.>.x', 'invalid'],
    ['demo..*', 'invalid'],
    ['demo.c*', 'invalid'],
  ])('%j is a %s search', (query, kind) => {
    expect(parseSearch(query).kind).toBe(kind);
  });

  it('explains an invalid pattern', () => {
    expect(parseSearch('a.>.b')).toEqual({ kind: 'invalid', problem: "'>' may only be the last segment" });
  });

  it('matches substrings regardless of case', () => {
    const search = parseSearch('CPU');
    expect(matchesSearch(search, 'host1.cpu.user')).toBe(true);
    expect(matchesSearch(search, 'host1.mem')).toBe(false);
  });

  it('matches patterns segment by segment', () => {
    expect(matchesSearch(parseSearch('*.cpu'), 'h1.cpu')).toBe(true);
    expect(matchesSearch(parseSearch('*.cpu'), 'h1.cpu.user')).toBe(false);
    expect(matchesSearch(parseSearch('demo.>'), 'demo.a.b')).toBe(true);
    expect(matchesSearch(parseSearch('demo.>'), 'demo')).toBe(false);
  });

  it('matches nothing while the pattern is invalid', () => {
    expect(matchesSearch(parseSearch('demo.>.x'), 'demo.a.x')).toBe(false);
  });

  it('asks the server to match patterns only', () => {
    expect(serverMatch(parseSearch(' demo.* '))).toBe('demo.*');
    expect(serverMatch(parseSearch('cpu'))).toBeUndefined();
    expect(serverMatch(parseSearch(''))).toBeUndefined();
  });
});
