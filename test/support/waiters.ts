/**
 * Promises that resolve when a condition holds, checked each time the owner
 * reports news (an event arrived): tests wait for events, never sleep.
 */
export class Waiters {
  private pending: (() => void)[] = [];

  /** Resolves once `condition()` holds; rejects after `timeoutMs` with `describe()` in the message. */
  until(condition: () => boolean, describe: () => string, timeoutMs = 10_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = this.pending.filter((w) => w !== check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${describe()}`));
      }, timeoutMs);
      const check = (): void => {
        if (!condition()) return;
        clearTimeout(timer);
        this.pending = this.pending.filter((w) => w !== check);
        resolve();
      };
      this.pending.push(check);
    });
  }

  /** Re-checks every pending condition. */
  notify(): void {
    for (const check of [...this.pending]) check();
  }
}
