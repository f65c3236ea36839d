import { setTimeout as sleep } from 'node:timers/promises';
import { PRODUCER_INTERVAL_MS, PRODUCER_MAX_IN_FLIGHT, type BenchConfig } from '../lib/config.js';
import { errorText } from '../lib/ipc.js';
import { log } from '../lib/log.js';
import { cpuProfile, ServerProcess, Worker, type ServerKind } from '../lib/processes.js';
import { CpuMeter, rssKB } from '../lib/proc.js';
import { connectReport, loadReport, producerReport, type ConnectReport } from '../lib/reports.js';
import type { FanoutResult } from '../lib/results.js';

const STREAM_PATH = '/api/v1/stream?feeds=bench.%3E';

/** Parsed connections: 1 in 50, at least 5, at most 20 — enough for percentiles, cheap to parse. */
export function sampleSize(subscribers: number): number {
  return Math.min(subscribers, Math.max(5, Math.min(20, Math.ceil(subscribers / 50))));
}

/** Opens `subscribers` SSE streams of `bench.>` from the load generator and waits for their `hello`s. */
export async function connectSubscribers(loadgen: Worker, port: number, subscribers: number): Promise<ConnectReport> {
  return connectReport(
    await loadgen.request(
      {
        type: 'connect',
        port,
        path: STREAM_PATH,
        count: subscribers,
        sample: sampleSize(subscribers),
        concurrency: 200,
        timeoutMs: 30_000 + subscribers * 10,
      },
      60_000 + subscribers * 10,
    ),
  );
}

export async function runFanout(
  config: BenchConfig,
  kind: ServerKind,
  subscribers: number,
  rate: number,
): Promise<FanoutResult> {
  const base: FanoutResult = { server: kind, subscribers, rate, status: 'failed' };
  const measureMs = kind === 'naive' ? Math.min(config.measureMs, config.naiveMeasureMs) : config.measureMs;
  let server: ServerProcess | undefined;
  let loadgen: Worker | undefined;
  let producer: Worker | undefined;
  let profile: string | undefined;
  try {
    const nodeArgs: string[] = [];
    if (config.profile) {
      const prof = cpuProfile(`fanout-${kind}-${subscribers}x${rate}`);
      profile = prof.path;
      nodeArgs.push(...prof.nodeArgs);
    }
    server = await ServerProcess.start(kind, { nodeArgs });
    const serverPid = server.pid!;
    loadgen = new Worker('subscribers', 'load/subscribers.js');
    producer = new Worker('producer', 'load/producer.js');
    await sleep(500);
    const rssBaseKB = rssKB(serverPid) ?? 0;

    const connect = await connectSubscribers(loadgen, server.port, subscribers);
    const rssConnectedKB = rssKB(serverPid) ?? 0;
    base.connect = { helloed: connect.helloed, failed: connect.failed, sampled: connect.sampled, ms: connect.ms };
    log(`  ${connect.helloed}/${subscribers} subscribed in ${(connect.ms / 1000).toFixed(1)} s`);
    if (connect.helloed < subscribers) {
      return {
        ...base,
        status: 'skipped',
        reason:
          `only ${connect.helloed} of ${subscribers} subscribers got their hello within ${(connect.ms / 1000).toFixed(0)} s` +
          (connect.firstError === undefined ? '' : ` (first error: ${connect.firstError})`),
      };
    }

    await producer.request({
      type: 'start',
      port: server.port,
      rate,
      intervalMs: PRODUCER_INTERVAL_MS,
      maxInFlight: PRODUCER_MAX_IN_FLIGHT,
    });
    await sleep(config.warmupMs);

    const meter = new CpuMeter(
      { server: serverPid, loadgen: loadgen.pid, producer: producer.pid, runner: process.pid },
      config.cores,
    );
    meter.start();
    // a saturated child answers late; its own clock bounds its window
    await Promise.all([loadgen.request({ type: 'reset' }, 30_000), producer.request({ type: 'reset' }, 30_000)]);
    await sleep(measureMs);
    const [loadRaw, producerRaw] = await Promise.all([
      loadgen.request({ type: 'report' }, 30_000),
      producer.request({ type: 'report' }, 30_000),
    ]);
    const cpu = meter.stop();
    const rssEndKB = rssKB(serverPid) ?? 0;
    if (server.exit !== undefined) throw new Error(`the ${kind} server exited during the run (${server.exit})`);
    const load = loadReport(loadRaw);
    const produced = producerReport(producerRaw);

    const seconds = load.windowMs / 1000;
    const bytesPerPoint = load.sampledPoints > 0 ? load.sampledBytes / load.sampledPoints : null;
    const deliveredPerSec = bytesPerPoint === null ? 0 : load.bytes / bytesPerPoint / seconds;
    const acceptedPerSec = produced.accepted / (produced.windowMs / 1000);
    const serverCpu = cpu.processes.server ?? 0;
    return {
      ...base,
      status: 'ok',
      windowMs: load.windowMs,
      ingest: {
        offeredPerSec: (produced.sent + produced.skipped) / (produced.windowMs / 1000),
        acceptedPerSec,
        skippedPoints: produced.skipped,
        non202: produced.non202,
        errors: produced.errors,
        postP99Ms: produced.postP99Ms,
      },
      delivered: {
        pointsPerSec: deliveredPerSec,
        expectedPerSec: acceptedPerSec * subscribers,
        bytesPerSec: load.bytes / seconds,
        bytesPerPoint,
        sampledPoints: load.sampledPoints,
        disconnects: load.disconnects,
      },
      latency: load.latency,
      serverStats: {
        cpuPct: serverCpu,
        cpuNsPerPoint: deliveredPerSec > 0 ? ((serverCpu / 100) * 1e9) / deliveredPerSec : null,
        rssBaseKB,
        rssConnectedKB,
        rssEndKB,
        rssPerConnKB: (rssEndKB - rssBaseKB) / subscribers,
        rssPerIdleConnKB: (rssConnectedKB - rssBaseKB) / subscribers,
      },
      loadgen: { cpuPct: cpu.processes.loadgen ?? load.cpuPct, elu: load.elu, loopDelayP99Ms: load.loopDelayP99Ms },
      producerCpuPct: cpu.processes.producer ?? 0,
      machineCpuPct: cpu.machine,
      otherCpuPct: Math.max(0, cpu.machine - Object.values(cpu.processes).reduce((a, b) => a + b, 0)),
      profile,
    };
  } catch (error) {
    const output = server?.recentOutput;
    return { ...base, status: 'failed', reason: errorText(error) + (output ? ` — server said: ${output}` : '') };
  } finally {
    await producer?.stop();
    await loadgen?.stop();
    await server?.stop();
  }
}
