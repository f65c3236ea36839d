import {
  LogUnavailableError,
  newEpoch,
  type BatchListener,
  type Log,
  type LoggedBatch,
  type PointBatch,
} from '@pulseboard/core';
import { Redis } from 'ioredis';
import { decodeBatch, encodeBatch } from './batch-codec.js';
import { splitByPartition } from './partition-of.js';
import { msOf, positionOf } from './stream-position.js';

export interface RedisStreamLogOptions {
  /** `redis://host:6379/0`: holds the epoch, and every partition unless `partitionUrls` says otherwise. */
  url: string;
  /**
   * The stream's key; its epoch is kept under `<key>:epoch`. A split log's
   * keys name its layout, `<key>:p<partitions>s<segments>:<i>` and
   * `…:epoch`, so that another layout is another log.
   */
  key: string;
  /** Entries older than this (by Redis time) are trimmed, and the window read back at start. */
  retentionMs: number;
  /**
   * Streams the log is split into, each feed's points always in the same one
   * (by a hash of its first `partitionSegments` name segments); 1 (the
   * default) is one stream.
   */
  partitions?: number;
  /** Leading name segments that choose a feed's partition (default 1: `host1` of `host1.cpu`). */
  partitionSegments?: number;
  /** Redis servers for the partitions: partition `i` lives on `partitionUrls[i % length]`. Default: `[url]`. */
  partitionUrls?: readonly string[];
  /** How long one blocking read waits before it is issued again (ms). */
  blockMs?: number;
  /** Entries asked for per read. */
  readCount?: number;
  /** Told about entries that cannot be read and about lost connections; the log carries on. */
  onError?: (message: string, error?: unknown) => void;
}

const FIELD = 'b';
const DEFAULT_BLOCK_MS = 1000;
const DEFAULT_READ_COUNT = 1000;
const RETRY_MS = 200;

type StreamEntry = [Buffer, Buffer[]];

/** One Redis server of the log: a writer, a reader of its own for blocking reads, and the partitions it holds. */
interface StreamServer {
  readonly url: string;
  readonly writer: Redis;
  readonly reader: Redis;
  readonly partitions: number[];
  reading?: Promise<void>;
}

/**
 * The log as Redis streams, shared by every instance pointed at them.
 *
 * With one partition (the default) it is one stream: an append is one `XADD`
 * (trimming what left the retention window with `MINID ~`), acknowledged
 * once Redis has it; every instance tails the stream with `XREAD BLOCK` and
 * hands each entry to its listeners in stream order, so positions (from the
 * entry IDs) and arrival times (Redis's clock) are the same on every
 * instance, and a cursor issued by one is understood by all.
 *
 * Split into partitions, each feed's points go to one stream (a hash of its
 * name), on one of several Redis servers; a batch is appended as one
 * `MULTI`/`XADD` per server. Instances read the partitions in their own
 * interleaving, so a batch carries its partition and its position there
 * (the `origin`, the same everywhere) beside a position of the reader's own;
 * cursors carry one origin per partition.
 *
 * `warmUp()` reads the retention window back before the instance serves, so
 * history and resume work at once after a start or restart.
 */
export class RedisStreamLog implements Log {
  private readonly listeners = new Set<BatchListener>();
  /** Per partition: the ID of the last entry read. */
  private readonly lastIds: string[];
  private closed = false;
  /** Positions of this reader's own, for a split log. */
  private local = 0;

  private constructor(
    private readonly options: RedisStreamLogOptions,
    private readonly servers: StreamServer[],
    /** Per partition: its server. */
    private readonly serverOf: StreamServer[],
    /** The connection to the server that keeps the epoch. */
    private readonly home: Redis,
    readonly epoch: string,
  ) {
    this.lastIds = serverOf.map(() => '0-0');
  }

  get partitions(): number {
    return this.serverOf.length;
  }

  /** Connects and reads (or creates) the log's epoch; rejects when a Redis server cannot be reached. */
  static async open(options: RedisStreamLogOptions): Promise<RedisStreamLog> {
    const count = options.partitions ?? 1;
    if (!Number.isSafeInteger(count) || count < 1) throw new Error(`partitions must be a positive integer`);
    const urls = options.partitionUrls ?? [];
    const urlOf = (partition: number): string => (urls.length > 0 ? urls[partition % urls.length] : options.url);
    // only servers that hold a partition (more URLs than partitions leaves some out)
    const serverUrls = [...new Set(Array.from({ length: count }, (_, partition) => urlOf(partition)))];
    const servers: StreamServer[] = serverUrls.map((url) => ({ url, ...connections(url), partitions: [] }));
    const serverOf = Array.from({ length: count }, (_, partition) => {
      const server = servers[serverUrls.indexOf(urlOf(partition))];
      server.partitions.push(partition);
      return server;
    });
    // the epoch lives on `url` (beside the single stream; with partitions elsewhere, on its own)
    const home = new Redis(options.url, FAIL_FAST);
    try {
      for (const server of servers) {
        await server.writer.connect();
        await server.reader.connect();
      }
      await home.connect();
      const epochKey = `${baseKey(options)}:epoch`;
      await home.set(epochKey, newEpoch(), 'NX');
      const epoch = await home.get(epochKey);
      if (epoch === null) throw new Error(`${epochKey} vanished while it was being read`);
      const log = new RedisStreamLog(options, servers, serverOf, home, epoch);
      for (const server of servers) {
        server.writer.on('error', (error: unknown) =>
          log.options.onError?.(`the Redis connection to ${redactedUrl(server.url)} failed`, error),
        );
        server.reader.on('error', () => undefined);
      }
      home.on('error', () => undefined);
      // a Redis that lost its data (restarted without persistence) gets the running instances' epoch back,
      // so that an instance started later joins the same life of the log instead of founding a new one
      home.on('ready', () => {
        home.set(epochKey, epoch, 'NX').catch(() => undefined);
      });
      return log;
    } catch (error) {
      home.disconnect();
      for (const server of servers) {
        server.writer.disconnect();
        server.reader.disconnect();
      }
      throw error;
    }
  }

  isAvailable(): boolean {
    return !this.closed && this.servers.every((server) => server.writer.status === 'ready');
  }

  /**
   * Appends a batch: one `XADD` with one partition, else one transaction per
   * server. Resolves with its position (the highest of its partitions' for a
   * split log) once Redis has it all.
   */
  async append(batch: PointBatch): Promise<number> {
    if (!this.isAvailable()) throw new LogUnavailableError('Redis is unavailable');
    const minId = String(Math.max(0, Date.now() - this.options.retentionMs));
    try {
      if (this.partitions === 1) return await this.appendTo(0, batch, minId);
      const parts = splitByPartition(batch, this.partitions, this.options.partitionSegments ?? 1);
      const byServer = new Map<StreamServer, [number, PointBatch][]>();
      for (const [partition, part] of parts) {
        const server = this.serverOf[partition];
        const list = byServer.get(server) ?? [];
        list.push([partition, part]);
        byServer.set(server, list);
      }
      const ids = await Promise.all(
        [...byServer].map(async ([server, list]) => {
          if (list.length === 1) return [await this.appendTo(list[0][0], list[0][1], minId)];
          const transaction = server.writer.multi();
          for (const [partition, part] of list) transaction.xadd(...this.entry(partition, part, minId));
          const replies = await transaction.exec();
          if (replies === null) throw new Error('the transaction was discarded');
          return replies.map(([error, id]) => {
            if (error !== null) throw error;
            return this.positionOfReply(id);
          });
        }),
      );
      return Math.max(...ids.flat());
    } catch (error) {
      if (error instanceof LogUnavailableError) throw error;
      throw new LogUnavailableError(`Redis did not take the batch: ${(error as Error).message}`);
    }
  }

  tail(listener: BatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Hands the retention window's entries to the listeners — of a split log in
   * the order Redis took them, partitions merged by entry ID — then starts
   * tailing after the last of them. Call once, after the listeners are in.
   */
  async warmUp(): Promise<void> {
    const start = `${Math.max(0, Date.now() - this.options.retentionMs)}-0`;
    const windows = await Promise.all(this.serverOf.map((_, partition) => this.readWindow(partition, start)));
    const merged: { partition: number; id: string; origin: number; fields: Buffer[] }[] = [];
    windows.forEach((entries, partition) => {
      this.lastIds[partition] = start;
      for (const [id, fields] of entries) {
        const text = id.toString();
        // an ID that is no position is reported and skipped when delivered
        merged.push({ partition, id: text, origin: positionOf(text) ?? 0, fields });
      }
    });
    if (this.partitions > 1) merged.sort((x, y) => x.origin - y.origin || x.partition - y.partition);
    for (const entry of merged) this.deliver(entry.partition, entry.id, entry.fields);
    for (const server of this.servers) server.reading ??= this.readLoop(server);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    for (const server of this.servers) server.reader.disconnect();
    await Promise.all(this.servers.map((server) => server.reading ?? Promise.resolve()));
    await Promise.all([
      ...this.servers.map((server) => server.writer.quit().catch(() => undefined)),
      this.home.quit().catch(() => undefined),
    ]);
  }

  private keyOf(partition: number): string {
    return this.partitions === 1 ? this.options.key : `${baseKey(this.options)}:${partition}`;
  }

  private async appendTo(partition: number, batch: PointBatch, minId: string): Promise<number> {
    return this.positionOfReply(await this.serverOf[partition].writer.xadd(...this.entry(partition, batch, minId)));
  }

  /** `XADD` arguments for a batch: trim what is older than `minId`, let Redis choose the ID. */
  private entry(
    partition: number,
    batch: PointBatch,
    minId: string,
  ): [key: string, strategy: 'MINID', approximately: '~', threshold: string, id: '*', field: string, value: Buffer] {
    return [this.keyOf(partition), 'MINID', '~', minId, '*', FIELD, encodeBatch(batch)];
  }

  private positionOfReply(id: unknown): number {
    const position = typeof id === 'string' ? positionOf(id) : undefined;
    if (position === undefined) throw new LogUnavailableError(`Redis answered the entry ID ${String(id)}`);
    return position;
  }

  private async readWindow(partition: number, start: string): Promise<StreamEntry[]> {
    const reader = this.serverOf[partition].reader;
    const count = this.options.readCount ?? DEFAULT_READ_COUNT;
    const all: StreamEntry[] = [];
    let from = start;
    for (;;) {
      const entries = (await reader.xrangeBuffer(this.keyOf(partition), from, '+', 'COUNT', count)) as StreamEntry[];
      all.push(...entries);
      if (entries.length < count) return all;
      from = `(${entries[entries.length - 1][0].toString()}`;
    }
  }

  /** Tails a server's partitions with one blocking read of all of them. */
  private async readLoop(server: StreamServer): Promise<void> {
    const count = this.options.readCount ?? DEFAULT_READ_COUNT;
    const block = this.options.blockMs ?? DEFAULT_BLOCK_MS;
    const keys = server.partitions.map((partition) => this.keyOf(partition));
    const partitionOfKey = new Map(server.partitions.map((partition) => [this.keyOf(partition), partition]));
    while (!this.closed) {
      try {
        const ids = server.partitions.map((partition) => this.lastIds[partition]);
        const reply = await server.reader.xreadBuffer('COUNT', count, 'BLOCK', block, 'STREAMS', ...keys, ...ids);
        if (reply === null) continue;
        for (const [key, entries] of reply) {
          const partition = partitionOfKey.get(key.toString()) ?? 0;
          for (const [id, fields] of entries) this.deliver(partition, id.toString(), fields);
        }
      } catch (error) {
        if (this.closed) return;
        this.options.onError?.('reading the Redis stream failed; retrying from the last entry read', error);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  private deliver(partition: number, id: string, fields: Buffer[]): void {
    this.lastIds[partition] = id;
    const origin = positionOf(id);
    const value = fields[0]?.toString() === FIELD ? fields[1] : undefined;
    if (origin === undefined || value === undefined) {
      this.options.onError?.(`stream entry ${id} is not a batch; skipped`);
      return;
    }
    let batch: PointBatch;
    try {
      batch = decodeBatch(value);
    } catch (error) {
      this.options.onError?.(`stream entry ${id} is not a batch; skipped`, error);
      return;
    }
    const logged: LoggedBatch =
      this.partitions === 1
        ? { ...batch, position: origin, arrivedAt: msOf(id) }
        : { ...batch, position: ++this.local, arrivedAt: msOf(id), partition, origin };
    for (const listener of this.listeners) listener(logged);
  }
}

/** The single stream's key, or what a split log's keys start with (its layout included). */
function baseKey(options: RedisStreamLogOptions): string {
  const partitions = options.partitions ?? 1;
  return partitions === 1 ? options.key : `${options.key}:p${partitions}s${options.partitionSegments ?? 1}`;
}

const retryStrategy = (times: number): number => Math.min(times * RETRY_MS, 2000);
/** Commands fail at once while Redis is away (a 503 to the producer) instead of waiting in a queue. */
const FAIL_FAST = { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy };

function connections(url: string): { writer: Redis; reader: Redis } {
  return {
    writer: new Redis(url, FAIL_FAST),
    reader: new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null, retryStrategy }),
  };
}

/** A Redis URL without its password, for log lines. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the Redis server';
  }
}
