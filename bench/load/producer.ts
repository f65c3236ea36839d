import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { LatencyHistogram } from '../lib/histogram.js';
import { errorText, num, serve } from '../lib/ipc.js';
import { pointsBody } from '../lib/points.js';
import { postPoints } from '../lib/post.js';

/*
 * One producer at a fixed rate: every interval it sends the points that are
 * due by then (so timer drift does not change the rate), all stamped with
 * `t = Date.now()` at send. When the server has `maxInFlight` requests
 * unanswered, the due points are skipped and counted: the server is not
 * keeping up, and queueing more would only measure this process's memory.
 */

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const postTimes = new LatencyHistogram();

let timer: NodeJS.Timeout | undefined;
let inFlight = 0;
const totals = { sent: 0, accepted: 0, skipped: 0, requests: 0, errors: 0 };
let statuses = new Map<number, number>();
let windowTotals = { ...totals };
let windowStart = performance.now();
let lastError: string | undefined;

function start(port: number, rate: number, intervalMs: number, maxInFlight: number): unknown {
  const started = performance.now();
  let scheduled = 0;
  let next = 0;
  timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) * rate) / 1000) - scheduled;
    if (due <= 0) return;
    scheduled += due;
    if (inFlight >= maxInFlight) {
      totals.skipped += due;
      return;
    }
    const body = pointsBody(due, Date.now(), next);
    next += due;
    inFlight++;
    totals.sent += due;
    totals.requests++;
    const sentAt = performance.now();
    postPoints(agent, port, body).then(
      (result) => {
        inFlight--;
        postTimes.record(performance.now() - sentAt);
        totals.accepted += result.accepted;
        statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
      },
      (error: unknown) => {
        inFlight--;
        totals.errors++;
        lastError = errorText(error);
      },
    );
  }, intervalMs);
  return { ok: true };
}

function reset(): unknown {
  windowTotals = { ...totals };
  windowStart = performance.now();
  statuses = new Map();
  postTimes.clear();
  return { ok: true };
}

function report(): unknown {
  const windowMs = performance.now() - windowStart;
  const non202: Record<string, number> = {};
  for (const [status, count] of statuses) if (status !== 202) non202[String(status)] = count;
  return {
    windowMs,
    sent: totals.sent - windowTotals.sent,
    accepted: totals.accepted - windowTotals.accepted,
    skipped: totals.skipped - windowTotals.skipped,
    requests: totals.requests - windowTotals.requests,
    errors: totals.errors - windowTotals.errors,
    non202,
    inFlight,
    postP50Ms: postTimes.percentile(50) ?? null,
    postP99Ms: postTimes.percentile(99) ?? null,
    lastError: lastError ?? null,
  };
}

serve({
  start: (m) => start(num(m, 'port'), num(m, 'rate'), num(m, 'intervalMs'), num(m, 'maxInFlight')),
  reset,
  report,
  close: () => {
    if (timer !== undefined) clearInterval(timer);
    agent.destroy();
    setImmediate(() => process.exit(0));
    return { ok: true };
  },
});
