import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { ValueShape } from './points.js';
import { SERVER_KINDS, type ServerKind } from './processes.js';

export type Section = 'fanout' | 'idle' | 'ingest' | 'patterns' | 'sockets' | 'browser' | 'cluster';

/** The fan-out producer posts every this many ms. */
export const PRODUCER_INTERVAL_MS = 10;
/** Unanswered ingest requests before the producer skips batches (0.32 s of batches). */
export const PRODUCER_MAX_IN_FLIGHT = 32;
/** The dashboard of the browser section: 20 time-series panels of 5 feeds each, 100 distinct feeds. */
export const BROWSER_PANELS = 20;
export const BROWSER_FEEDS_PER_PANEL = 5;
export const BROWSER_FEEDS = BROWSER_PANELS * BROWSER_FEEDS_PER_PANEL;
/** 100 points/s per feed. */
export const BROWSER_RATE = BROWSER_FEEDS * 100;
/** The browser section's producer posts every 50 ms: 5 points per feed. */
export const BROWSER_PRODUCER_INTERVAL_MS = 50;
/** The dashboard's time window (`1m`). */
export const BROWSER_WINDOW_MS = 60_000;
/** The dashboard's JS heap is read every this many ms. */
export const HEAP_EVERY_MS = 30_000;

const VALUE_SHAPES: readonly ValueShape[] = ['walk', 'noise'];

const SECTIONS: readonly Section[] = ['fanout', 'idle', 'ingest', 'patterns', 'sockets', 'browser', 'cluster'];

/** The servers of the Socket.IO delivery section (see `scenarios/sockets.ts`). */
export type SocketServer = 'pulseboard-deflate' | 'pulseboard-plain' | 'batching-deflate' | 'batching-plain' | 'naive';
const SOCKET_SERVERS: readonly SocketServer[] = [
  'pulseboard-deflate',
  'pulseboard-plain',
  'batching-deflate',
  'batching-plain',
  'naive',
];
/** Run by default; `batching-plain` only when asked for. */
const DEFAULT_SOCKET_SERVERS: readonly SocketServer[] = [
  'pulseboard-deflate',
  'pulseboard-plain',
  'batching-deflate',
  'naive',
];

/** One Socket.IO delivery run: this many sockets while points come in at this rate. */
export interface SocketRun {
  sockets: number;
  rate: number;
}

export interface BenchConfig {
  quick: boolean;
  sections: Section[];
  servers: ServerKind[];
  subscribers: number[];
  rates: number[];
  /** Pulseboard's batch window (its default), for the latency target. */
  batchMs: number;
  warmupMs: number;
  measureMs: number;
  /** The naive server saturates; its runs are capped to this. */
  naiveMeasureMs: number;
  idleConnections: number;
  ingestConcurrency: number;
  ingestPointsPerBody: number;
  ingestWarmupMs: number;
  ingestMeasureMs: number;
  /** The cluster section: subscribers and ingest rate of its delivery runs. */
  clusterSubscribers: number;
  clusterRate: number;
  engineStageMs: number;
  socketRuns: SocketRun[];
  socketServers: SocketServer[];
  /** The dashboard's frame-rate window (and the blank page's, for the baseline). */
  browserMeasureMs: number;
  /** How long the dashboard's JS heap is followed (with the first value shape). */
  browserHeapMs: number;
  /** The value shapes the dashboard is measured with, in order. */
  browserValues: ValueShape[];
  /** Run the fan-out servers under `--cpu-prof`. */
  profile: boolean;
  cores: number;
}

const USAGE = `usage: node bench/dist/run.js [options]
  --quick                 smoke run (~4 minutes): 100 subscribers and sockets, short windows
  --only <sections>       fanout,idle,ingest,patterns,sockets,browser,cluster (default: all)
  --servers <kinds>       pulseboard,limit,naive (default: all)
  --subscribers <list>    fan-out subscriber counts (default: 100,1000,5000)
  --rates <list>          fan-out ingest rates in points/s (default: 1000,10000)
  --warmup <s>            fan-out warm-up seconds (default: 2)
  --measure <s>           fan-out measurement seconds (default: 8)
  --naive-measure <s>     cap on the naive server's measurement (default: 5)
  --idle <n>              idle SSE connections / Socket.IO sockets for the memory figures (default: 1000)
  --socket-runs <list>    Socket.IO delivery runs as sockets x rate (default: 1000x1000,1000x10000,100x10000)
  --socket-servers <list> pulseboard-deflate,pulseboard-plain,batching-deflate,batching-plain,naive
                          (default: all but batching-plain)
  --browser-measure <s>   dashboard frame-rate window in headless Chromium (default: 20)
  --browser-minutes <m>   how long the dashboard's JS heap is followed (default: 10)
  --browser-values <list> walk,noise: drifting values, and full-range noise at every point (default: both)
  --profile               write CPU profiles of the fan-out and Socket.IO servers, and of the dashboard page,
                          to bench/results/profiles
  --help`;

function list<T extends string>(raw: string | undefined, allowed: readonly T[], fallback: readonly T[]): T[] {
  if (raw === undefined) return [...fallback];
  const values = raw.split(',').map((s) => s.trim());
  for (const value of values) {
    if (!(allowed as readonly string[]).includes(value)) throw new Error(`unknown value ${value}\n${USAGE}`);
  }
  return values as T[];
}

function numbers(raw: string | undefined, fallback: number[]): number[] {
  if (raw === undefined) return fallback;
  const values = raw.split(',').map(Number);
  if (values.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`expected positive integers: ${raw}`);
  return values;
}

function socketRuns(raw: string | undefined, fallback: SocketRun[]): SocketRun[] {
  if (raw === undefined) return fallback;
  return raw.split(',').map((item) => {
    const match = /^\s*(\d+)\s*x\s*(\d+)\s*$/.exec(item);
    if (match === null || Number(match[1]) <= 0 || Number(match[2]) <= 0) {
      throw new Error(`expected sockets x rate, e.g. 1000x1000: ${item}`);
    }
    return { sockets: Number(match[1]), rate: Number(match[2]) };
  });
}

function seconds(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback * 1000;
  const value = Number(raw);
  if (!(value > 0)) throw new Error(`expected a positive number of seconds: ${raw}`);
  return value * 1000;
}

function minutes(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback * 60_000;
  const value = Number(raw);
  if (!(value > 0)) throw new Error(`expected a positive number of minutes: ${raw}`);
  return value * 60_000;
}

export function parseConfig(argv: string[]): BenchConfig | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      servers: { type: 'string' },
      subscribers: { type: 'string' },
      rates: { type: 'string' },
      warmup: { type: 'string' },
      measure: { type: 'string' },
      'naive-measure': { type: 'string' },
      idle: { type: 'string' },
      'socket-runs': { type: 'string' },
      'socket-servers': { type: 'string' },
      'browser-measure': { type: 'string' },
      'browser-minutes': { type: 'string' },
      'browser-values': { type: 'string' },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    return undefined;
  }
  const quick = values.quick;
  return {
    quick,
    sections: list(values.only, SECTIONS, SECTIONS),
    servers: list(values.servers, SERVER_KINDS, SERVER_KINDS),
    subscribers: numbers(values.subscribers, quick ? [100] : [100, 1000, 5000]),
    rates: numbers(values.rates, [1000, 10_000]),
    batchMs: 50,
    warmupMs: seconds(values.warmup, quick ? 1 : 2),
    measureMs: seconds(values.measure, quick ? 2 : 8),
    naiveMeasureMs: seconds(values['naive-measure'], quick ? 2 : 5),
    idleConnections: values.idle === undefined ? (quick ? 200 : 1000) : numbers(values.idle, [])[0],
    ingestConcurrency: 8,
    ingestPointsPerBody: 1000,
    ingestWarmupMs: quick ? 1000 : 2000,
    ingestMeasureMs: quick ? 2000 : 8000,
    clusterSubscribers: quick ? 100 : 1000,
    clusterRate: 10_000,
    engineStageMs: quick ? 1000 : 3000,
    socketRuns: socketRuns(
      values['socket-runs'],
      quick
        ? [
            { sockets: 100, rate: 1000 },
            { sockets: 100, rate: 10_000 },
          ]
        : [
            { sockets: 1000, rate: 1000 },
            { sockets: 1000, rate: 10_000 },
            { sockets: 100, rate: 10_000 },
          ],
    ),
    socketServers: list(values['socket-servers'], SOCKET_SERVERS, DEFAULT_SOCKET_SERVERS),
    browserMeasureMs: seconds(values['browser-measure'], quick ? 5 : 20),
    browserHeapMs: minutes(values['browser-minutes'], quick ? 1 : 10),
    browserValues: list(values['browser-values'], VALUE_SHAPES, VALUE_SHAPES),
    profile: values.profile,
    cores: availableParallelism(),
  };
}

/**
 * Connections the idle-socket figure is taken over. RSS grows in heap-sized
 * steps: over 1,000 connections one step moved the slope by several KB
 * between runs (18.5 to 24.2 KB for the same server), over 3,000 by about one.
 */
export function socketIdleConnections(config: BenchConfig): number {
  return config.quick ? config.idleConnections : Math.max(config.idleConnections, 3000);
}
