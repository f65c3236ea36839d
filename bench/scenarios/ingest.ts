import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchConfig } from '../lib/config.js';
import { errorText } from '../lib/ipc.js';
import { log } from '../lib/log.js';
import { ServerProcess, Worker, type ServerKind } from '../lib/processes.js';
import { CpuMeter } from '../lib/proc.js';
import { bodyBytesOf, engineReport, ingestClientReport } from '../lib/reports.js';
import type { EngineResult, IngestHttpResult } from '../lib/results.js';

/** Ingest over HTTP with no subscribers: concurrent keep-alive POSTs of 1000-point JSON bodies. */
export async function runIngestHttp(config: BenchConfig, kind: ServerKind): Promise<IngestHttpResult> {
  let server: ServerProcess | undefined;
  let client: Worker | undefined;
  try {
    server = await ServerProcess.start(kind);
    client = new Worker('ingest-client', 'load/ingest-client.js');
    const bodyBytes = bodyBytesOf(
      await client.request({
        type: 'start',
        port: server.port,
        concurrency: config.ingestConcurrency,
        pointsPerBody: config.ingestPointsPerBody,
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
    log(`  ${kind}: ${Math.round(pointsPerSec).toLocaleString('en-US')} points/s`);
    return {
      server: kind,
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
    return { server: kind, status: 'failed', reason: errorText(error) };
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
    };
  } catch (error) {
    return { status: 'failed', reason: errorText(error) };
  } finally {
    await engine.stop();
  }
}
