import { setTimeout as sleep } from 'node:timers/promises';
import { mintToken } from '@pulseboard/auth';
import type { BenchConfig } from '../lib/config.js';
import { errorText } from '../lib/ipc.js';
import { log } from '../lib/log.js';
import { ServerProcess, Worker, type ServerKind } from '../lib/processes.js';
import { CpuMeter } from '../lib/proc.js';
import { bodyBytesOf, engineReport, ingestClientReport } from '../lib/reports.js';
import type { EngineResult, IngestHttpResult } from '../lib/results.js';

/** Secret of the server that checks a token on every ingest request. */
const BENCH_SECRET = 'bench-secret-of-at-least-thirty-two-bytes';

/**
 * Ingest over HTTP with no subscribers: concurrent keep-alive POSTs of
 * 1000-point JSON bodies. With `auth`, the server needs tokens and every
 * request carries an HS256 bearer token limited to the bench's feeds, so the
 * cost of verifying it and checking each point's feed is in the figure.
 */
export async function runIngestHttp(config: BenchConfig, kind: ServerKind, auth = false): Promise<IngestHttpResult> {
  let server: ServerProcess | undefined;
  let client: Worker | undefined;
  try {
    server = await ServerProcess.start(kind, auth ? { env: { AUTH_SECRET: BENCH_SECRET } } : {});
    client = new Worker('ingest-client', 'load/ingest-client.js');
    const authorization = auth
      ? `Bearer ${await mintToken(BENCH_SECRET, { sub: 'bench', role: 'producer', feeds: ['bench.>'] }, 3600)}`
      : undefined;
    const bodyBytes = bodyBytesOf(
      await client.request({
        type: 'start',
        port: server.port,
        concurrency: config.ingestConcurrency,
        pointsPerBody: config.ingestPointsPerBody,
        ...(authorization === undefined ? {} : { authorization }),
      }),
    );
    await sleep(config.ingestWarmupMs);
    const meter = new CpuMeter({ server: server.pid, client: client.pid }, config.cores);
    meter.start();
    await client.request({ type: 'reset' });
    await sleep(config.ingestMeasureMs);
    const report = ingestClientReport(await client.request({ type: 'report' }));
    const cpu = meter.stop();
    const seconds = report.windowMs / 1000;
    const pointsPerSec = report.accepted / seconds;
    log(`  ${kind}${auth ? ' with a token' : ''}: ${Math.round(pointsPerSec).toLocaleString('en-US')} points/s`);
    return {
      server: kind,
      auth,
      status: 'ok',
      pointsPerSec,
      requestsPerSec: report.requests / seconds,
      rejected: report.rejected,
      errors: report.errors,
      postP50Ms: report.postP50Ms,
      postP99Ms: report.postP99Ms,
      serverCpuPct: cpu.processes.server,
      clientCpuPct: cpu.processes.client,
      bodyBytes,
      ...(report.errors > 0 && report.lastError !== undefined ? { reason: report.lastError } : {}),
    };
  } catch (error) {
    return { server: kind, auth, status: 'failed', reason: errorText(error) };
  } finally {
    await client?.stop();
    await server?.stop();
  }
}

/** The engine's ingest path in one process, without HTTP. */
export async function runIngestEngine(config: BenchConfig): Promise<EngineResult> {
  const engine = new Worker('engine-ingest', 'load/engine-ingest.js');
  try {
    const report = engineReport(
      await engine.request(
        {
          type: 'run',
          pointsPerBody: config.ingestPointsPerBody,
          warmupMs: config.ingestWarmupMs / 2,
          stageMs: config.engineStageMs,
        },
        60_000 + config.engineStageMs * 6,
      ),
    );
    log(`  engine: ${Math.round(report.pipelinePointsPerSec).toLocaleString('en-US')} points/s`);
    return {
      status: 'ok',
      jsonPointsPerSec: report.jsonPointsPerSec,
      parsePointsPerSec: report.parsePointsPerSec,
      pipelinePointsPerSec: report.pipelinePointsPerSec,
      labelledPointsPerSec: report.labelledPointsPerSec,
      linePointsPerSec: report.linePointsPerSec,
      lineLabelledPointsPerSec: report.lineLabelledPointsPerSec,
    };
  } catch (error) {
    return { status: 'failed', reason: errorText(error) };
  } finally {
    await engine.stop();
  }
}
