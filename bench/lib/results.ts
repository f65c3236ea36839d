import type { SocketServer } from './config.js';
import type { LatencySummary } from './histogram.js';
import type { ServerKind } from './processes.js';

export interface FanoutResult {
  server: ServerKind;
  subscribers: number;
  rate: number;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  connect?: { helloed: number; failed: number; sampled: number; ms: number };
  windowMs?: number;
  ingest?: {
    offeredPerSec: number;
    acceptedPerSec: number;
    skippedPoints: number;
    non202: Record<string, number>;
    errors: number;
    postP99Ms: number | null;
  };
  delivered?: {
    pointsPerSec: number;
    /** Subscribers × accepted ingest rate. */
    expectedPerSec: number;
    bytesPerSec: number;
    bytesPerPoint: number | null;
    sampledPoints: number;
    disconnects: number;
  };
  latency?: LatencySummary;
  serverStats?: {
    cpuPct: number;
    /** CPU time per delivered point. */
    cpuNsPerPoint: number | null;
    rssBaseKB: number;
    /** After the subscribers connected, before points flow. */
    rssConnectedKB: number;
    rssEndKB: number;
    /** (end − base) ÷ subscribers: what each subscriber costs under load, buffers included. */
    rssPerConnKB: number;
    /** (connected − base) ÷ subscribers. */
    rssPerIdleConnKB: number;
  };
  loadgen?: { cpuPct: number; elu: number; loopDelayP99Ms: number };
  producerCpuPct?: number;
  /** Percent of one core used by the whole machine during the window. */
  machineCpuPct?: number;
  /** Machine CPU not used by the bench's own processes (anything else running on the host). */
  otherCpuPct?: number;
  /** Machine CPU just before the scenario started (nothing of the benchmark running). */
  backgroundCpuPct?: number;
  profile?: string;
}

export interface IdleResult {
  server: ServerKind;
  status: 'ok' | 'failed';
  reason?: string;
  connections: number;
  rssBeforeKB?: number;
  rssAfterKB?: number;
  /** Slope of RSS over open connections. */
  perConnKB?: number;
  /** (RSS after the first `idleConnections` − before) ÷ `idleConnections`. */
  firstBlockKB?: number;
  /** [connections opened, RSS KB] after each step. */
  samples?: [number, number][];
}

/** One Socket.IO delivery run (see `scenarios/sockets.ts`); the fields it shares with SSE fan-out mean the same. */
export interface SocketDeliveryResult extends Omit<FanoutResult, 'server' | 'subscribers' | 'delivered'> {
  server: SocketServer;
  sockets: number;
  /** Open sockets that negotiated permessage-deflate. */
  deflateSockets?: number;
  delivered?: NonNullable<FanoutResult['delivered']> & {
    /** Payload (WebSocket message, inflated) bytes per point; `bytesPerPoint` is what crossed TCP. */
    payloadBytesPerPoint: number | null;
    /** WebSocket messages received per second, all sockets. */
    messagesPerSec: number;
  };
}

/** The idle memory runs of the Socket.IO section: sockets, and SSE streams on the same steps for comparison. */
export type SocketIdleServer =
  'pulseboard-deflate' | 'pulseboard-plain' | 'pulseboard-sse' | 'batching-deflate' | 'batching-plain';

export interface SocketIdleResult extends Omit<IdleResult, 'server'> {
  server: SocketIdleServer;
  /** Open sockets that negotiated permessage-deflate. */
  deflateSockets?: number;
  /**
   * (RSS once every connection received one `points` message and
   * the server went quiet again − RSS before any) ÷ connections: what
   * compression keeps per connection between messages.
   */
  afterDataKB?: number;
}

export interface IngestHttpResult {
  server: ServerKind;
  status: 'ok' | 'failed';
  reason?: string;
  pointsPerSec?: number;
  requestsPerSec?: number;
  rejected?: number;
  errors?: number;
  postP50Ms?: number | null;
  postP99Ms?: number | null;
  serverCpuPct?: number;
  clientCpuPct?: number;
  bodyBytes?: number;
}

export interface EngineResult {
  status: 'ok' | 'failed';
  reason?: string;
  jsonPointsPerSec?: number;
  parsePointsPerSec?: number;
  pipelinePointsPerSec?: number;
}

/** Subscription routing in one process (see `scenarios/patterns.ts`). */
export interface PatternsResult {
  status: 'ok' | 'failed';
  reason?: string;
  feeds?: number;
  subscriptions?: number;
  newFeeds?: number;
  /** Creating one distinct subscription (resolving it against every feed). */
  acquireUs?: number;
  /** A new feed joining its subscriptions through the trie (whole `Retention.apply`). */
  trieNs?: number;
  /** The same routing by testing every subscription's patterns. */
  scanNs?: number;
  matched?: number;
}

export interface TargetResult {
  name: string;
  measured: number | null;
  threshold: number | null;
  unit: string;
  /** `min`: measured must be ≥ threshold; `max`: ≤. */
  kind: 'min' | 'max';
  met: boolean | null;
  /** measured ÷ threshold (or threshold ÷ measured for `max`). */
  margin: number | null;
  note?: string;
}

export interface BenchResults {
  startedAt: string;
  finishedAt?: string;
  machine: { cores: number; cpu: string; node: string; kernel: string; memoryMB: number };
  config: unknown;
  fanout: FanoutResult[];
  idle: IdleResult[];
  ingest: { http: IngestHttpResult[]; engine?: EngineResult };
  patterns?: PatternsResult;
  sockets?: { delivery: SocketDeliveryResult[]; idle: SocketIdleResult[] };
  targets: TargetResult[];
}
