import type { BenchConfig, SocketServer } from '../lib/config.js';
import { deliveredPoints, deliveryFigures, runDelivery, sampledBytesPerPoint } from '../lib/delivery-run.js';
import { log } from '../lib/log.js';
import type { ProcessKind } from '../lib/processes.js';
import { socketConnectReport, socketLoadReport, type SocketConnectReport } from '../lib/reports.js';
import type { SocketDeliveryResult, SocketIdleResult } from '../lib/results.js';
import { runSocketIdle, socketIdleServers } from './socket-idle.js';

const SOCKET_LOADGEN = { name: 'sockets', script: 'load/sockets.js' };

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
export function runSocketDelivery(
  config: BenchConfig,
  name: SocketServer,
  sockets: number,
  rate: number,
): Promise<SocketDeliveryResult> {
  const base: SocketDeliveryResult = { server: name, sockets, rate, status: 'failed' };
  const run = {
    name: `sockets-${name}-${sockets}x${rate}`,
    server: SOCKET_SETUPS[name],
    loadgen: SOCKET_LOADGEN,
    connect: { deflate: true },
    readConnect: socketConnectReport,
    readLoad: socketLoadReport,
    connections: sockets,
    rate,
    naive: name === 'naive',
    words: { connections: 'sockets', subscribed: 'subscribe ack' },
    connected: (connect: SocketConnectReport) => {
      base.deflateSockets = connect.deflate;
      return `, ${connect.deflate} with permessage-deflate`;
    },
  };
  return runDelivery(config, base, run, (measured) => {
    const { load } = measured;
    const figures = deliveryFigures(measured, sockets);
    const points = deliveredPoints(load);
    const seconds = load.windowMs / 1000;
    return {
      ...base,
      ...figures,
      status: 'ok',
      delivered: {
        ...figures.delivered,
        // what crossed TCP, compressed or not; the payload is what the application reads
        bytesPerSec: load.wireBytes / seconds,
        bytesPerPoint: points > 0 ? load.wireBytes / points : null,
        payloadBytesPerPoint: sampledBytesPerPoint(load),
        messagesPerSec: load.messages / seconds,
      },
    };
  });
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
