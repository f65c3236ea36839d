/**
 * Retries `attempt` every `intervalMs` until it answers something other than
 * `undefined`; rejects after `timeoutMs`. For conditions the server announces
 * to no one (a freed connection slot, a clock passing a token's expiry).
 */
export async function pollUntil<T>(
  attempt: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
