import { parsePattern } from '@pulseboard/protocol';
import { describe, expect, it } from 'vitest';
import { PatternTrie } from './pattern-trie.js';

function matches(trie: PatternTrie<string>, feed: string): string[] {
  const found: string[] = [];
  trie.match(feed.split('.'), (v) => found.push(v));
  return found.sort();
}

describe('PatternTrie', () => {
  it('finds exact, * and > patterns', () => {
    const trie = new PatternTrie<string>();
    for (const p of ['host1.cpu.user', 'host1.>', '*.cpu.user', '*.*', '>', 'host2.>', 'host1.cpu.*']) {
      trie.add(parsePattern(p), p);
    }
    expect(matches(trie, 'host1.cpu.user')).toEqual(['*.cpu.user', '>', 'host1.>', 'host1.cpu.*', 'host1.cpu.user']);
    expect(matches(trie, 'host1.cpu')).toEqual(['*.*', '>', 'host1.>']);
    expect(matches(trie, 'host1')).toEqual(['>']);
    expect(matches(trie, 'host3.mem.free')).toEqual(['>']);
  });

  it('says whether any pattern matches, as the full match would', () => {
    const trie = new PatternTrie<string>();
    for (const p of ['host1.cpu.user', 'host1.>', '*.cpu.user', '*.*', 'host2.*.x']) trie.add(parsePattern(p), p);
    for (const feed of [
      'host1.cpu.user',
      'host1.cpu',
      'host1',
      'a.b',
      'host2.y.x',
      'host2.y.z',
      'a.cpu.user',
      'a.b.c',
    ]) {
      expect(trie.matches(feed.split('.'))).toBe(matches(trie, feed).length > 0);
    }
    expect(trie.matches(['host1'])).toBe(false);
    expect(trie.matches(['host2', 'y', 'x'])).toBe(true);
  });

  it('removes values and prunes branches', () => {
    const trie = new PatternTrie<string>();
    trie.add(parsePattern('a.*.c'), 'x');
    trie.add(parsePattern('a.>'), 'y');
    trie.remove(parsePattern('a.*.c'), 'x');
    expect(matches(trie, 'a.b.c')).toEqual(['y']);
    trie.remove(parsePattern('a.>'), 'y');
    expect(matches(trie, 'a.b.c')).toEqual([]);
  });

  it('finds the right few among thousands of patterns', () => {
    const trie = new PatternTrie<number>();
    for (let i = 0; i < 10_000; i++) trie.add(parsePattern(`host${i}.>`), i);
    for (let i = 0; i < 10_000; i++) trie.add(parsePattern(`*.metric${i}`), i);
    const found: number[] = [];
    trie.match(['host42', 'metric7'], (v) => found.push(v));
    expect(found.sort((a, b) => a - b)).toEqual([7, 42]);
    const none: number[] = [];
    trie.match(['other', 'x', 'y'], (v) => none.push(v));
    expect(none).toEqual([]);
  });
});
