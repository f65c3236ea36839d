import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { startNginx, startRedis } from '../lib/cluster-infra.js';
import type { BenchConfig } from '../lib/config.js';
import { deliveredPoints, measureWindow, startProducer } from '../lib/delivery-run.js';
import type { LatencySummary } from '../lib/histogram.js';
import { errorText } from '../lib/ipc.js';
import { log } from '../lib/log.js';
import { ServerProcess, Worker } from '../lib/processes.js';
import { ingestClientReport, loadReport } from '../lib/reports.js';
import type { ClusterDelivery, ClusterResult } from '../lib/results.js';
import { connectSubscribers } from './fanout.js';

/**
 * One instance against two behind nginx, on the same load and the same
 * Redis-backed log: subscribers streaming while a producer ingests at a fixed
 * rate (delivered points/s, latency), then ingest alone at full speed; and,
 * with two instances, the latency of points ingested on one and received on
 * the other. Then the same pair on a log split into four partitions over two
 * Redis servers, with the Redis CPU each ingested point costs on the busiest
 * server, against the one stream.
 */
export async function runCluster(config: BenchConfig): Promise<ClusterResult> {
  const subscribers = config.clusterSubscribers;
  const rate = config.clusterRate;
  const result: ClusterResult = { status: 'failed', subscribers, rate };
  const redis = await startRedis();
  const second = await startRedis();
  const started: { stop: () => Promise<void> }[] = [];
  try {
    const instance = async (prefix: string, env: Record<string, string> = {}) => {
      const server = await ServerProcess.start('pulseboard', {
        env: { REDIS_URL: redis.url, REDIS_PREFIX: prefix, ...env },
      });
      started.push(server);
      return server;
    };

    log('cluster: one instance');
    const single = await instance('single');
    result.single = {
      delivery: await delivery(config, single.port, single.port, subscribers, rate),
      ...(await ingestSpeed(config, single.port, [redis.url])),
    };
    await stopAll(started);

    log('cluster: two instances behind nginx');
    const a = await instance('pair');
    const b = await instance('pair');
    const nginx = await startNginx(a.port, b.port);
    started.push(nginx);
    result.pair = {
      delivery: await delivery(config, nginx.port, nginx.port, subscribers, rate),
      ...(await ingestSpeed(config, nginx.port, [redis.url])),
    };
    log('cluster: ingest on A, receive on B');
    result.crossInstance = await delivery(config, b.port, a.port, subscribers, rate);
    await stopAll(started);

    log(`cluster: two instances on a log split into ${SPLIT_PARTITIONS} partitions over two Redis servers`);
    const split = { REDIS_PARTITIONS: String(SPLIT_PARTITIONS), REDIS_PARTITION_URLS: `${redis.url},${second.url}` };
    const splitA = await instance('split', split);
    const splitB = await instance('split', split);
    const splitNginx = await startNginx(splitA.port, splitB.port);
    started.push(splitNginx);
    result.split = {
      delivery: await delivery(config, splitNginx.port, splitNginx.port, subscribers, rate),
      ...(await ingestSpeed(config, splitNginx.port, [redis.url, second.url])),
    };
    log('cluster: split log, ingest on A, receive on B');
    result.splitCrossInstance = await delivery(config, splitB.port, splitA.port, subscribers, rate);
    result.status = 'ok';
    return result;
  } catch (error) {
    return { ...result, status: 'failed', reason: errorText(error) };
  } finally {
    await stopAll(started);
    await Promise.all([redis.stop(), second.stop()]);
  }
}

/** Partitions of the split-log run: each of the two Redis servers holds two. */
const SPLIT_PARTITIONS = 4;
/** Sources (`src0.…` to `src7.…`) of the ingest-alone bodies, one per body: 2 per partition. */
const INGEST_SOURCES = 8;

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
    await startProducer(producer, producePort, rate);
    await sleep(config.warmupMs);
    const window = await measureWindow(loadgen, producer, config.measureMs);
    const load = loadReport(window.load);
    const produced = window.produced;
    const deliveredPerSec = deliveredPoints(load) / (load.windowMs / 1000);
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

/**
 * Ingest alone at full speed (the ingest section's client) against `port`,
 * and the Redis CPU time per million points it cost the busiest of `redisUrls`.
 */
async function ingestSpeed(
  config: BenchConfig,
  port: number,
  redisUrls: string[],
): Promise<{ ingestPerSec: number; redisCpuMsPerMillion: number }> {
  const client = new Worker('ingest-client', 'load/ingest-client.js');
  try {
    await client.request({
      type: 'start',
      port,
      concurrency: config.ingestConcurrency,
      pointsPerBody: config.ingestPointsPerBody,
      // producers of several hosts, so that a split log spreads them
      sources: INGEST_SOURCES,
    });
    await sleep(config.ingestWarmupMs);
    const cpuBefore = await Promise.all(redisUrls.map(redisCpuSeconds));
    await client.request({ type: 'reset' });
    await sleep(config.ingestMeasureMs);
    const report = ingestClientReport(await client.request({ type: 'report' }));
    const cpuAfter = await Promise.all(redisUrls.map(redisCpuSeconds));
    const busiest = Math.max(...cpuAfter.map((after, i) => after - cpuBefore[i]));
    const pointsPerSec = report.accepted / (report.windowMs / 1000);
    const redisCpuMsPerMillion = (busiest * 1000) / Math.max(1, report.accepted / 1e6);
    log(
      `  ingest alone: ${Math.round(pointsPerSec).toLocaleString('en-US')} points/s, ` +
        `busiest Redis ${redisCpuMsPerMillion.toFixed(0)} ms CPU per million points`,
    );
    return { ingestPerSec: pointsPerSec, redisCpuMsPerMillion };
  } finally {
    await client.stop();
  }
}

/** CPU seconds (user + system) a Redis server has used, from `INFO cpu`. */
async function redisCpuSeconds(url: string): Promise<number> {
  const client = new Redis(url);
  try {
    const info = await client.info('cpu');
    const field = (name: string): number => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? 0);
    return field('used_cpu_user') + field('used_cpu_sys');
  } finally {
    client.disconnect();
  }
}
