/** Longest delay `setTimeout` takes (about 24.8 days); later deadlines are reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `onExpiry` at `expiresAt` (ms since the epoch); returns a function that cancels it. */
export function atExpiry(expiresAt: number, onExpiry: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const remaining = expiresAt - Date.now();
    // `!(> 0)`: NaN counts as expired; setTimeout would take it as 1 ms and spin
    if (!(remaining > 0)) {
      timer = undefined;
      onExpiry();
      return;
    }
    timer = setTimeout(arm, Math.min(remaining, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
}
