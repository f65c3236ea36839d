/** What an attempt answers while the condition does not hold yet. */
type NotYet = undefined | false;

/**
 * Asks `attempt` every `intervalMs` until it answers something other than
 * `undefined` or `false`, and resolves with that answer; rejects after
 * `timeoutMs` with `what` in the message, and at once if `attempt` throws.
 * For conditions the server announces to no one (a freed connection slot, a
 * health endpoint, the clock passing a token's expiry); where an event tells
 * it, wait for the event instead (`Waiters`).
 */
export async function pollUntil<T>(
  attempt: () => T | NotYet | Promise<T | NotYet>,
  what: string,
  timeoutMs = 20_000,
  intervalMs = 50,
): Promise<Exclude<T, NotYet>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt();
    if (result !== undefined && result !== false) return result as Exclude<T, NotYet>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
