// the ingest lib's index also declares its Nest module, whose decorators need the metadata polyfill
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { MemoryLog, Retention } from '@pulseboard/core';
import { lineProtocolText, parseJsonPoints, parseLineProtocol, type ParseOptions } from '@pulseboard/ingest';
import { num, serve } from '../lib/ipc.js';
import { agentLabels, lineBody, pointsBody } from '../lib/points.js';

/*
 * The engine's ingest path without HTTP: the same bodies, decoded as the
 * server decodes them, appended to a MemoryLog that retention tails (the
 * server's defaults). Three stages, to see where the time goes; then the
 * whole pipeline again for points with 8 labels (JSON `labels`, and line
 * protocol tags) beside line protocol without tags, to see what labels cost.
 */

const SLICE_MS = 50;

type Stage = 'json' | 'parse' | 'pipeline' | 'labelled' | 'line' | 'lineLabelled';

function runStage(stage: Stage, bodies: Buffer[], ms: number): { points: number; ms: number } {
  const retention = new Retention({ retentionMs: 15 * 60_000, maxPointsPerFeed: 100_000, maxBytes: 256 * 1024 * 1024 });
  const log = new MemoryLog();
  log.tail((batch) => retention.apply(batch));
  const options = (): ParseOptions => ({ now: Date.now(), maxPoints: 100_000, maxDetails: 1000 });
  let points = 0;
  let next = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    const sliceEnd = performance.now() + SLICE_MS;
    while (performance.now() < sliceEnd) {
      const body = bodies[next++ % bodies.length];
      if (stage === 'json') {
        const decoded: unknown = JSON.parse(body.toString('utf8'));
        points += (decoded as { points: unknown[] }).points.length;
        continue;
      }
      const result =
        stage === 'line' || stage === 'lineLabelled'
          ? parseLineProtocol(lineProtocolText(body), { ...options(), precision: 'ns' })
          : parseJsonPoints(body.toString('utf8'), options());
      if (!result.ok) throw new Error(result.message);
      points += result.batch.feeds.length;
      if (stage !== 'parse') void log.append(result.batch);
    }
    retention.sweep();
    elapsed = performance.now() - started;
  }
  return { points, ms: elapsed };
}

function run(pointsPerBody: number, warmupMs: number, stageMs: number): unknown {
  const bodiesOf = (make: (i: number) => string): Buffer[] =>
    Array.from({ length: 16 }, (_, i) => Buffer.from(make(i)));
  const now = Date.now();
  const plain = bodiesOf((i) => pointsBody(pointsPerBody, now, i));
  const bodies: Record<Stage, Buffer[]> = {
    json: plain,
    parse: plain,
    pipeline: plain,
    labelled: bodiesOf((i) => pointsBody(pointsPerBody, now, i, { labels: agentLabels })),
    line: bodiesOf(() => lineBody(pointsPerBody, now, false)),
    lineLabelled: bodiesOf(() => lineBody(pointsPerBody, now, true)),
  };
  const result: Record<string, number> = {};
  for (const stage of ['json', 'parse', 'pipeline', 'labelled', 'line', 'lineLabelled'] as const) {
    runStage(stage, bodies[stage], warmupMs);
    const cpu = process.cpuUsage();
    const { points, ms } = runStage(stage, bodies[stage], stageMs);
    const used = process.cpuUsage(cpu);
    result[`${stage}PointsPerSec`] = (points / ms) * 1000;
    result[`${stage}CpuPct`] = ((used.user + used.system) / 1000 / ms) * 100;
  }
  return { ...result, bodyBytes: plain[0].length };
}

serve({
  run: (m) => run(num(m, 'pointsPerBody'), num(m, 'warmupMs'), num(m, 'stageMs')),
  close: () => {
    setImmediate(() => process.exit(0));
    return { ok: true };
  },
});
