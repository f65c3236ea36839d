import { setTimeout as sleep } from 'node:timers/promises';
import { PRODUCER_INTERVAL_MS, PRODUCER_MAX_IN_FLIGHT, type BenchConfig } from './config.js';
import { errorText, type Message } from './ipc.js';
import { log } from './log.js';
import { cpuProfile, ServerProcess, Worker, type ProcessKind, type ServerOptions } from './processes.js';
import { CpuMeter, rssKB, type CpuWindow } from './proc.js';
import { producerReport, type ConnectReport, type LoadReport, type ProducerReport } from './reports.js';
import type { FanoutResult } from './results.js';

/*
 * What the delivery scenarios share (SSE fan-out, `scenarios/fanout.ts`, and
 * Socket.IO delivery, `scenarios/sockets.ts`): a server under test, a load
 * generator holding N connections, one producer posting at a fixed rate, a
 * warm-up, then one measured window of CPU, memory and what arrived. A
 * scenario brings its load generator, its connect request and what it makes
 * of the generator's report.
 */

/** Parsed connections: 1 in 50, at least 5, at most 20 — enough for percentiles, cheap to parse. */
export function sampleSize(connections: number): number {
  return Math.min(connections, Math.max(5, Math.min(20, Math.ceil(connections / 50))));
}

/** Asks a load generator for `count` more connections (`fields`: its own, e.g. the SSE path) and waits for them. */
export function connectLoad(loadgen: Worker, port: number, count: number, fields: Message): Promise<unknown> {
  return loadgen.request(
    {
      type: 'connect',
      port,
      ...fields,
      count,
      sample: sampleSize(count),
      concurrency: 200,
      timeoutMs: 30_000 + count * 10,
    },
    60_000 + count * 10,
  );
}

/** Starts the producer posting `rate` points/s to `port`. */
export async function startProducer(producer: Worker, port: number, rate: number): Promise<void> {
  await producer.request({
    type: 'start',
    port,
    rate,
    intervalMs: PRODUCER_INTERVAL_MS,
    maxInFlight: PRODUCER_MAX_IN_FLIGHT,
  });
}

/** One measured window of the load generator and the producer: their raw reports. */
export async function measureWindow(
  loadgen: Worker,
  producer: Worker,
  ms: number,
): Promise<{ load: unknown; produced: ProducerReport }> {
  // a saturated child answers late; its own clock bounds its window
  await Promise.all([loadgen.request({ type: 'reset' }, 30_000), producer.request({ type: 'reset' }, 30_000)]);
  await sleep(ms);
  const [load, produced] = await Promise.all([
    loadgen.request({ type: 'report' }, 30_000),
    producer.request({ type: 'report' }, 30_000),
  ]);
  return { load, produced: producerReport(produced) };
}

/** One delivery run as a scenario describes it. */
export interface DeliveryRun<C extends ConnectReport, L extends LoadReport> {
  /** Names the CPU profile, e.g. `fanout-pulseboard-1000x100`. */
  name: string;
  /** What the server is, and how it is started (profiling flags are added here). */
  server: { kind: ProcessKind } & Omit<ServerOptions, 'nodeArgs'>;
  /** The load generator's worker name and compiled script (`load/subscribers.js`). */
  loadgen: { name: string; script: string };
  /** The connect request's own fields (the SSE path, whether sockets offer deflate). */
  connect: Message;
  readConnect: (raw: unknown) => C;
  readLoad: (raw: unknown) => L;
  connections: number;
  rate: number;
  /** The naive baseline, measured for at most `naiveMeasureMs` (it saturates quickly). */
  naive: boolean;
  /** What the connections are, and what proves one subscribed, for the log and a skip's reason. */
  words: { connections: string; subscribed: string };
  /** A scenario's own reading of the connections (kept in its result); returns words to add to the log line. */
  connected?: (connect: C) => string;
}

/** What a run measured, for the scenario to turn into its result. */
export interface DeliveryMeasurement<C extends ConnectReport, L extends LoadReport> {
  connect: C;
  load: L;
  produced: ProducerReport;
  cpu: CpuWindow;
  rssBaseKB: number;
  rssConnectedKB: number;
  rssEndKB: number;
}

/** The fields every delivery result has (`FanoutResult`, `SocketDeliveryResult`). */
export type DeliveryResult = Omit<FanoutResult, 'server' | 'subscribers' | 'delivered'> & { server: string };

/**
 * Runs one delivery measurement and answers `base` completed: by `finish`
 * when it was measured, as skipped when not every connection subscribed, as
 * failed (with the server's last words) on an error. Every process it started
 * is stopped.
 */
export async function runDelivery<R extends DeliveryResult, C extends ConnectReport, L extends LoadReport>(
  config: BenchConfig,
  base: R,
  run: DeliveryRun<C, L>,
  finish: (measured: DeliveryMeasurement<C, L>) => R,
): Promise<R> {
  let server: ServerProcess | undefined;
  let loadgen: Worker | undefined;
  let producer: Worker | undefined;
  try {
    const nodeArgs: string[] = [];
    if (config.profile) {
      const prof = cpuProfile(run.name);
      base.profile = prof.path;
      nodeArgs.push(...prof.nodeArgs);
    }
    const { kind, ...options } = run.server;
    server = await ServerProcess.start(kind, { ...options, nodeArgs });
    const serverPid = server.pid!;
    loadgen = new Worker(run.loadgen.name, run.loadgen.script);
    producer = new Worker('producer', 'load/producer.js');
    await sleep(500);
    const rssBaseKB = rssKB(serverPid) ?? 0;

    const connect = run.readConnect(await connectLoad(loadgen, server.port, run.connections, run.connect));
    const rssConnectedKB = rssKB(serverPid) ?? 0;
    base.connect = { helloed: connect.helloed, failed: connect.failed, sampled: connect.sampled, ms: connect.ms };
    const more = run.connected?.(connect) ?? '';
    const { connections: noun, subscribed: proof } = run.words;
    log(`  ${connect.helloed}/${run.connections} subscribed in ${(connect.ms / 1000).toFixed(1)} s${more}`);
    if (connect.helloed < run.connections) {
      return {
        ...base,
        status: 'skipped',
        reason:
          `only ${connect.helloed} of ${run.connections} ${noun} got their ${proof} within ${(connect.ms / 1000).toFixed(0)} s` +
          (connect.firstError === undefined ? '' : ` (first error: ${connect.firstError})`),
      };
    }

    await startProducer(producer, server.port, run.rate);
    await sleep(config.warmupMs);
    const meter = new CpuMeter(
      { server: serverPid, loadgen: loadgen.pid, producer: producer.pid, runner: process.pid },
      config.cores,
    );
    meter.start();
    const measureMs = run.naive ? Math.min(config.measureMs, config.naiveMeasureMs) : config.measureMs;
    const window = await measureWindow(loadgen, producer, measureMs);
    const cpu = meter.stop();
    const rssEndKB = rssKB(serverPid) ?? 0;
    if (server.exit !== undefined) throw new Error(`the ${base.server} server exited during the run (${server.exit})`);
    return finish({
      connect,
      load: run.readLoad(window.load),
      produced: window.produced,
      cpu,
      rssBaseKB,
      rssConnectedKB,
      rssEndKB,
    });
  } catch (error) {
    const output = server?.recentOutput;
    return { ...base, status: 'failed', reason: errorText(error) + (output ? ` — server said: ${output}` : '') };
  } finally {
    await producer?.stop();
    await loadgen?.stop();
    await server?.stop();
  }
}

/** The figures every delivery result reports alike (a scenario adds its own bytes to `delivered`). */
export function deliveryFigures(measured: DeliveryMeasurement<ConnectReport, LoadReport>, connections: number) {
  const { load, produced, cpu, rssBaseKB, rssConnectedKB, rssEndKB } = measured;
  const deliveredPerSec = deliveredPoints(load) / (load.windowMs / 1000);
  const acceptedPerSec = produced.accepted / (produced.windowMs / 1000);
  const serverCpu = cpu.processes.server ?? 0;
  return {
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
      /** Connections × accepted ingest rate. */
      expectedPerSec: acceptedPerSec * connections,
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
      rssPerConnKB: (rssEndKB - rssBaseKB) / connections,
      rssPerIdleConnKB: (rssConnectedKB - rssBaseKB) / connections,
    },
    loadgen: { cpuPct: cpu.processes.loadgen ?? load.cpuPct, elu: load.elu, loopDelayP99Ms: load.loopDelayP99Ms },
    producerCpuPct: cpu.processes.producer ?? 0,
    machineCpuPct: cpu.machine,
    otherCpuPct: Math.max(0, cpu.machine - Object.values(cpu.processes).reduce((a, b) => a + b, 0)),
  } satisfies Partial<DeliveryResult> & { delivered: object };
}

/** Payload bytes per point in the parsed sample (`null` before any point). */
export function sampledBytesPerPoint(load: LoadReport): number | null {
  return load.sampledPoints > 0 ? load.sampledBytes / load.sampledPoints : null;
}

/**
 * Points all connections received in the window: every connection gets the
 * same messages, so the sample's payload per point holds for all of them.
 */
export function deliveredPoints(load: LoadReport): number {
  const perPoint = sampledBytesPerPoint(load);
  return perPoint === null ? 0 : load.bytes / perPoint;
}
