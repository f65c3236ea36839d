/**
 * Resolves once `check` holds, checking every 50 ms: for states that send no
 * event (a connection's status, a health endpoint, the clock passing a moment).
 */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
