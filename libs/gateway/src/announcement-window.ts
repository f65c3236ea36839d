/**
 * Coalesces changes by key. The first change of a quiet key is announced at
 * once; changes within the window after that are announced together when it
 * ends. However fast a key changes, it is announced at most twice per window,
 * so a burst of n changes costs a few announcements instead of n. One timer
 * serves every key, and only while something was announced.
 */
export class AnnouncementWindow {
  /** Keys announced in the current window: their next changes wait for its end. */
  private readonly recent = new Set<string>();
  /** Keys changed since their announcement → the socket already told of the last change, if any. */
  private readonly pending = new Map<string, string | undefined>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly windowMs: number,
    /** Tells everyone of `key`'s state, except `told` (a socket that already knows it). */
    private readonly announce: (key: string, told: string | undefined) => void,
  ) {}

  /**
   * `key` changed. `told` names a socket that was answered with the state
   * after this change (a join's acknowledgement): if no other change follows
   * before the announcement, that socket is left out of it.
   */
  changed(key: string, told?: string): void {
    if (this.recent.has(key)) {
      this.pending.set(key, told);
      return;
    }
    this.recent.add(key);
    this.arm();
    this.announce(key, told);
  }

  /** Drops what is pending and stops the timer. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    this.recent.clear();
  }

  private arm(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => this.flush(), this.windowMs);
    // pending announcements never hold a stopping process open
    this.timer.unref();
  }

  private flush(): void {
    this.timer = undefined;
    this.recent.clear();
    const due = [...this.pending];
    this.pending.clear();
    for (const [key] of due) this.recent.add(key);
    if (due.length > 0) this.arm();
    for (const [key, told] of due) this.announce(key, told);
  }
}
