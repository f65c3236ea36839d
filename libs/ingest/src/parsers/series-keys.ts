import { seriesKey, type Labels } from '@pulseboard/protocol';

/** Label sets one parse remembers (a batch repeats a few hundred; what is forgotten is resolved again). */
const MAX_REMEMBERED = 10_000;

/** A label set as one point wrote it, with the series key it resolved to. */
interface LabelSet {
  readonly feed: string;
  /** Label keys in the order the point listed them, and their values. */
  readonly keys: readonly string[];
  readonly values: readonly string[];
  readonly key: string;
}

/**
 * Series keys of decoded JSON points that carry labels. The points of a batch repeat their series,
 * so each distinct label set as written (feed, keys in order, values) is validated, sorted and
 * escaped once; a later point finds it by a hash of its text and confirms it by comparing, which
 * costs a fraction of doing that work again.
 */
export class SeriesKeys {
  private readonly known = new Map<number, LabelSet[]>();
  private size = 0;

  /** The series key of `feed` with `labels` when this set was added before, or `undefined`. */
  find(feed: string, labels: unknown): string | undefined {
    if (typeof labels !== 'object' || labels === null) return undefined;
    const candidates = this.known.get(hashOf(feed, labels));
    if (candidates === undefined) return undefined;
    for (let i = 0; i < candidates.length; i++) if (isSameSet(candidates[i], feed, labels)) return candidates[i].key;
    return undefined;
  }

  /** The series key of `feed` (valid) with `labels` (valid: `labelsProblem` found none), remembered. */
  add(feed: string, labels: Labels): string {
    // a batch of ever new series would otherwise keep them all until its end, for nothing
    if (this.size === MAX_REMEMBERED) {
      this.known.clear();
      this.size = 0;
    }
    const set = labelSet(feed, labels);
    const hash = hashOf(feed, labels);
    const candidates = this.known.get(hash);
    if (candidates === undefined) this.known.set(hash, [set]);
    else candidates.push(set);
    this.size++;
    return set.key;
  }
}

/**
 * FNV-1a over the feed and each label's key and value. A value that is not a string counts as
 * empty: no set that was added holds one, so comparing finds no match.
 */
function hashOf(feed: string, labels: object): number {
  let hash = hashText(0x811c9dc5, feed);
  for (const key in labels) {
    if (!Object.hasOwn(labels, key)) continue;
    const value = (labels as Record<string, unknown>)[key];
    hash = hashText(hashText(hash, key), typeof value === 'string' ? value : '');
  }
  return hash;
}

function hashText(hash: number, text: string): number {
  // the length first, so that text moved from one part to the next changes the hash
  hash = Math.imul(hash ^ text.length, 0x01000193);
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}

function isSameSet(set: LabelSet, feed: string, labels: object): boolean {
  if (set.feed !== feed) return false;
  let i = 0;
  for (const key in labels) {
    if (!Object.hasOwn(labels, key)) continue;
    if (i === set.keys.length || set.keys[i] !== key) return false;
    if (set.values[i] !== (labels as Record<string, unknown>)[key]) return false;
    i++;
  }
  return i === set.keys.length;
}

function labelSet(feed: string, labels: Labels): LabelSet {
  const keys: string[] = [];
  const values: string[] = [];
  for (const key in labels) {
    if (!Object.hasOwn(labels, key)) continue;
    keys.push(key);
    values.push(labels[key]);
  }
  return { feed, keys, values, key: seriesKey(feed, labels) };
}
