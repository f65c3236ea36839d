import type { Labels } from '@pulseboard/protocol';
import { PatternTrie } from './pattern-trie.js';
import type { CompiledSelector } from './selector-matcher.js';

/** A selector held for a value; `remove` takes it back. */
export interface SelectorEntry<T> {
  readonly selector: CompiledSelector;
  readonly value: T;
}

/**
 * The entries of one name pattern: those whose selector has an equality
 * matcher filed under its first one (label → value → entries), the others
 * tested in turn. A series then meets only the entries its own label values
 * name, so ten thousand `cpu{host="…"}` subscriptions cost one lookup per
 * label of a new series, not ten thousand tests.
 */
class PatternEntries<T> {
  readonly byLabel = new Map<string, Map<string, Set<SelectorEntry<T>>>>();
  readonly others = new Set<SelectorEntry<T>>();
  size = 0;

  add(entry: SelectorEntry<T>): void {
    const filed = fileUnder(entry.selector);
    if (filed === undefined) this.others.add(entry);
    else {
      let values = this.byLabel.get(filed.label);
      if (values === undefined) this.byLabel.set(filed.label, (values = new Map<string, Set<SelectorEntry<T>>>()));
      let entries = values.get(filed.value);
      if (entries === undefined) values.set(filed.value, (entries = new Set<SelectorEntry<T>>()));
      entries.add(entry);
    }
    this.size++;
  }

  remove(entry: SelectorEntry<T>): void {
    const filed = fileUnder(entry.selector);
    if (filed === undefined) {
      if (this.others.delete(entry)) this.size--;
      return;
    }
    const values = this.byLabel.get(filed.label);
    const entries = values?.get(filed.value);
    if (entries?.delete(entry) !== true) return;
    this.size--;
    if (entries.size === 0) values!.delete(filed.value);
    if (values!.size === 0) this.byLabel.delete(filed.label);
  }

  match(labels: Labels, visit: (value: T) => void): void {
    for (const entry of this.others) if (entry.selector.matchesLabels(labels)) visit(entry.value);
    if (this.byLabel.size === 0) return;
    for (const label in labels) {
      const entries = this.byLabel.get(label)?.get(labels[label]);
      if (entries === undefined) continue;
      for (const entry of entries) if (entry.selector.matchesLabels(labels)) visit(entry.value);
    }
  }
}

/** The matcher an entry is filed under: its first `=` with a non-empty value (which a missing label cannot meet). */
function fileUnder(selector: CompiledSelector): { label: string; value: string } | undefined {
  return selector.matchers.find((m) => m.op === '=' && m.value !== '');
}

/**
 * Selectors stored by name pattern in a trie, and within a pattern by label
 * value: finding every selector a series matches walks the name's segments
 * and looks up the series' own labels, so its cost does not grow with the
 * number of selectors held.
 */
export class SelectorIndex<T> {
  private readonly trie = new PatternTrie<PatternEntries<T>>();
  private readonly byPattern = new Map<string, PatternEntries<T>>();

  add(selector: CompiledSelector, value: T): SelectorEntry<T> {
    const entry = { selector, value };
    let entries = this.byPattern.get(selector.pattern.source);
    if (entries === undefined) {
      entries = new PatternEntries<T>();
      this.byPattern.set(selector.pattern.source, entries);
      this.trie.add(selector.pattern, entries);
    }
    entries.add(entry);
    return entry;
  }

  remove(entry: SelectorEntry<T>): void {
    const { pattern } = entry.selector;
    const entries = this.byPattern.get(pattern.source);
    if (entries === undefined) return;
    entries.remove(entry);
    if (entries.size > 0) return;
    this.byPattern.delete(pattern.source);
    this.trie.remove(pattern, entries);
  }

  /** Calls `visit` once per stored selector the series matches (a value holding several may be visited more than once). */
  match(segments: readonly string[], labels: Labels, visit: (value: T) => void): void {
    this.trie.match(segments, (entries) => entries.match(labels, visit));
  }
}
