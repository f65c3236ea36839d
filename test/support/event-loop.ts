import { setTimeout } from 'node:timers/promises';

const EVERY_MS = 5;

/**
 * The longest the event loop of this process was blocked, in milliseconds,
 * while `work` ran: the longest gap between two runs of a 5 ms interval.
 * The test server runs in this process, so a request that keeps the server
 * busy shows here as it would to every other client. (`monitorEventLoopDelay`
 * misses a block that starts before its timer's first run, which is where an
 * expensive request handler lands.)
 */
export async function longestStall(work: () => Promise<void>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const meter = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, EVERY_MS);
  try {
    await work();
    // a block at the very end shows once the interval runs after it
    await setTimeout(4 * EVERY_MS);
  } finally {
    clearInterval(meter);
  }
  return longest;
}
