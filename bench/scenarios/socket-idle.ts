import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { socketIdleConnections, type BenchConfig } from '../lib/config.js';
import { errorText } from '../lib/ipc.js';
import { log, medianRss } from '../lib/log.js';
import { pointsBody } from '../lib/points.js';
import { postPoints } from '../lib/post.js';
import { ServerProcess, Worker, type ProcessKind } from '../lib/processes.js';
import { rssKB } from '../lib/proc.js';
import { loadReport, socketConnectReport, socketLoadReport } from '../lib/reports.js';
import type { SocketIdleResult, SocketIdleServer } from '../lib/results.js';
import { measureIdleSteps, openStreams, WARM_CONNECTIONS } from './idle.js';

/** One post of this many points makes one `points` message of about 4 KB: past every deflate threshold. */
const BURST_POINTS = 200;

const SETUPS: Record<
  SocketIdleServer,
  { kind: ProcessKind; env?: Record<string, string>; args?: string[]; sse?: true }
> = {
  'pulseboard-deflate': { kind: 'pulseboard', env: { SOCKET_DEFLATE: '1' } },
  'pulseboard-plain': { kind: 'pulseboard', env: { SOCKET_DEFLATE: '0' } },
  'pulseboard-sse': { kind: 'pulseboard', sse: true },
  'batching-deflate': { kind: 'batching-socketio', args: ['--deflate'] },
  'batching-plain': { kind: 'batching-socketio' },
};

/** The idle runs that go with the delivery runs asked for. */
export function socketIdleServers(config: BenchConfig): SocketIdleServer[] {
  const out: SocketIdleServer[] = [];
  if (config.socketServers.includes('pulseboard-deflate')) out.push('pulseboard-deflate');
  if (config.socketServers.includes('pulseboard-plain')) out.push('pulseboard-plain');
  if (out.length > 0) out.push('pulseboard-sse');
  if (config.socketServers.includes('batching-deflate')) out.push('batching-deflate');
  if (config.socketServers.includes('batching-plain')) out.push('batching-plain');
  return out;
}

/**
 * Server RSS per idle connection, on the steps of the SSE idle figure: Socket.IO
 * sockets that negotiated permessage-deflate and sent one `subscribe` (or SSE
 * streams, for comparison). Then one burst of points gives every connection one
 * compressed `points` message, and RSS is read again once quiet: a compressor
 * kept per socket (context takeover) shows there, not before.
 */
export async function runSocketIdle(config: BenchConfig, name: SocketIdleServer): Promise<SocketIdleResult> {
  const setup = SETUPS[name];
  const block = socketIdleConnections(config);
  let server: ServerProcess | undefined;
  let loadgen: Worker | undefined;
  const agent = new Agent({ keepAlive: false });
  try {
    server = await ServerProcess.start(setup.kind, { env: setup.env, args: setup.args });
    const { port } = server;
    const pid = server.pid!;
    const worker = setup.sse
      ? new Worker('subscribers', 'load/subscribers.js')
      : new Worker('sockets', 'load/sockets.js');
    loadgen = worker;
    let deflateSockets: number | undefined;
    const open = async (count: number): Promise<void> => {
      if (setup.sse) return openStreams(worker, port, count);
      const report = socketConnectReport(
        await worker.request(
          { type: 'connect', port, deflate: true, count, sample: 0, concurrency: 200, timeoutMs: 30_000 },
          60_000,
        ),
      );
      if (report.helloed < count) {
        throw new Error(`only ${report.helloed} of ${count} sockets subscribed (${report.firstError ?? 'timeout'})`);
      }
      deflateSockets = report.deflate;
    };
    await open(WARM_CONNECTIONS);
    const steps = await measureIdleSteps(pid, open, block, 1, config.quick);

    await worker.request({ type: 'reset' });
    const posted = await postPoints(agent, port, pointsBody(BURST_POINTS, Date.now()));
    if (posted.accepted !== BURST_POINTS) throw new Error(`the burst was answered ${posted.status}`);
    await sleep(config.quick ? 1000 : 2000);
    const report = await worker.request({ type: 'report' });
    const connections = steps.connections + WARM_CONNECTIONS;
    const reached = setup.sse
      ? loadReport(report).bytes >= connections * BURST_POINTS
      : socketLoadReport(report).messages >= connections;
    if (!reached) throw new Error(`the burst did not reach all ${connections} connections`);
    const rssAfterDataKB = await medianRss(() => rssKB(pid), 5, 200);
    const afterDataKB = (rssAfterDataKB - steps.rssBeforeKB) / steps.connections;
    log(
      `  ${name}: ${steps.perConnKB.toFixed(1)} KB per idle connection (first ${block}: ${steps.firstBlockKB?.toFixed(1)} KB), ` +
        `${afterDataKB.toFixed(1)} KB after one message` +
        (deflateSockets === undefined ? '' : `, ${deflateSockets} with permessage-deflate`),
    );
    return { server: name, status: 'ok', ...steps, deflateSockets, afterDataKB };
  } catch (error) {
    return { server: name, status: 'failed', connections: block, reason: errorText(error) };
  } finally {
    agent.destroy();
    await loadgen?.stop();
    await server?.stop();
  }
}
