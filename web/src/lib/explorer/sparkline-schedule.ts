/**
 * Which sparklines to fetch: only of rows on screen, and no series more
 * often than once per `intervalMs`, however often rows scroll in and out.
 * Series are named by key.
 */
export class SparklineSchedule {
  readonly #intervalMs: number;
  readonly #visible = new Set<string>();
  readonly #askedAt = new Map<string, number>();

  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
  }

  /** Records a row on or off screen; true when it just came on screen. */
  setVisible(feed: string, visible: boolean): boolean {
    if (!visible) {
      this.#visible.delete(feed);
      return false;
    }
    if (this.#visible.has(feed)) return false;
    this.#visible.add(feed);
    return true;
  }

  /** The visible feeds among `listed` that are due at `now`, marked as asked. */
  take(listed: readonly string[], now: number): string[] {
    const due = listed.filter(
      (feed) => this.#visible.has(feed) && now - (this.#askedAt.get(feed) ?? -Infinity) >= this.#intervalMs,
    );
    for (const feed of due) this.#askedAt.set(feed, now);
    return due;
  }

  /** A request that failed may be made again at once. */
  retry(feed: string): void {
    this.#askedAt.delete(feed);
  }

  /** Forgets feeds no longer listed, so memory stays as small as the list. */
  keepOnly(listed: ReadonlySet<string>): void {
    for (const feed of this.#askedAt.keys()) if (!listed.has(feed)) this.#askedAt.delete(feed);
  }
}

/** The series keys of `feeds`, for membership tests. */
export function keysOf(feeds: readonly { series: string }[]): ReadonlySet<string> {
  return new Set(feeds.map((feed) => feed.series));
}

/** Deletes the entries of `map` whose key is not in `keep`. */
export function pruneMap(map: Map<string, unknown>, keep: ReadonlySet<string>): void {
  for (const key of map.keys()) if (!keep.has(key)) map.delete(key);
}
