import { PRODUCER_INTERVAL_MS, PRODUCER_MAX_IN_FLIGHT, type BenchConfig } from './config.js';
import type { ServerKind } from './processes.js';
import { browserSection, evaluateBrowserTargets } from './report-browser.js';
import { bottleneck, fixed, int, ratio, table, target, times } from './report-parts.js';
import { evaluateSocketTargets, socketsSection } from './report-sockets.js';
import type {
  BenchResults,
  ClusterDelivery,
  ClusterResult,
  ClusterTopology,
  FanoutResult,
  PatternsResult,
  TargetResult,
} from './results.js';

const NAMES: Record<ServerKind, string> = { pulseboard: 'Pulseboard', limit: 'limit', naive: 'naive' };

function find(results: FanoutResult[], kind: ServerKind, subscribers: number, rate: number): FanoutResult | undefined {
  return results.find(
    (r) => r.server === kind && r.subscribers === subscribers && r.rate === rate && r.status === 'ok',
  );
}

function fanoutSection(results: BenchResults, config: BenchConfig): string[] {
  const out: string[] = ['## Fan-out', ''];
  out.push(
    `One producer posts to 10 feeds every ${PRODUCER_INTERVAL_MS} ms at the given rate; every subscriber streams \`bench.>\`. ` +
      `Warm-up ${config.warmupMs / 1000} s, measured ${config.measureMs / 1000} s ` +
      `(naive: ${Math.min(config.measureMs, config.naiveMeasureMs) / 1000} s). ` +
      `CPU is % of one core; the machine has ${config.cores} cores (${config.cores * 100} % is all of it).`,
    '',
  );
  const rows: string[][] = [];
  const resources: string[][] = [];
  const notes: string[] = [];
  for (const r of results.fanout) {
    const head = [NAMES[r.server], int(r.subscribers), int(r.rate)];
    if (r.status !== 'ok') {
      rows.push([...head, r.status, '', '', '', '', '']);
      notes.push(`- ${NAMES[r.server]}, ${int(r.subscribers)} × ${int(r.rate)}: ${r.status} — ${r.reason ?? ''}`);
      continue;
    }
    const d = r.delivered!;
    const s = r.serverStats!;
    const l = r.latency!;
    rows.push([
      ...head,
      int(r.ingest?.acceptedPerSec),
      int(d.pointsPerSec),
      `${fixed((d.pointsPerSec / Math.max(1, d.expectedPerSec)) * 100, 0)} %`,
      `${int(l.p50)} / ${int(l.p99)}`,
      fixed(d.bytesPerPoint, 1),
      bottleneck(r, config.cores, config.batchMs),
    ]);
    resources.push([
      ...head,
      `${fixed(s.cpuPct, 0)} %`,
      fixed(s.cpuNsPerPoint, 0),
      `${fixed(s.rssBaseKB / 1024, 0)} → ${fixed(s.rssConnectedKB / 1024, 0)} → ${fixed(s.rssEndKB / 1024, 0)}`,
      `${fixed(s.rssPerIdleConnKB, 1)} / ${fixed(s.rssPerConnKB, 1)}`,
      fixed(d.bytesPerSec / 1e6, 0),
      `${fixed(r.loadgen?.cpuPct, 0)} % (${fixed(r.loadgen?.elu, 2)})`,
      `${fixed(r.producerCpuPct, 0)} %`,
      `${fixed(r.machineCpuPct, 0)} % (${fixed(r.otherCpuPct, 0)} %)`,
    ]);
    if (d.disconnects > 0) {
      notes.push(
        `- ${NAMES[r.server]}, ${int(r.subscribers)} × ${int(r.rate)}: ${d.disconnects} subscribers disconnected during the window`,
      );
    }
    if ((r.ingest?.skippedPoints ?? 0) > 0) {
      notes.push(
        `- ${NAMES[r.server]}, ${int(r.subscribers)} × ${int(r.rate)}: the producer skipped ${int(r.ingest?.skippedPoints)} points ` +
          `(offered ${int(r.ingest?.offeredPerSec)} pts/s) because the server had ${PRODUCER_MAX_IN_FLIGHT} ingest requests unanswered`,
      );
    }
    const rejected = Object.entries(r.ingest?.non202 ?? {});
    if (rejected.length > 0 || (r.ingest?.errors ?? 0) > 0) {
      notes.push(
        `- ${NAMES[r.server]}, ${int(r.subscribers)} × ${int(r.rate)}: ingest answers other than 202: ` +
          `${rejected.map(([k, v]) => `${v}× ${k}`).join(', ') || 'none'}, ${r.ingest?.errors ?? 0} request errors`,
      );
    }
  }
  out.push(
    table(
      [
        'Server',
        'Subscribers',
        'Rate (pts/s)',
        'Ingest accepted (pts/s)',
        'Delivered (pts/s)',
        'of subscribers × accepted',
        'Latency p50 / p99 (ms)',
        'Wire bytes / pt',
        'Limited by',
      ],
      rows,
    ),
  );
  out.push('', '### Fan-out: resources', '');
  out.push(
    'Server RSS in MB before subscribers → with subscribers connected → at the end of the window; per subscriber: ' +
      '(connected − before) ÷ N / (end − before) ÷ N. "Other" is machine CPU used by processes outside the benchmark.',
    '',
  );
  out.push(
    table(
      [
        'Server',
        'Subscribers',
        'Rate (pts/s)',
        'Server CPU',
        'Server CPU ns / delivered pt',
        'Server RSS (MB)',
        'RSS / subscriber idle / loaded (KB)',
        'Received by load gen (MB/s)',
        'Load gen CPU (event-loop use)',
        'Producer CPU',
        'Machine CPU (other)',
      ],
      resources,
    ),
  );
  if (notes.length > 0) out.push('', ...notes);

  const ratioRows: string[][] = [];
  for (const subscribers of config.subscribers) {
    for (const rate of config.rates) {
      const pb = find(results.fanout, 'pulseboard', subscribers, rate);
      const limit = find(results.fanout, 'limit', subscribers, rate);
      const naive = find(results.fanout, 'naive', subscribers, rate);
      if (pb === undefined) continue;
      ratioRows.push([
        int(subscribers),
        int(rate),
        times(ratio(pb.delivered?.pointsPerSec, limit?.delivered?.pointsPerSec)),
        times(ratio(pb.delivered?.pointsPerSec, naive?.delivered?.pointsPerSec)),
        times(ratio(limit?.delivered?.pointsPerSec, naive?.delivered?.pointsPerSec)),
        times(ratio(pb.serverStats?.cpuNsPerPoint ?? undefined, limit?.serverStats?.cpuNsPerPoint ?? undefined)),
        times(ratio(pb.serverStats?.rssPerConnKB, limit?.serverStats?.rssPerConnKB)),
        [pb, limit, naive].map((r) => int(r?.latency?.p99)).join(' / '),
      ]);
    }
  }
  if (ratioRows.length > 0) {
    out.push('', '### Fan-out: Pulseboard against the baselines (same run, same load generator)', '');
    out.push(
      table(
        [
          'Subscribers',
          'Rate (pts/s)',
          'Delivered ÷ limit',
          'Delivered ÷ naive',
          'limit ÷ naive',
          'CPU per point ÷ limit',
          'RSS per subscriber ÷ limit',
          'p99 ms: Pulseboard / limit / naive',
        ],
        ratioRows,
      ),
    );
  }
  return out;
}

function idleSection(results: BenchResults, config: BenchConfig): string[] {
  const limit = results.idle.find((r) => r.server === 'limit' && r.status === 'ok');
  const total = Math.max(0, ...results.idle.map((r) => (r.status === 'ok' ? r.connections : 0)));
  const block = int(config.idleConnections);
  const rows = results.idle.map((r) =>
    r.status !== 'ok'
      ? [NAMES[r.server], 'failed', '', '', '', r.reason ?? '']
      : [
          NAMES[r.server],
          fixed((r.rssBeforeKB ?? 0) / 1024, 1),
          fixed((r.rssAfterKB ?? 0) / 1024, 1),
          fixed(r.firstBlockKB, 1),
          fixed(r.perConnKB, 1),
          times(ratio(r.perConnKB, limit?.perConnKB)),
        ],
  );
  return [
    '## Memory per idle SSE connection',
    '',
    `Server RSS while idle streams are opened in steps of ${int(Math.round(config.idleConnections / 4))} up to ${int(total)} ` +
      `(10 streams were opened first so that the stream code is loaded; no points flow; each reading is the median of 3). ` +
      `RSS grows in heap-sized steps, so the figure is the least-squares slope of RSS over connections; ` +
      `the plain difference after the first ${block} is shown beside it.`,
    '',
    table(
      [
        'Server',
        'RSS before (MB)',
        `RSS with ${int(total)} streams (MB)`,
        `KB per connection, first ${block}`,
        'KB per connection (slope)',
        'Slope ÷ limit',
      ],
      rows,
    ),
  ];
}

function ingestSection(results: BenchResults, config: BenchConfig): string[] {
  const rows: string[][] = [];
  for (const r of results.ingest.http) {
    const name = `${NAMES[r.server]}, HTTP${r.auth === true ? ', HS256 token on every request' : ''}`;
    if (r.status !== 'ok') rows.push([name, 'failed', '', '', '', r.reason ?? '']);
    else {
      rows.push([
        name,
        int(r.pointsPerSec),
        int(r.requestsPerSec),
        `${fixed(r.postP50Ms, 0)} / ${fixed(r.postP99Ms, 0)}`,
        `${fixed(r.serverCpuPct, 0)} %`,
        `${fixed(r.clientCpuPct, 0)} %`,
      ]);
    }
  }
  const e = results.ingest.engine;
  if (e !== undefined) {
    if (e.status !== 'ok') rows.push(['Engine, in-process', 'failed', '', '', '', e.reason ?? '']);
    else {
      rows.push(['Engine: `JSON.parse` only', int(e.jsonPointsPerSec), '', '', '100 %', '']);
      rows.push(['Engine: `parseJsonPoints`', int(e.parsePointsPerSec), '', '', '100 %', '']);
      const engineRow = (path: string, pointsPerSec: number | undefined): void => {
        rows.push([path, int(pointsPerSec), '', '', '100 %', '']);
      };
      engineRow('Engine: `parseJsonPoints` + `MemoryLog.append` + `Retention.apply`', e.pipelinePointsPerSec);
      engineRow('Engine, the same with 8 labels per point', e.labelledPointsPerSec);
      engineRow('Engine: line protocol without tags, parse + append + apply', e.linePointsPerSec);
      engineRow('Engine: line protocol with 8 tags (labels) per line', e.lineLabelledPointsPerSec);
    }
  }
  const bodyBytes = results.ingest.http.find((r) => r.bodyBytes !== undefined)?.bodyBytes;
  const open = results.ingest.http.find((r) => r.server === 'pulseboard' && r.auth !== true && r.status === 'ok');
  const withToken = results.ingest.http.find((r) => r.server === 'pulseboard' && r.auth === true && r.status === 'ok');
  const authRatio =
    open?.pointsPerSec !== undefined && withToken?.pointsPerSec !== undefined
      ? ` With a token verified on every request (HS256, feeds \`bench.>\` checked for every point) Pulseboard ingests ${fixed(withToken.pointsPerSec / open.pointsPerSec, 2)}× what it does in open mode in the same run.`
      : '';
  return [
    '## Ingest throughput',
    '',
    `No subscribers. ${config.ingestConcurrency} keep-alive connections POST pre-built ${int(config.ingestPointsPerBody)}-point JSON bodies ` +
      `(${bodyBytes === undefined ? '' : `${int(bodyBytes)} bytes, `}10 feeds) back to back; warm-up ${config.ingestWarmupMs / 1000} s, measured ${config.ingestMeasureMs / 1000} s. ` +
      `The engine rows run the same bodies in one process without HTTP (${config.engineStageMs / 1000} s each).` +
      authRatio,
    '',
    table(['Path', 'Points/s', 'Requests/s', 'POST p50 / p99 (ms)', 'Server CPU', 'Client CPU'], rows),
  ];
}

export function evaluateTargets(results: BenchResults, config: BenchConfig): TargetResult[] {
  const targets: TargetResult[] = [];
  const at = 1000;
  for (const rate of config.rates) {
    const pb = find(results.fanout, 'pulseboard', at, rate);
    const limit = find(results.fanout, 'limit', at, rate);
    const naive = find(results.fanout, 'naive', at, rate);
    if (pb === undefined) continue;
    targets.push(
      target(
        `Delivered points/s ≥ 0.8 × limit (1,000 subscribers × ${int(rate)} pts/s)`,
        ratio(pb.delivered?.pointsPerSec, limit?.delivered?.pointsPerSec),
        0.8,
        '× limit',
        'min',
      ),
    );
    const offered = pb.delivered !== undefined ? pb.delivered.expectedPerSec : 0;
    const ceiling = naive?.delivered?.pointsPerSec ? offered / naive.delivered.pointsPerSec : null;
    targets.push(
      target(
        `Delivered points/s ≥ 10 × naive (1,000 subscribers × ${int(rate)} pts/s)`,
        ratio(pb.delivered?.pointsPerSec, naive?.delivered?.pointsPerSec),
        10,
        '× naive',
        'min',
        ceiling !== null && ceiling < 10
          ? `the offered load (1,000 × ${int(rate)} = ${int(offered)} pts/s) is only ${times(ceiling)} what naive delivers, ` +
              `so no server can reach 10× here; limit ÷ naive = ${times(ratio(limit?.delivered?.pointsPerSec, naive?.delivered?.pointsPerSec))}`
          : undefined,
      ),
    );
    if (rate === 1000) {
      targets.push(
        target(
          `p99 latency ≤ batch window + 20 ms (1,000 subscribers × 1,000 pts/s)`,
          pb.latency?.p99,
          config.batchMs + 20,
          'ms',
          'max',
        ),
      );
    }
  }
  const ingest = results.ingest.http.find((r) => r.server === 'pulseboard' && r.status === 'ok');
  if (ingest !== undefined) {
    targets.push(
      target(
        'Ingest ≥ 1,000,000 points/s per process (HTTP, 1000-point JSON)',
        ingest.pointsPerSec,
        1e6,
        'pts/s',
        'min',
      ),
    );
  }
  const engine = results.ingest.engine;
  if (engine?.status === 'ok') {
    targets.push(
      target(
        'Ingest of points with 8 labels ≥ 1,000,000 points/s per process (engine, line protocol)',
        engine.lineLabelledPointsPerSec,
        1e6,
        'pts/s',
        'min',
      ),
      target(
        'Ingest with 8 labels ≥ 0.6 × without (engine, line protocol, same run)',
        ratio(engine.lineLabelledPointsPerSec, engine.linePointsPerSec),
        0.6,
        '× label-less',
        'min',
      ),
    );
  }
  const routing = results.patterns;
  if (routing?.status === 'ok') {
    targets.push(
      target(
        'A new series reaches its subscriptions among 10,000 with label matchers in ≤ 50 µs',
        routing.labelledNs === undefined ? null : routing.labelledNs / 1000,
        50,
        'µs',
        'max',
      ),
    );
  }
  const idlePb = results.idle.find((r) => r.server === 'pulseboard' && r.status === 'ok');
  const idleLimit = results.idle.find((r) => r.server === 'limit' && r.status === 'ok');
  if (idlePb !== undefined) {
    targets.push(
      target(
        'Memory per idle SSE connection ≤ 1.5 × limit (RSS slope)',
        idlePb.perConnKB,
        idleLimit?.perConnKB === undefined ? null : 1.5 * idleLimit.perConnKB,
        'KB',
        'max',
      ),
    );
  }
  targets.push(...evaluateSocketTargets(results, config));
  targets.push(...evaluateBrowserTargets(results, config));
  return targets;
}

function value(v: number | null, unit: string): string {
  if (v === null) return '—';
  if (unit === 'pts/s') return `${int(v)} pts/s`;
  if (unit === 'ms') return `${fixed(v, 0)} ms`;
  if (unit === 'KB') return `${fixed(v, 1)} KB`;
  if (unit === 'fps') return `${fixed(v, 1)} fps`;
  if (unit === '%') return `${fixed(v, 1)} %`;
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(2)} ${unit}`;
}

function marginText(t: TargetResult): string {
  if (t.measured === null || t.threshold === null || t.threshold === 0) return '—';
  const relative = t.measured / t.threshold - 1;
  const pct = `${fixed(Math.abs(relative) * 100, 0)} %`;
  if (t.kind === 'min') return relative >= 0 ? `${pct} above` : `${pct} below`;
  return relative <= 0 ? `${pct} under` : `${pct} over`;
}

function targetsSection(results: BenchResults): string[] {
  const rows = results.targets.map((t) => [
    t.name,
    value(t.measured, t.unit),
    `${t.kind === 'min' ? '≥' : '≤'} ${value(t.threshold, t.unit)}`,
    t.met === null ? 'not measured' : t.met ? 'met' : '**missed**',
    marginText(t),
  ]);
  const notes = results.targets.filter((t) => t.note !== undefined).map((t) => `- ${t.name}: ${t.note}`);
  return [
    '## Targets',
    '',
    table(['Target', 'Measured', 'Threshold', 'Result', 'Margin'], rows),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ];
}

export function renderReport(results: BenchResults, config: BenchConfig): string {
  const m = results.machine;
  const out: string[] = [
    '# Pulseboard benchmark',
    '',
    `${results.startedAt} · ${m.cores} cores (${m.cpu}) · ${m.memoryMB.toLocaleString('en-US')} MB · Node ${m.node} · Linux ${m.kernel}` +
      (config.quick ? ' · quick run' : ''),
    '',
  ];
  if (results.fanout.length > 0) out.push(...fanoutSection(results, config), '');
  if (results.idle.length > 0) out.push(...idleSection(results, config), '');
  if (results.ingest.http.length > 0 || results.ingest.engine !== undefined)
    out.push(...ingestSection(results, config), '');
  if (results.patterns !== undefined) out.push(...patternsSection(results.patterns), '');
  if (results.sockets !== undefined) out.push(...socketsSection(results, config), '');
  if (results.browser !== undefined) out.push(...browserSection(results, config), '');
  if (results.cluster !== undefined) out.push(...clusterSection(results.cluster, config), '');
  if (results.targets.length > 0) out.push(...targetsSection(results), '');
  return out.join('\n');
}

function patternsSection(p: PatternsResult): string[] {
  const head = ['## Subscription routing', ''];
  if (p.status !== 'ok') return [...head, `Failed: ${p.reason ?? ''}`];
  const ratio = p.scanNs !== undefined && p.trieNs !== undefined && p.trieNs > 0 ? p.scanNs / p.trieNs : null;
  return [
    ...head,
    `In one process: ${int(p.feeds)} feeds and ${int(p.subscriptions)} distinct subscriptions (host.> patterns, *.metric ` +
      `patterns, names with a host.*.x pattern), then ${int(p.newFeeds)} new feeds, each matching some of them ` +
      `(${int(p.matched)} matches in all). The baseline tests every subscription's patterns against each new name.`,
    '',
    table(
      ['What', 'Time'],
      [
        ['New feed joins its subscriptions (trie, whole `Retention.apply`)', `${fixed(p.trieNs, 0)} ns`],
        ['Baseline: test every subscription', `${fixed(p.scanNs, 0)} ns`],
        ['Trie speed-up', ratio === null ? '—' : `${fixed(ratio, 0)}×`],
        ['New distinct subscription (resolved against every feed)', `${fixed(p.acquireUs, 1)} µs`],
        [
          'New series with 8 labels joins its subscriptions among as many selectors with label matchers',
          `${fixed(p.labelledNs, 0)} ns`,
        ],
        ['Baseline: test every selector against it', `${fixed(p.labelledScanNs, 0)} ns`],
      ],
    ),
    '',
    `The labelled run holds ${int(p.subscriptions)} selectors (by host; by data centre with \`env!="test"\`; regexes over ` +
      `hosts and regions; \`>{tenant=…}\`) and adds ${int(p.newFeeds)} series with 8 labels each ` +
      `(${int(p.labelledMatched)} matches in all).`,
  ];
}

function clusterSection(r: ClusterResult, config: BenchConfig): string[] {
  const head = [
    '## One instance and two',
    '',
    `Both on a Redis-backed log (private \`redis-server\`s, no persistence, on this machine). ${int(r.subscribers)} SSE ` +
      `subscribers to \`bench.>\` while a producer ingests ${int(r.rate)} points/s (warm-up ${config.warmupMs / 1000} s, ` +
      `measured ${config.measureMs / 1000} s); then ingest alone at full speed (the ingest section's client, its bodies ` +
      'from 8 sources — `src0.f0` … `src7.f9`, one source per body), with the ' +
      'Redis CPU time it cost per million points on the busiest Redis server. "Two" is two instances behind nginx with ' +
      '`deploy/nginx/pulseboard.conf.template`; the cross-instance rows have every subscriber on one instance and the ' +
      'producer on the other. "Split log" is the same pair with `REDIS_PARTITIONS=4` over two Redis servers ' +
      "(`REDIS_PARTITION_URLS`); a feed's partition follows its first segment, so the delivery runs' one source " +
      '(`bench.f0` … `bench.f9`) is one partition and the ingest-alone sources two per partition. Everything ' +
      'shares the same 2 cores.',
    '',
  ];
  const { single, pair, crossInstance, split, splitCrossInstance } = r;
  if (
    r.status !== 'ok' ||
    single === undefined ||
    pair === undefined ||
    crossInstance === undefined ||
    split === undefined ||
    splitCrossInstance === undefined
  ) {
    return [...head, `failed: ${r.reason ?? 'no result'}`];
  }
  const row = (name: string, d: ClusterDelivery, topology: ClusterTopology | undefined): string[] => [
    name,
    int(d.deliveredPerSec),
    `${fixed(d.deliveredPerSec / Math.max(1, d.expectedPerSec), 2)}×`,
    `${d.latency.p50 ?? '–'} / ${d.latency.p99 ?? '–'}`,
    topology === undefined ? '' : int(topology.ingestPerSec),
    topology === undefined ? '' : int(topology.redisCpuMsPerMillion),
  ];
  const ratio = (x: number, y: number): string => `${fixed(x / Math.max(1e-9, y), 2)}×`;
  return [
    ...head,
    table(
      [
        'Topology',
        'Delivered points/s',
        'Of full delivery',
        'Latency p50 / p99 (ms)',
        'Ingest alone (points/s)',
        'Busiest Redis: CPU ms per million points',
      ],
      [
        row('One instance', single.delivery, single),
        row('Two instances behind nginx', pair.delivery, pair),
        row('Ingest on A, receive on B', crossInstance, undefined),
        row('Two instances, split log', split.delivery, split),
        row('Split log: ingest on A, receive on B', splitCrossInstance, undefined),
      ],
    ),
    '',
    `Two instances ÷ one: delivered ${ratio(pair.delivery.deliveredPerSec, single.delivery.deliveredPerSec)}, ` +
      `ingest ${ratio(pair.ingestPerSec, single.ingestPerSec)}. Split log ÷ one stream (both two instances): ` +
      `delivered ${ratio(split.delivery.deliveredPerSec, pair.delivery.deliveredPerSec)}, ingest ` +
      `${ratio(split.ingestPerSec, pair.ingestPerSec)}, busiest Redis's CPU per point ` +
      `${ratio(split.redisCpuMsPerMillion, pair.redisCpuMsPerMillion)}.`,
  ];
}
