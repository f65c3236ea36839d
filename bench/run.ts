import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { parseConfig } from './lib/config.js';
import { errorText } from './lib/ipc.js';
import { log } from './lib/log.js';
import { killAll, REPO_ROOT, type ServerKind } from './lib/processes.js';
import { waitForQuiet } from './lib/proc.js';
import { evaluateTargets, renderReport } from './lib/report.js';
import type { BenchResults } from './lib/results.js';
import { runBrowser } from './scenarios/browser.js';
import { runFanout } from './scenarios/fanout.js';
import { runIdle } from './scenarios/idle.js';
import { runCluster } from './scenarios/cluster.js';
import { runIngestEngine, runIngestHttp } from './scenarios/ingest.js';
import { runPatterns } from './scenarios/patterns.js';
import { runSocketsSection } from './scenarios/sockets.js';

/** Before each scenario, wait (bounded) until the rest of the host uses less than this much of a core. */
const QUIET_PCT = 25;
const QUIET_MAX_WAIT_MS = 30_000;

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

async function main(): Promise<number> {
  const config = parseConfig(process.argv.slice(2));
  if (config === undefined) return 0;
  const startedAt = new Date();
  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    machine: {
      cores: config.cores,
      cpu: cpus()[0]?.model ?? 'unknown',
      node: process.versions.node,
      kernel: release(),
      memoryMB: Math.round(totalmem() / 1024 / 1024),
    },
    config,
    fanout: [],
    idle: [],
    ingest: { http: [] },
    targets: [],
  };
  const has = (kind: ServerKind): boolean => config.servers.includes(kind);
  const quiet = async (): Promise<number> => {
    const busy = await waitForQuiet(config.cores, QUIET_PCT, QUIET_MAX_WAIT_MS);
    if (busy > QUIET_PCT) log(`  the host is busy before this scenario: ${busy.toFixed(0)} % of a core`);
    return busy;
  };

  try {
    if (config.sections.includes('fanout')) {
      for (const subscribers of config.subscribers) {
        for (const rate of config.rates) {
          for (const kind of config.servers) {
            log(`fan-out: ${kind}, ${subscribers} subscribers × ${rate} points/s`);
            const backgroundCpuPct = await quiet();
            const result = { ...(await runFanout(config, kind, subscribers, rate)), backgroundCpuPct };
            if (result.status !== 'ok') log(`  ${result.status}: ${result.reason ?? ''}`);
            else {
              log(
                `  delivered ${Math.round(result.delivered!.pointsPerSec).toLocaleString('en-US')} points/s, ` +
                  `p99 ${result.latency!.p99 ?? '—'} ms, server CPU ${result.serverStats!.cpuPct.toFixed(0)} %`,
              );
            }
            results.fanout.push(result);
          }
        }
      }
    }
    if (config.sections.includes('idle')) {
      for (const kind of config.servers) {
        log(`idle memory: ${kind}, ${config.idleConnections} connections`);
        await quiet();
        results.idle.push(await runIdle(config, kind));
      }
    }
    if (config.sections.includes('ingest')) {
      for (const kind of ['pulseboard', 'limit'] as const) {
        if (!has(kind)) continue;
        log(`ingest: ${kind}`);
        await quiet();
        results.ingest.http.push(await runIngestHttp(config, kind));
      }
      if (has('pulseboard')) {
        log('ingest: pulseboard with a token on every request');
        await quiet();
        results.ingest.http.push(await runIngestHttp(config, 'pulseboard', true));
      }
      if (has('pulseboard')) {
        log('ingest: engine in-process');
        await quiet();
        results.ingest.engine = await runIngestEngine(config);
      }
    }
    if (config.sections.includes('patterns')) {
      log('patterns: routing new feeds to 10,000 subscriptions');
      await quiet();
      try {
        results.patterns = runPatterns();
      } catch (error) {
        results.patterns = { status: 'failed', reason: errorText(error) };
      }
    }
    if (config.sections.includes('sockets')) results.sockets = await runSocketsSection(config, quiet);
    if (config.sections.includes('browser')) {
      log(`browser: the dashboard in headless Chromium, ${config.browserHeapMs / 60_000} min of heap readings`);
      await quiet();
      results.browser = await runBrowser(config);
      if (results.browser.status !== 'ok') log(`  ${results.browser.status}: ${results.browser.reason ?? ''}`);
    }
    if (config.sections.includes('cluster')) {
      await quiet();
      results.cluster = await runCluster(config);
      if (results.cluster.status !== 'ok') log(`  failed: ${results.cluster.reason ?? ''}`);
    }
  } finally {
    killAll();
  }

  results.finishedAt = new Date().toISOString();
  results.targets = evaluateTargets(results, config);
  const dir = `${REPO_ROOT}bench/results`;
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const report = renderReport(results, config);
  writeFileSync(`${dir}/${stamp}.json`, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(`${dir}/${stamp}.md`, report);
  process.stdout.write(report);
  log(`results: bench/results/${stamp}.json`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${errorText(error)}\n`);
    killAll();
    process.exit(1);
  },
);
