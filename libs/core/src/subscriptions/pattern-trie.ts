import type { FeedPattern } from '@pulseboard/protocol';

interface TrieNode<T> {
  children: Map<string, TrieNode<T>>;
  star?: TrieNode<T>;
  /** Values of patterns that end at this node. */
  exact?: Set<T>;
  /** Values of patterns with a final `>` at this node. */
  rest?: Set<T>;
}

/**
 * Patterns stored by segment, so that finding every pattern a feed name
 * matches walks only the branches the name can take: the cost grows with
 * the name's segments, not with the number of patterns (the subject tree of
 * NATS works the same way).
 */
export class PatternTrie<T> {
  private readonly root: TrieNode<T> = { children: new Map() };

  add(pattern: FeedPattern, value: T): void {
    let node = this.root;
    const { segments } = pattern;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i];
      if (segment === '>') {
        (node.rest ??= new Set()).add(value);
        return;
      }
      if (segment === '*') node = node.star ??= { children: new Map() };
      else {
        let child = node.children.get(segment);
        if (child === undefined) {
          child = { children: new Map() };
          node.children.set(segment, child);
        }
        node = child;
      }
    }
    (node.exact ??= new Set()).add(value);
  }

  remove(pattern: FeedPattern, value: T): void {
    this.removeAt(this.root, pattern.segments, 0, value);
  }

  /** Calls `visit` once per stored (pattern, value) pair that matches the feed. */
  match(feedSegments: readonly string[], visit: (value: T) => void): void {
    this.matchAt(this.root, feedSegments, 0, visit);
  }

  /** Whether any stored pattern matches the feed: stops at the first that does. */
  matches(feedSegments: readonly string[]): boolean {
    return this.matchesAt(this.root, feedSegments, 0);
  }

  private matchesAt(node: TrieNode<T>, segments: readonly string[], i: number): boolean {
    if (i === segments.length) return node.exact !== undefined;
    if (node.rest !== undefined) return true;
    const child = node.children.get(segments[i]);
    if (child !== undefined && this.matchesAt(child, segments, i + 1)) return true;
    return node.star !== undefined && this.matchesAt(node.star, segments, i + 1);
  }

  private matchAt(node: TrieNode<T>, segments: readonly string[], i: number, visit: (value: T) => void): void {
    if (i === segments.length) {
      node.exact?.forEach(visit);
      return;
    }
    node.rest?.forEach(visit);
    const child = node.children.get(segments[i]);
    if (child !== undefined) this.matchAt(child, segments, i + 1, visit);
    if (node.star !== undefined) this.matchAt(node.star, segments, i + 1, visit);
  }

  /** Removes the value and prunes empty branches; returns whether `node` is now empty. */
  private removeAt(node: TrieNode<T>, segments: readonly string[], i: number, value: T): boolean {
    if (i === segments.length) node.exact?.delete(value);
    else if (segments[i] === '>') node.rest?.delete(value);
    else if (segments[i] === '*') {
      if (node.star !== undefined && this.removeAt(node.star, segments, i + 1, value)) node.star = undefined;
    } else {
      const child = node.children.get(segments[i]);
      if (child !== undefined && this.removeAt(child, segments, i + 1, value)) node.children.delete(segments[i]);
    }
    if (node.exact?.size === 0) node.exact = undefined;
    if (node.rest?.size === 0) node.rest = undefined;
    return node.children.size === 0 && node.star === undefined && node.exact === undefined && node.rest === undefined;
  }
}
