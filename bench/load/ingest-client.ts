import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { LatencyHistogram } from '../lib/histogram.js';
import { errorText, num, serve } from '../lib/ipc.js';
import { FEEDS, pointsBody } from '../lib/points.js';
import { postPoints } from '../lib/post.js';

/*
 * Ingest throughput: `concurrency` keep-alive connections, each POSTing
 * pre-built bodies back to back, so that the client's cost per request is
 * only the HTTP exchange.
 */

const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const postTimes = new LatencyHistogram();
const totals = { accepted: 0, requests: 0, errors: 0, rejected: 0 };
let windowTotals = { ...totals };
let windowStart = performance.now();
let running = false;
let lastError: string | undefined;

/**
 * With `sources`, body `i` carries the feeds of source `src<i mod sources>`
 * (`src3.f0` …), as producers of different hosts would; otherwise `bench.f0` ….
 */
function start(
  port: number,
  concurrency: number,
  pointsPerBody: number,
  authorization?: string,
  sources?: number,
): unknown {
  const feedsOf = (i: number): readonly string[] =>
    sources === undefined ? FEEDS : FEEDS.map((_, f) => `src${i % sources}.f${f}`);
  const bodies = Array.from({ length: 16 }, (_, i) =>
    Buffer.from(pointsBody(pointsPerBody, Date.now(), i, { feeds: feedsOf(i) })),
  );
  running = true;
  let next = 0;
  const loop = async (): Promise<void> => {
    while (running) {
      const body = bodies[next++ % bodies.length];
      const sentAt = performance.now();
      try {
        const result = await postPoints(agent, port, body, authorization);
        postTimes.record(performance.now() - sentAt);
        totals.requests++;
        totals.accepted += result.accepted;
        if (result.status !== 202) totals.rejected++;
      } catch (error) {
        totals.errors++;
        lastError = errorText(error);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  };
  for (let i = 0; i < concurrency; i++) void loop();
  return { ok: true, bodyBytes: bodies[0].length };
}

function reset(): unknown {
  windowTotals = { ...totals };
  windowStart = performance.now();
  postTimes.clear();
  return { ok: true };
}

function report(): unknown {
  return {
    windowMs: performance.now() - windowStart,
    accepted: totals.accepted - windowTotals.accepted,
    requests: totals.requests - windowTotals.requests,
    errors: totals.errors - windowTotals.errors,
    rejected: totals.rejected - windowTotals.rejected,
    postP50Ms: postTimes.percentile(50) ?? null,
    postP99Ms: postTimes.percentile(99) ?? null,
    lastError: lastError ?? null,
  };
}

serve({
  start: (m) =>
    start(
      num(m, 'port'),
      num(m, 'concurrency'),
      num(m, 'pointsPerBody'),
      typeof m.authorization === 'string' ? m.authorization : undefined,
      typeof m.sources === 'number' ? m.sources : undefined,
    ),
  reset,
  report,
  close: () => {
    running = false;
    agent.destroy();
    setImmediate(() => process.exit(0));
    return { ok: true };
  },
});
