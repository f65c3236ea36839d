import { connectLoad, deliveryFigures, runDelivery, sampledBytesPerPoint } from '../lib/delivery-run.js';
import type { BenchConfig } from '../lib/config.js';
import type { ServerKind, Worker } from '../lib/processes.js';
import { connectReport, loadReport, type ConnectReport } from '../lib/reports.js';
import type { FanoutResult } from '../lib/results.js';

const STREAM_PATH = '/api/v1/stream?feeds=bench.%3E';
const SSE_LOADGEN = { name: 'subscribers', script: 'load/subscribers.js' };

/** Opens `subscribers` SSE streams of `bench.>` from the load generator and waits for their `hello`s. */
export async function connectSubscribers(loadgen: Worker, port: number, subscribers: number): Promise<ConnectReport> {
  return connectReport(await connectLoad(loadgen, port, subscribers, { path: STREAM_PATH }));
}

/**
 * SSE fan-out: `subscribers` streams of `bench.>` while one producer posts
 * `rate` points/s. Delivered points are the load generator's bytes ÷ the
 * sample's bytes per point.
 */
export function runFanout(
  config: BenchConfig,
  kind: ServerKind,
  subscribers: number,
  rate: number,
): Promise<FanoutResult> {
  const base: FanoutResult = { server: kind, subscribers, rate, status: 'failed' };
  const run = {
    name: `fanout-${kind}-${subscribers}x${rate}`,
    server: { kind },
    loadgen: SSE_LOADGEN,
    connect: { path: STREAM_PATH },
    readConnect: connectReport,
    readLoad: loadReport,
    connections: subscribers,
    rate,
    naive: kind === 'naive',
    words: { connections: 'subscribers', subscribed: 'hello' },
  };
  return runDelivery(config, base, run, (measured) => {
    const { load } = measured;
    const figures = deliveryFigures(measured, subscribers);
    return {
      ...base,
      ...figures,
      status: 'ok',
      delivered: {
        ...figures.delivered,
        bytesPerSec: load.bytes / (load.windowMs / 1000),
        bytesPerPoint: sampledBytesPerPoint(load),
      },
    };
  });
}
