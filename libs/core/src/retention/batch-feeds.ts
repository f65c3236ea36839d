import { ColumnRing } from './column-ring.js';
import type { Feed } from './feed.js';

const MIN_CAPACITY = 1024;
/** Column numbers: log position, and the count of entries up to and including the batch's. */
const POSITION = 0;
const END = 1;

/**
 * For each retained batch, in log order, the feeds it gave points to (each
 * once). Evicting the oldest batches then visits just those feeds: a pass
 * over every feed retained costs more than a tick once there are a few
 * hundred thousand of them, and most of them have nothing to evict. The
 * visits may be spread over several turns: dropping batches marks their
 * entries due, and `visitDue` goes through as many as it is allowed.
 */
export class BatchFeeds {
  /** Entries of the retained batches, oldest first; `undefined` once visited. */
  private entries: (Feed | undefined)[] = [];
  private readonly batches = new ColumnRing(2, MIN_CAPACITY);
  /** Entries ever added; an entry's number minus `base` is its index in `entries`. */
  private total = 0;
  private base = 0;
  /** Number of the oldest entry not yet visited. */
  private next = 0;
  /** Entries numbered below this belong to dropped batches: they are due for a visit. */
  private dueEnd = 0;

  /** Entries held (one per batch and feed). */
  get size(): number {
    return this.total - this.next;
  }

  /** Whether entries of dropped batches are still to be visited. */
  get pending(): boolean {
    return this.next < this.dueEnd;
  }

  /** Records the feeds of the batch at `position`; batches come in log order. */
  push(position: number, feeds: readonly Feed[]): void {
    for (const feed of feeds) this.entries.push(feed);
    this.total += feeds.length;
    const ring = this.batches;
    if (ring.size === ring.capacity) ring.resize(ring.capacity * 2);
    const slot = ring.append();
    ring.set(slot, POSITION, position);
    ring.set(slot, END, this.total);
  }

  /** Drops the batches at or before `position`: their entries are due for a visit. */
  dropThrough(position: number): void {
    const ring = this.batches;
    while (ring.size > 0 && ring.get(0, POSITION) <= position) {
      this.dueEnd = ring.get(0, END);
      ring.dropOldest();
    }
    ring.shrink(MIN_CAPACITY);
  }

  /** Calls `visit` with up to `limit` due entries, oldest first; returns whether none are left. */
  visitDue(limit: number, visit: (feed: Feed) => void): boolean {
    const stop = Math.min(this.dueEnd, this.next + limit);
    for (; this.next < stop; this.next++) {
      const i = this.next - this.base;
      const feed = this.entries[i];
      this.entries[i] = undefined;
      if (feed !== undefined) visit(feed);
    }
    // copy the live entries down once the visited ones are most of the array: amortised constant time
    const visited = this.next - this.base;
    if (visited > MIN_CAPACITY && visited * 2 > this.entries.length) {
      this.entries = this.entries.slice(visited);
      this.base = this.next;
    }
    return this.next === this.dueEnd;
  }
}
