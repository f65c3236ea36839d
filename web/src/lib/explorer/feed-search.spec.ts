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
    ['cpu.*{host="a"}', 'pattern'],
    ['cpu.usage{host=~"a|b"}', 'pattern'],
    ['{host="a"}', 'pattern'],
    ['cpu{host="a"', 'invalid'],
    ['cpu{host~"a"}', 'invalid'],
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

  it('filters by label: matchers on the series key, a missing label read as ""', () => {
    const search = parseSearch('cpu.*{host="a"}');
    expect(matchesSearch(search, 'cpu.usage{host="a"}')).toBe(true);
    expect(matchesSearch(search, 'cpu.usage{dc="eu",host="a"}')).toBe(true);
    expect(matchesSearch(search, 'cpu.usage{host="b"}')).toBe(false);
    expect(matchesSearch(search, 'cpu.usage')).toBe(false);
    expect(matchesSearch(search, 'mem.used{host="a"}')).toBe(false);
    expect(matchesSearch(parseSearch('{host!="a"}'), 'mem.used')).toBe(true);
    expect(matchesSearch(parseSearch('{host=~"a|b"}'), 'mem.used{host="b"}')).toBe(true);
    expect(matchesSearch(parseSearch('{host=~"a|b"}'), 'mem.used{host="ab"}')).toBe(false);
  });

  it('matches a substring anywhere in the series key', () => {
    expect(matchesSearch(parseSearch('host="a'), 'cpu.usage{host="a"}')).toBe(true);
    expect(matchesSearch(parseSearch('usage'), 'cpu.usage{host="a"}')).toBe(true);
  });

  it('matches nothing while the pattern is invalid', () => {
    expect(matchesSearch(parseSearch('demo.>.x'), 'demo.a.x')).toBe(false);
  });

  it('asks the server to match name patterns only, and matches labels here', () => {
    expect(serverMatch(parseSearch(' demo.* '))).toBe('demo.*');
    expect(serverMatch(parseSearch('cpu.*{host="a"}'))).toBe('cpu.*');
    expect(serverMatch(parseSearch('{host="a"}'))).toBeUndefined();
    expect(serverMatch(parseSearch('cpu'))).toBeUndefined();
    expect(serverMatch(parseSearch(''))).toBeUndefined();
  });
});
