import { setTimeout as sleep } from 'node:timers/promises';
import { PRODUCER_INTERVAL_MS, PRODUCER_MAX_IN_FLIGHT, type BenchConfig, type SocketServer } from '../lib/config.js';
import { errorText } from '../lib/ipc.js';
import { log } from '../lib/log.js';
import { cpuProfile, ServerProcess, Worker, type ProcessKind } from '../lib/processes.js';
import { CpuMeter, rssKB } from '../lib/proc.js';
import { producerReport, socketConnectReport, socketLoadReport } from '../lib/reports.js';
import type { SocketDeliveryResult, SocketIdleResult } from '../lib/results.js';
import { sampleSize } from './fanout.js';
import { runSocketIdle, socketIdleServers } from './socket-idle.js';

/** How each server of the section is started. */
export const SOCKET_SETUPS: Record<SocketServer, { kind: ProcessKind; env?: Record<string, string>; args?: string[] }> =
  {
    'pulseboard-deflate': { kind: 'pulseboard', env: { SOCKET_DEFLATE: '1' } },
    'pulseboard-plain': { kind: 'pulseboard', env: { SOCKET_DEFLATE: '0' } },
    'batching-deflate': { kind: 'batching-socketio', args: ['--deflate'] },
    'batching-plain': { kind: 'batching-socketio' },
    naive: { kind: 'naive-socketio' },
  };

/**
 * Socket.IO delivery: `sockets` sockets subscribed to `bench.>` while one
 * producer posts `rate` points/s, measured like SSE fan-out (same producer,
 * warm-up and window). Every socket offers permessage-deflate, as browsers
 * do; the server decides.
 */
export async function runSocketDelivery(
  config: BenchConfig,
  name: SocketServer,
  sockets: number,
  rate: number,
): Promise<SocketDeliveryResult> {
  const base: SocketDeliveryResult = { server: name, sockets, rate, status: 'failed' };
  const setup = SOCKET_SETUPS[name];
  const measureMs = name === 'naive' ? Math.min(config.measureMs, config.naiveMeasureMs) : config.measureMs;
  let server: ServerProcess | undefined;
  let loadgen: Worker | undefined;
  let producer: Worker | undefined;
  let profile: string | undefined;
  try {
    const nodeArgs: string[] = [];
    if (config.profile) {
      const prof = cpuProfile(`sockets-${name}-${sockets}x${rate}`);
      profile = prof.path;
      nodeArgs.push(...prof.nodeArgs);
    }
    server = await ServerProcess.start(setup.kind, { nodeArgs, env: setup.env, args: setup.args });
    const serverPid = server.pid!;
    loadgen = new Worker('sockets', 'load/sockets.js');
    producer = new Worker('producer', 'load/producer.js');
    await sleep(500);
    const rssBaseKB = rssKB(serverPid) ?? 0;

    const connect = socketConnectReport(
      await loadgen.request(
        {
          type: 'connect',
          port: server.port,
          deflate: true,
          count: sockets,
          sample: sampleSize(sockets),
          concurrency: 200,
          timeoutMs: 30_000 + sockets * 10,
        },
        60_000 + sockets * 10,
      ),
    );
    const rssConnectedKB = rssKB(serverPid) ?? 0;
    base.connect = { helloed: connect.helloed, failed: connect.failed, sampled: connect.sampled, ms: connect.ms };
    base.deflateSockets = connect.deflate;
    log(
      `  ${connect.helloed}/${sockets} subscribed in ${(connect.ms / 1000).toFixed(1)} s, ` +
        `${connect.deflate} with permessage-deflate`,
    );
    if (connect.helloed < sockets) {
      return {
        ...base,
        status: 'skipped',
        reason:
          `only ${connect.helloed} of ${sockets} sockets got their subscribe ack within ${(connect.ms / 1000).toFixed(0)} s` +
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
    if (server.exit !== undefined) throw new Error(`the ${name} server exited during the run (${server.exit})`);
    const load = socketLoadReport(loadRaw);
    const produced = producerReport(producerRaw);

    const seconds = load.windowMs / 1000;
    // every socket receives the same packets, so the sample's payload per point holds for all
    const payloadPerPoint = load.sampledPoints > 0 ? load.sampledBytes / load.sampledPoints : null;
    const deliveredPoints = payloadPerPoint === null ? 0 : load.bytes / payloadPerPoint;
    const deliveredPerSec = deliveredPoints / seconds;
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
        expectedPerSec: acceptedPerSec * sockets,
        bytesPerSec: load.wireBytes / seconds,
        bytesPerPoint: deliveredPoints > 0 ? load.wireBytes / deliveredPoints : null,
        payloadBytesPerPoint: payloadPerPoint,
        messagesPerSec: load.messages / seconds,
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
        rssPerConnKB: (rssEndKB - rssBaseKB) / sockets,
        rssPerIdleConnKB: (rssConnectedKB - rssBaseKB) / sockets,
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

/** The whole section: every run of the matrix for every server, then idle memory. */
export async function runSocketsSection(
  config: BenchConfig,
  quiet: () => Promise<number>,
): Promise<{ delivery: SocketDeliveryResult[]; idle: SocketIdleResult[] }> {
  const delivery: SocketDeliveryResult[] = [];
  for (const { sockets, rate } of config.socketRuns) {
    for (const name of config.socketServers) {
      log(`sockets: ${name}, ${sockets} sockets × ${rate} points/s`);
      const backgroundCpuPct = await quiet();
      const result = { ...(await runSocketDelivery(config, name, sockets, rate)), backgroundCpuPct };
      if (result.status !== 'ok') log(`  ${result.status}: ${result.reason ?? ''}`);
      else {
        const d = result.delivered!;
        log(
          `  delivered ${Math.round(d.pointsPerSec).toLocaleString('en-US')} points/s, ` +
            `p99 ${result.latency!.p99 ?? '—'} ms, server CPU ${result.serverStats!.cpuPct.toFixed(0)} %, ` +
            `${d.bytesPerPoint?.toFixed(1) ?? '—'} wire bytes/point`,
        );
      }
      delivery.push(result);
    }
  }
  const idle: SocketIdleResult[] = [];
  for (const name of socketIdleServers(config)) {
    log(`idle memory: ${name}, ${config.idleConnections} connections`);
    await quiet();
    idle.push(await runSocketIdle(config, name));
  }
  return { delivery, idle };
}
