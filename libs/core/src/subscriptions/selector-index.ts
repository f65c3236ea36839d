import type { Labels } from '@pulseboard/protocol';
import { PatternTrie } from './pattern-trie.js';
import type { CompiledSelector } from './selector-matcher.js';

/** A selector held for a value; `remove` takes it back. */
export interface SelectorEntry<T> {
  readonly selector: CompiledSelector;
  readonly value: T;
  /** The label and values it is filed under, if any. */
  filed?: Filing;
}

interface Filing {
  readonly label: string;
  readonly values: readonly string[];
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
    const filed = this.fileUnder(entry.selector);
    entry.filed = filed;
    if (filed === undefined) this.others.add(entry);
    else {
      let byValue = this.byLabel.get(filed.label);
      if (byValue === undefined) this.byLabel.set(filed.label, (byValue = new Map<string, Set<SelectorEntry<T>>>()));
      for (const value of filed.values) {
        let entries = byValue.get(value);
        if (entries === undefined) byValue.set(value, (entries = new Set<SelectorEntry<T>>()));
        entries.add(entry);
      }
    }
    this.size++;
  }

  remove(entry: SelectorEntry<T>): void {
    const { filed } = entry;
    if (filed === undefined) {
      if (this.others.delete(entry)) this.size--;
      return;
    }
    const byValue = this.byLabel.get(filed.label);
    if (byValue === undefined) return;
    let removed = false;
    for (const value of filed.values) {
      const entries = byValue.get(value);
      if (entries?.delete(entry) !== true) continue;
      removed = true;
      if (entries.size === 0) byValue.delete(value);
    }
    if (removed) this.size--;
    if (byValue.size === 0) this.byLabel.delete(filed.label);
  }

  /**
   * Where to file a selector: under one of its `=` matchers with a non-empty
   * value (which a missing label cannot meet), the one whose shelf is
   * emptiest so far, so that a low-cardinality label (`dc`) beside a
   * high-cardinality one (`host`) does not pile selectors on one shelf; else
   * under its first regex that is only a choice of literal values
   * (`=~"a|b|c"`, as Grafana's multi-value variables write them), which is as
   * good as several `=`.
   */
  private fileUnder(selector: CompiledSelector): Filing | undefined {
    let best: Filing | undefined;
    let fewest = Infinity;
    for (const m of selector.matchers) {
      if (m.op !== '=' || m.value === '') continue;
      const shelf = this.byLabel.get(m.label)?.get(m.value)?.size ?? 0;
      if (shelf < fewest) {
        best = { label: m.label, values: [m.value] };
        fewest = shelf;
      }
    }
    if (best !== undefined) return best;
    for (const m of selector.matchers) {
      if (m.op !== '=~') continue;
      const values = literalChoices(m.value);
      if (values !== undefined) return { label: m.label, values };
    }
    return undefined;
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

/** Characters that make a regex more than a literal. */
const REGEX_SYNTAX = /[\\.+*?()|[\]{}^$]/;

/** The values `a|b|c` (or `(a|b|c)`) matches when each choice is a non-empty literal; `undefined` otherwise. */
function literalChoices(source: string): string[] | undefined {
  const inner =
    source.startsWith('(?:') && source.endsWith(')')
      ? source.slice(3, -1)
      : source.startsWith('(') && source.endsWith(')')
        ? source.slice(1, -1)
        : source;
  const choices = inner.split('|');
  return choices.every((choice) => choice !== '' && !REGEX_SYNTAX.test(choice)) ? choices : undefined;
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
