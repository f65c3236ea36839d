import type { FrameStats, MainThreadShare } from './chromium.js';
import type { SocketServer } from './config.js';
import type { LatencySummary } from './histogram.js';
import type { ValueShape } from './points.js';
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
  /** Every request carried a token the server verified. */
  auth?: boolean;
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
  /** The pipeline for JSON points with 8 labels each. */
  labelledPointsPerSec?: number;
  /** The pipeline for line protocol without tags, and with 8 tags per line. */
  linePointsPerSec?: number;
  lineLabelledPointsPerSec?: number;
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
  /** A new series with 8 labels joining its subscriptions among as many selectors with label matchers (whole `Retention.apply`). */
  labelledNs?: number;
  /** The same routing by testing every subscription's selectors. */
  labelledScanNs?: number;
  labelledMatched?: number;
}

/** One reading of the dashboard's JS heap, after a forced GC. */
export interface HeapSample {
  /** Since the first reading. */
  atMs: number;
  /** `Runtime.getHeapUsage().usedSize` after `HeapProfiler.collectGarbage`: the V8 heap in use. */
  usedBytes: number;
  /** Blink's garbage-collected heap (`embedderHeapUsedSize`). */
  embedderBytes: number;
  /** `ArrayBuffer` contents and external strings (`backingStorageSize`), outside the V8 heap. */
  backingBytes: number;
  /** DOM nodes and event listeners alive in the page (CDP `Performance.getMetrics`). */
  nodes: number;
  listeners: number;
  /** Frame rate over the interval that ended with this reading (`null` for the first). */
  fps: number | null;
  chartFps: number | null;
}

/** The JS heap of the dashboard followed over minutes (see `scenarios/browser-heap.ts`). */
export interface HeapRun {
  status: 'ok' | 'failed';
  reason?: string;
  /** The values flowing during the run. */
  values: ValueShape;
  warmupMs: number;
  everyMs: number;
  samples: HeapSample[];
  firstBytes?: number;
  lastBytes?: number;
  maxBytes?: number;
  /** last ÷ first. */
  lastOverFirst?: number;
}

/** What the dashboard page's `EventSource` received (`points` events), from CDP network events. */
export interface PageDelivery {
  ms: number;
  pointsPerSec: number;
  messagesPerSec: number;
  /** Event data (JSON), not wire bytes. */
  bytesPerSec: number;
  /** Distinct feeds seen. */
  feeds: number;
}

/** One frame-rate window of the dashboard in a fresh page (see `scenarios/browser.ts`). */
export interface DashboardWindow extends FrameStats {
  values: ValueShape;
  /** From the panels' first drawn frame to the start of the window. */
  warmupMs: number;
  /** fps ÷ the blank page's. */
  ofBaseline: number | null;
  mainThread: MainThreadShare;
  /** Percent of one core per Chromium process kind over the window. */
  chromiumCpu: Record<string, number>;
  serverCpuPct: number;
  producerCpuPct: number;
  machineCpuPct: number;
  /** Machine CPU not used by the bench's processes or Chromium. */
  otherCpuPct: number;
  /** At the end of the window, without a forced GC. */
  heapUsedBytes: number;
  /** From navigation until all panels were on the page and the chart frame counter moved. */
  readyMs: number;
  /** Panels with some part in the viewport (off-screen panels may draw less often). */
  panelsInView: number;
  ingest: { acceptedPerSec: number; skippedPoints: number; non202: Record<string, number>; errors: number };
  /** Measured just after the frame-rate window, in a window of its own. */
  delivered?: PageDelivery;
  screenshot?: string;
  /** With `--profile`: a CPU profile and a trace of the page, from the repository root. */
  profile?: string;
  trace?: string;
}

/** The dashboard drawing 20 panels of live feeds in headless Chromium (see `scenarios/browser.ts`). */
export interface BrowserResult {
  status: 'ok' | 'failed';
  reason?: string;
  chromium?: string;
  panels: number;
  feeds: number;
  /** Points/s over all feeds. */
  rate: number;
  /** Points flowed this long (with each value shape) before the dashboard opened. */
  prefillMs: number;
  /** Problems that do not stop the run but bear on the figures (e.g. a `web/dist` older than `web/src`). */
  warnings: string[];
  /** `about:blank` in the same browser over the same window, while the points flow to the server. */
  baseline?: FrameStats;
  /** One per value shape, in the order run. */
  dashboards: DashboardWindow[];
  heap?: HeapRun;
  /** Console errors and uncaught exceptions of the dashboard pages (first few). */
  pageErrors: string[];
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
  browser?: BrowserResult;
  cluster?: ClusterResult;
  targets: TargetResult[];
}

/** Subscribers streaming while a producer ingests at a fixed rate. */
export interface ClusterDelivery {
  deliveredPerSec: number;
  /** Accepted ingest × subscribers: what full delivery is. */
  expectedPerSec: number;
  acceptedPerSec: number;
  latency: LatencySummary;
}

export interface ClusterTopology {
  delivery: ClusterDelivery;
  ingestPerSec: number;
  /** Redis CPU time per million points ingested, on the busiest Redis server. */
  redisCpuMsPerMillion: number;
}

/** One instance against two behind nginx, on one Redis-backed log. */
export interface ClusterResult {
  status: 'ok' | 'failed';
  reason?: string;
  subscribers: number;
  rate: number;
  single?: ClusterTopology;
  pair?: ClusterTopology;
  /** Subscribers on B, producer on A. */
  crossInstance?: ClusterDelivery;
  /** Two instances on a log split into partitions over two Redis servers. */
  split?: ClusterTopology;
  splitCrossInstance?: ClusterDelivery;
}
