import { PRODUCER_MAX_IN_FLIGHT, socketIdleConnections, type BenchConfig, type SocketServer } from './config.js';
import { bottleneck, fixed, int, ratio, table, target, times } from './report-parts.js';
import type {
  BenchResults,
  SocketDeliveryResult,
  SocketIdleResult,
  SocketIdleServer,
  TargetResult,
} from './results.js';

/* The Markdown section and targets of Socket.IO delivery (see `scenarios/sockets.ts`). */

const NAMES: Record<SocketServer, string> = {
  'pulseboard-deflate': 'Pulseboard, deflate on',
  'pulseboard-plain': 'Pulseboard, deflate off',
  'batching-deflate': 'Socket.IO batching, per-socket deflate',
  'batching-plain': 'Socket.IO batching, no deflate',
  naive: 'Socket.IO naive, `io.emit` per point',
};

const IDLE_NAMES: Record<SocketIdleServer, string> = {
  'pulseboard-deflate': 'Pulseboard, Socket.IO, deflate on',
  'pulseboard-plain': 'Pulseboard, Socket.IO, deflate off',
  'pulseboard-sse': 'Pulseboard, SSE stream',
  'batching-deflate': 'Socket.IO, default deflate',
  'batching-plain': 'Socket.IO, no deflate',
};

/** The batch window plus this is the latency target. */
const LATENCY_SLACK_MS = 20;
/** Server RSS per idle socket with deflate enabled must stay under this. */
const IDLE_SOCKET_MAX_KB = 20;

function find(
  results: SocketDeliveryResult[],
  server: SocketServer,
  sockets: number,
  rate: number,
): SocketDeliveryResult | undefined {
  return results.find((r) => r.server === server && r.sockets === sockets && r.rate === rate && r.status === 'ok');
}

function deliveryRows(results: SocketDeliveryResult[], config: BenchConfig): { rows: string[][]; notes: string[] } {
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const r of results) {
    const head = [NAMES[r.server], int(r.sockets), int(r.rate)];
    const label = `${NAMES[r.server]}, ${int(r.sockets)} × ${int(r.rate)}`;
    if (r.status !== 'ok') {
      rows.push([...head, r.status, '', '', '', '', '', '', '', '', '']);
      notes.push(`- ${label}: ${r.status} — ${r.reason ?? ''}`);
      continue;
    }
    const d = r.delivered!;
    const s = r.serverStats!;
    rows.push([
      ...head,
      int(r.ingest?.acceptedPerSec),
      int(d.pointsPerSec),
      `${fixed((d.pointsPerSec / Math.max(1, d.expectedPerSec)) * 100, 0)} %`,
      `${int(r.latency?.p50)} / ${int(r.latency?.p99)}`,
      fixed(d.bytesPerPoint, 1),
      fixed(d.payloadBytesPerPoint, 1),
      `${fixed(s.cpuPct, 0)} %`,
      fixed(s.cpuNsPerPoint, 0),
      int(d.disconnects),
      bottleneck(r, config.cores, config.batchMs),
    ]);
    if ((r.ingest?.skippedPoints ?? 0) > 0) {
      notes.push(
        `- ${label}: the producer skipped ${int(r.ingest?.skippedPoints)} points (offered ${int(r.ingest?.offeredPerSec)} pts/s) ` +
          `because the server had ${PRODUCER_MAX_IN_FLIGHT} ingest requests unanswered`,
      );
    }
    const rejected = Object.entries(r.ingest?.non202 ?? {});
    if (rejected.length > 0 || (r.ingest?.errors ?? 0) > 0) {
      notes.push(
        `- ${label}: ingest answers other than 202: ${rejected.map(([k, v]) => `${v}× ${k}`).join(', ') || 'none'}, ` +
          `${r.ingest?.errors ?? 0} request errors`,
      );
    }
  }
  return { rows, notes };
}

function resourceRows(results: SocketDeliveryResult[]): string[][] {
  return results
    .filter((r) => r.status === 'ok')
    .map((r) => {
      const s = r.serverStats!;
      const d = r.delivered!;
      return [
        NAMES[r.server],
        int(r.sockets),
        int(r.rate),
        `${int(r.deflateSockets)} / ${int(r.sockets)}`,
        int(d.messagesPerSec),
        fixed(d.bytesPerSec / 1e6, 1),
        `${fixed(s.rssBaseKB / 1024, 0)} → ${fixed(s.rssConnectedKB / 1024, 0)} → ${fixed(s.rssEndKB / 1024, 0)}`,
        `${fixed(r.loadgen?.cpuPct, 0)} % (${fixed(r.loadgen?.elu, 2)})`,
        `${fixed(r.producerCpuPct, 0)} %`,
        `${fixed(r.machineCpuPct, 0)} % (${fixed(r.otherCpuPct, 0)} %)`,
      ];
    });
}

function comparisonRows(results: SocketDeliveryResult[], config: BenchConfig): string[][] {
  const rows: string[][] = [];
  for (const { sockets, rate } of config.socketRuns) {
    const on = find(results, 'pulseboard-deflate', sockets, rate);
    const off = find(results, 'pulseboard-plain', sockets, rate);
    const batching = find(results, 'batching-deflate', sockets, rate);
    const naive = find(results, 'naive', sockets, rate);
    if (on === undefined && off === undefined) continue;
    const cpu = (r: SocketDeliveryResult | undefined): number | undefined => r?.serverStats?.cpuNsPerPoint ?? undefined;
    rows.push([
      int(sockets),
      int(rate),
      times(ratio(on?.delivered?.pointsPerSec, naive?.delivered?.pointsPerSec)),
      times(ratio(off?.delivered?.pointsPerSec, naive?.delivered?.pointsPerSec)),
      times(ratio(cpu(batching), cpu(on))),
      times(ratio(cpu(on), cpu(off))),
      [on, off, batching].map((r) => fixed(r?.delivered?.bytesPerPoint, 1)).join(' / '),
      [on, off, batching, naive].map((r) => int(r?.latency?.p99)).join(' / '),
    ]);
  }
  return rows;
}

function idleRows(results: SocketIdleResult[]): string[][] {
  return results.map((r) =>
    r.status !== 'ok'
      ? [IDLE_NAMES[r.server], 'failed', '', '', '', '', r.reason ?? '']
      : [
          IDLE_NAMES[r.server],
          int(r.deflateSockets),
          fixed((r.rssBeforeKB ?? 0) / 1024, 1),
          fixed((r.rssAfterKB ?? 0) / 1024, 1),
          fixed(r.firstBlockKB, 1),
          fixed(r.perConnKB, 1),
          fixed(r.afterDataKB, 1),
        ],
  );
}

export function socketsSection(results: BenchResults, config: BenchConfig): string[] {
  const sockets = results.sockets;
  if (sockets === undefined) return [];
  const out: string[] = ['## Socket.IO delivery', ''];
  const { rows, notes } = deliveryRows(sockets.delivery, config);
  if (rows.length > 0) {
    out.push(
      `The same producer as fan-out (10 feeds, a post every 10 ms at the given rate); every socket is a raw WebSocket ` +
        `speaking engine.io v4 by hand, offering permessage-deflate as browsers do, and subscribes to \`bench.>\` ` +
        `with an acknowledged \`subscribe\`. Warm-up ${config.warmupMs / 1000} s, measured ${config.measureMs / 1000} s ` +
        `(naive: ${Math.min(config.measureMs, config.naiveMeasureMs) / 1000} s). Wire bytes are what crossed TCP ` +
        `(WebSocket framing and compression included); payload bytes are the inflated Socket.IO packet. ` +
        `CPU is % of one core; the machine has ${config.cores} cores.`,
      '',
      table(
        [
          'Server',
          'Sockets',
          'Rate (pts/s)',
          'Ingest accepted (pts/s)',
          'Delivered (pts/s)',
          'of sockets × accepted',
          'Latency p50 / p99 (ms)',
          'Wire bytes / pt',
          'Payload bytes / pt',
          'Server CPU',
          'Server CPU ns / pt',
          'Disconnects',
          'Limited by',
        ],
        rows,
      ),
      '',
      '### Socket.IO delivery: resources',
      '',
      'Server RSS in MB before sockets → with sockets subscribed → at the end of the window. ' +
        '"Other" is machine CPU used by processes outside the benchmark.',
      '',
      table(
        [
          'Server',
          'Sockets',
          'Rate (pts/s)',
          'Sockets with deflate',
          'Messages / s',
          'Received (MB/s on the wire)',
          'Server RSS (MB)',
          'Load gen CPU (event-loop use)',
          'Producer CPU',
          'Machine CPU (other)',
        ],
        resourceRows(sockets.delivery),
      ),
    );
    if (notes.length > 0) out.push('', ...notes);
    const comparison = comparisonRows(sockets.delivery, config);
    if (comparison.length > 0) {
      out.push(
        '',
        '### Socket.IO delivery: side by side',
        '',
        table(
          [
            'Sockets',
            'Rate (pts/s)',
            'Delivered: deflate on ÷ naive',
            'Delivered: deflate off ÷ naive',
            'CPU / pt: per-socket deflate ÷ Pulseboard deflate',
            'CPU / pt: Pulseboard deflate on ÷ off',
            'Wire bytes / pt: on / off / per-socket deflate',
            'p99 ms: on / off / per-socket deflate / naive',
          ],
          comparison,
        ),
      );
    }
  }
  if (sockets.idle.length > 0) {
    const count = socketIdleConnections(config);
    const n = int(count);
    out.push(
      '',
      '### Memory per idle Socket.IO socket',
      '',
      `Server RSS while idle connections are opened in steps of ${int(Math.round(count / 4))} up to ${n} ` +
        `(10 opened first; each reading is the median of 3): Socket.IO sockets that offered permessage-deflate and sent one ` +
        `\`subscribe\`, and Pulseboard's SSE streams on the same steps. Then one post of 200 points gives every ` +
        `connection one \`points\` message of about 4 KB (compressed where deflate was negotiated), and RSS is read ` +
        `again once quiet (difference from before ÷ ${n}): a compressor kept per socket shows there.`,
      '',
      table(
        [
          'Server',
          'Open sockets with deflate',
          'RSS before (MB)',
          `RSS with ${n} (MB)`,
          `KB per connection, first ${n}`,
          'KB per connection (slope)',
          'KB per connection after one message',
        ],
        idleRows(sockets.idle),
      ),
    );
  }
  return out;
}

export function evaluateSocketTargets(results: BenchResults, config: BenchConfig): TargetResult[] {
  const sockets = results.sockets;
  if (sockets === undefined) return [];
  const targets: TargetResult[] = [];
  const at = 1000;
  for (const { rate } of config.socketRuns.filter((run) => run.sockets === at)) {
    const on = find(sockets.delivery, 'pulseboard-deflate', at, rate);
    const naive = find(sockets.delivery, 'naive', at, rate);
    if (on === undefined) continue;
    const offered = on.delivered?.expectedPerSec ?? 0;
    const ceiling = naive?.delivered?.pointsPerSec ? offered / naive.delivered.pointsPerSec : null;
    targets.push(
      target(
        `Socket.IO delivered points/s ≥ 10 × naive (1,000 sockets × ${int(rate)} pts/s, deflate on)`,
        ratio(on.delivered?.pointsPerSec, naive?.delivered?.pointsPerSec),
        10,
        '× naive',
        'min',
        ceiling !== null && ceiling < 10
          ? `the offered load (1,000 × ${int(rate)} = ${int(offered)} pts/s) is only ${times(ceiling)} what naive ` +
              `delivers, so no server can reach 10× here`
          : undefined,
      ),
    );
    if (rate === 1000) {
      targets.push(
        target(
          'Socket.IO p99 latency ≤ batch window + 20 ms (1,000 sockets × 1,000 pts/s, deflate on)',
          on.latency?.p99,
          config.batchMs + LATENCY_SLACK_MS,
          'ms',
          'max',
        ),
      );
    }
  }
  const idle = sockets.idle.find((r) => r.server === 'pulseboard-deflate' && r.status === 'ok');
  if (idle !== undefined) {
    targets.push(
      target(
        'Memory per idle Socket.IO socket, deflate on (RSS slope)',
        idle.perConnKB,
        IDLE_SOCKET_MAX_KB,
        'KB',
        'max',
      ),
      target(
        'Memory per idle Socket.IO socket, deflate on, after one compressed message',
        idle.afterDataKB,
        IDLE_SOCKET_MAX_KB,
        'KB',
        'max',
      ),
    );
  }
  return targets;
}
