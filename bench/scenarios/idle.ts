import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchConfig } from '../lib/config.js';
import { errorText } from '../lib/ipc.js';
import { log, medianRss } from '../lib/log.js';
import { ServerProcess, Worker, type ServerKind } from '../lib/processes.js';
import { rssKB } from '../lib/proc.js';
import { connectReport } from '../lib/reports.js';
import type { IdleResult } from '../lib/results.js';

/** Opened (and kept) before the first reading, so that the stream code is loaded and compiled. */
export const WARM_CONNECTIONS = 10;
/** Steps per `idleConnections`; the heap grows in steps, so one before/after pair lands either side of one. */
const STEPS_PER_BLOCK = 4;

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

export interface IdleSteps {
  connections: number;
  rssBeforeKB: number;
  rssAfterKB: number;
  /** Slope of RSS over open connections. */
  perConnKB: number;
  /** (RSS after the first `block` − before) ÷ `block`. */
  firstBlockKB: number | undefined;
  samples: [number, number][];
}

/**
 * Server RSS while `open` adds idle connections in steps (the caller has
 * opened a few first, so that the code they run is loaded): the slope of RSS
 * over connections, and the plain before/after difference of the first `block`.
 */
export async function measureIdleSteps(
  pid: number,
  open: (count: number) => Promise<void>,
  block: number,
  blocks: number,
  quick: boolean,
): Promise<IdleSteps> {
  const step = Math.max(1, Math.round(block / STEPS_PER_BLOCK));
  const settle = (): Promise<number> => sleep(quick ? 300 : 600).then(() => medianRss(() => rssKB(pid), 3, 150));
  await sleep(quick ? 500 : 1500);
  const rssBeforeKB = await medianRss(() => rssKB(pid), 5, 200);
  const samples: [number, number][] = [[0, rssBeforeKB]];
  let opened = 0;
  let firstBlockKB: number | undefined;
  while (opened < block * blocks) {
    const count = Math.min(step, block * blocks - opened);
    await open(count);
    opened += count;
    const rss = await settle();
    samples.push([opened, rss]);
    if (firstBlockKB === undefined && opened >= block) firstBlockKB = (rss - rssBeforeKB) / opened;
  }
  return {
    connections: opened,
    rssBeforeKB,
    rssAfterKB: samples[samples.length - 1][1],
    perConnKB: slope(samples),
    firstBlockKB,
    samples,
  };
}

/** Opens `count` more idle SSE streams on `bench.>` through a subscribers worker. */
export async function openStreams(loadgen: Worker, port: number, count: number): Promise<void> {
  const report = connectReport(
    await loadgen.request(
      {
        type: 'connect',
        port,
        path: '/api/v1/stream?feeds=bench.%3E',
        count,
        sample: 0,
        concurrency: 200,
        timeoutMs: 30_000,
      },
      60_000,
    ),
  );
  if (report.helloed < count) {
    throw new Error(`only ${report.helloed} of ${count} connections opened (${report.firstError ?? 'timeout'})`);
  }
}

/**
 * Server RSS while idle SSE connections are opened in steps (no points
 * flow): the figure is the slope of RSS over connections, and the plain
 * before/after difference of the first `idleConnections` is kept beside it.
 */
export async function runIdle(config: BenchConfig, kind: ServerKind): Promise<IdleResult> {
  const block = config.idleConnections;
  let server: ServerProcess | undefined;
  let loadgen: Worker | undefined;
  try {
    server = await ServerProcess.start(kind);
    loadgen = new Worker('subscribers', 'load/subscribers.js');
    const port = server.port;
    const streams = loadgen;
    await openStreams(streams, port, WARM_CONNECTIONS);
    const steps = await measureIdleSteps(
      server.pid!,
      (count) => openStreams(streams, port, count),
      block,
      config.quick ? 1 : 3,
      config.quick,
    );
    log(
      `  ${kind}: ${steps.perConnKB.toFixed(1)} KB per idle connection (first ${block}: ${steps.firstBlockKB?.toFixed(1)} KB)`,
    );
    return { server: kind, status: 'ok', ...steps };
  } catch (error) {
    return { server: kind, status: 'failed', connections: block, reason: errorText(error) };
  } finally {
    await loadgen?.stop();
    await server?.stop();
  }
}
