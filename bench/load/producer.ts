import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { LatencyHistogram } from '../lib/histogram.js';
import { errorText, num, serve, type Message } from '../lib/ipc.js';
import { feedNames, pointsBody, values, type ValueShape } from '../lib/points.js';
import { postPoints } from '../lib/post.js';

/*
 * One producer at a fixed rate: every interval it sends the points that are
 * due by then (so timer drift does not change the rate), round-robin over
 * `feeds` feeds. Stamps: `send` gives every point of a post `t = Date.now()`
 * (latency is measured from the post); `due` gives each point the moment it
 * fell due, so a feed's points are 1000 × feeds ÷ rate ms apart as a real
 * metric's would be, none later than its post. Values are uniform noise, or
 * a drifting walk per feed (see `points.ts`). When the server has
 * `maxInFlight` requests unanswered, the due points are skipped and counted:
 * the server is not keeping up, and queueing more would only measure this
 * process's memory.
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

type Stamp = 'send' | 'due';

interface ProducerOptions {
  port: number;
  rate: number;
  intervalMs: number;
  maxInFlight: number;
  feeds: string[];
  stamp: Stamp;
  shape: ValueShape;
}

function options(m: Message): ProducerOptions {
  const feeds = m.feeds === undefined ? 10 : num(m, 'feeds');
  const stamp = m.stamp === undefined ? 'send' : m.stamp;
  if (stamp !== 'send' && stamp !== 'due') throw new TypeError('stamp must be send or due');
  const shape = m.values === undefined ? 'noise' : m.values;
  if (shape !== 'noise' && shape !== 'walk') throw new TypeError('values must be noise or walk');
  return {
    port: num(m, 'port'),
    rate: num(m, 'rate'),
    intervalMs: num(m, 'intervalMs'),
    maxInFlight: num(m, 'maxInFlight'),
    feeds: feedNames(feeds),
    stamp,
    shape,
  };
}

function start({ port, rate, intervalMs, maxInFlight, feeds, stamp, shape }: ProducerOptions): unknown {
  const started = performance.now();
  const startedEpoch = Date.now();
  const stepMs = 1000 / rate;
  const value = values(shape);
  let scheduled = 0;
  let next = 0;
  timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) * rate) / 1000) - scheduled;
    if (due <= 0) return;
    // point k (from 0) falls due once (k + 1) steps have passed
    const firstDueAt = startedEpoch + (scheduled + 1) * stepMs;
    scheduled += due;
    if (inFlight >= maxInFlight) {
      totals.skipped += due;
      return;
    }
    const body =
      stamp === 'send'
        ? pointsBody(due, Date.now(), next, { feeds, value })
        : pointsBody(due, firstDueAt, next, { feeds, stepMs, value });
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
  start: (m) => start(options(m)),
  reset,
  report,
  close: () => {
    if (timer !== undefined) clearInterval(timer);
    agent.destroy();
    setImmediate(() => process.exit(0));
    return { ok: true };
  },
});
