import type { TimerHandle, Timers } from '../platform.js';

/**
 * Calls `onSilence` when nothing was heard for `timeoutMs` while armed.
 * `feed()` only records the time, so a busy stream costs no timer churn: the
 * single timer, when it fires early, re-arms itself for the remainder.
 */
export class Watchdog {
  private timer: TimerHandle | undefined;
  private lastHeard = 0;

  constructor(
    private readonly timers: Timers,
    private readonly now: () => number,
    private readonly timeoutMs: number,
    private readonly onSilence: (silentMs: number) => void,
  ) {}

  get armed(): boolean {
    return this.timer !== undefined;
  }

  /** Starts (or restarts) the watch from now. */
  arm(): void {
    this.disarm();
    this.lastHeard = this.now();
    this.schedule(this.timeoutMs);
  }

  /** A sign of life. */
  feed(): void {
    this.lastHeard = this.now();
  }

  disarm(): void {
    if (this.timer === undefined) return;
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      const silentMs = this.now() - this.lastHeard;
      if (silentMs >= this.timeoutMs) this.onSilence(silentMs);
      else this.schedule(this.timeoutMs - silentMs);
    }, ms);
  }
}
