import { setTimeout as sleep } from 'node:timers/promises';
import { startNginx, startRedis } from '../lib/cluster-infra.js';
import { PRODUCER_INTERVAL_MS, PRODUCER_MAX_IN_FLIGHT, type BenchConfig } from '../lib/config.js';
import type { LatencySummary } from '../lib/histogram.js';
import { errorText } from '../lib/ipc.js';
import { log } from '../lib/log.js';
import { ServerProcess, Worker } from '../lib/processes.js';
import { ingestClientReport, loadReport, producerReport } from '../lib/reports.js';
import type { ClusterDelivery, ClusterResult } from '../lib/results.js';
import { connectSubscribers } from './fanout.js';

/**
 * One instance against two behind nginx, on the same load and the same
 * Redis-backed log: subscribers streaming while a producer ingests at a fixed
 * rate (delivered points/s, latency), then ingest alone at full speed; and,
 * with two instances, the latency of points ingested on one and received on
 * the other.
 */
export async function runCluster(config: BenchConfig): Promise<ClusterResult> {
  const subscribers = config.clusterSubscribers;
  const rate = config.clusterRate;
  const result: ClusterResult = { status: 'failed', subscribers, rate };
  const redis = await startRedis();
  const started: { stop: () => Promise<void> }[] = [];
  try {
    const instance = async (prefix: string) => {
      const server = await ServerProcess.start('pulseboard', { env: { REDIS_URL: redis.url, REDIS_PREFIX: prefix } });
      started.push(server);
      return server;
    };

    log('cluster: one instance');
    const single = await instance('single');
    result.single = {
      delivery: await delivery(config, single.port, single.port, subscribers, rate),
      ingestPerSec: await ingestSpeed(config, single.port),
    };
    await stopAll(started);

    log('cluster: two instances behind nginx');
    const a = await instance('pair');
    const b = await instance('pair');
    const nginx = await startNginx(a.port, b.port);
    started.push(nginx);
    result.pair = {
      delivery: await delivery(config, nginx.port, nginx.port, subscribers, rate),
      ingestPerSec: await ingestSpeed(config, nginx.port),
    };
    log('cluster: ingest on A, receive on B');
    result.crossInstance = await delivery(config, b.port, a.port, subscribers, rate);
    result.status = 'ok';
    return result;
  } catch (error) {
    return { ...result, status: 'failed', reason: errorText(error) };
  } finally {
    await stopAll(started);
    await redis.stop();
  }
}

async function stopAll(processes: { stop: () => Promise<void> }[]): Promise<void> {
  await Promise.all(processes.splice(0).map((process) => process.stop()));
}

/** Subscribers on `subscribePort` while the producer posts `rate` points/s to `producePort`. */
async function delivery(
  config: BenchConfig,
  subscribePort: number,
  producePort: number,
  subscribers: number,
  rate: number,
): Promise<ClusterDelivery> {
  const loadgen = new Worker('subscribers', 'load/subscribers.js');
  const producer = new Worker('producer', 'load/producer.js');
  try {
    const connect = await connectSubscribers(loadgen, subscribePort, subscribers);
    if (connect.helloed < subscribers) {
      throw new Error(`only ${connect.helloed} of ${subscribers} subscribers got their hello`);
    }
    await producer.request({
      type: 'start',
      port: producePort,
      rate,
      intervalMs: PRODUCER_INTERVAL_MS,
      maxInFlight: PRODUCER_MAX_IN_FLIGHT,
    });
    await sleep(config.warmupMs);
    await Promise.all([loadgen.request({ type: 'reset' }, 30_000), producer.request({ type: 'reset' }, 30_000)]);
    await sleep(config.measureMs);
    const [loadRaw, producerRaw] = await Promise.all([
      loadgen.request({ type: 'report' }, 30_000),
      producer.request({ type: 'report' }, 30_000),
    ]);
    const load = loadReport(loadRaw);
    const produced = producerReport(producerRaw);
    const bytesPerPoint = load.sampledPoints > 0 ? load.sampledBytes / load.sampledPoints : null;
    const deliveredPerSec = bytesPerPoint === null ? 0 : load.bytes / bytesPerPoint / (load.windowMs / 1000);
    const acceptedPerSec = produced.accepted / (produced.windowMs / 1000);
    const latency: LatencySummary = load.latency;
    log(
      `  ${Math.round(deliveredPerSec).toLocaleString('en-US')} points/s delivered, p50 ${latency.p50} ms, p99 ${latency.p99} ms`,
    );
    return { deliveredPerSec, expectedPerSec: acceptedPerSec * subscribers, acceptedPerSec, latency };
  } finally {
    await Promise.all([loadgen.stop(), producer.stop()]);
  }
}

/** Ingest alone at full speed (the ingest section's client) against `port`. */
async function ingestSpeed(config: BenchConfig, port: number): Promise<number> {
  const client = new Worker('ingest-client', 'load/ingest-client.js');
  try {
    await client.request({
      type: 'start',
      port,
      concurrency: config.ingestConcurrency,
      pointsPerBody: config.ingestPointsPerBody,
    });
    await sleep(config.ingestWarmupMs);
    await client.request({ type: 'reset' });
    await sleep(config.ingestMeasureMs);
    const report = ingestClientReport(await client.request({ type: 'report' }));
    const pointsPerSec = report.accepted / (report.windowMs / 1000);
    log(`  ingest alone: ${Math.round(pointsPerSec).toLocaleString('en-US')} points/s`);
    return pointsPerSec;
  } finally {
    await client.stop();
  }
}
