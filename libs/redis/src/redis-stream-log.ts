import { LogUnavailableError, newEpoch, type BatchListener, type Log, type PointBatch } from '@pulseboard/core';
import { Redis } from 'ioredis';
import { decodeBatch, encodeBatch } from './batch-codec.js';
import { msOf, positionOf } from './stream-position.js';

export interface RedisStreamLogOptions {
  /** `redis://host:6379/0` */
  url: string;
  /** The stream's key; its epoch is kept under `<key>:epoch`. */
  key: string;
  /** Entries older than this (by Redis time) are trimmed, and the window read back at start. */
  retentionMs: number;
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

/**
 * The log as a Redis stream, shared by every instance pointed at it. An
 * append is one `XADD` (trimming what left the retention window with
 * `MINID ~`), acknowledged once Redis has it. Every instance tails the stream
 * with `XREAD BLOCK` on a connection of its own and hands each entry to its
 * listeners in stream order, so positions (from the entry IDs) and arrival
 * times (Redis's clock) are the same on every instance, and a cursor issued
 * by one is understood by all.
 *
 * `warmUp()` reads the retention window back before the instance serves, so
 * history and resume work at once after a start or restart.
 */
export class RedisStreamLog implements Log {
  private readonly listeners = new Set<BatchListener>();
  private lastId: string | undefined;
  private closed = false;
  private reading: Promise<void> | undefined;

  private constructor(
    private readonly options: RedisStreamLogOptions,
    private readonly writer: Redis,
    private readonly reader: Redis,
    readonly epoch: string,
  ) {}

  /** Connects and reads (or creates) the stream's epoch; rejects when Redis cannot be reached. */
  static async open(options: RedisStreamLogOptions): Promise<RedisStreamLog> {
    const retryStrategy = (times: number): number => Math.min(times * RETRY_MS, 2000);
    // appends fail at once while Redis is away (503 to the producer) instead of waiting in a queue
    const writer = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy,
    });
    const reader = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: null, retryStrategy });
    try {
      await writer.connect();
      await reader.connect();
      const epochKey = `${options.key}:epoch`;
      await writer.set(epochKey, newEpoch(), 'NX');
      const epoch = await writer.get(epochKey);
      if (epoch === null) throw new Error(`${epochKey} vanished while it was being read`);
      const log = new RedisStreamLog(options, writer, reader, epoch);
      writer.on('error', (error: unknown) => log.options.onError?.('the Redis connection failed', error));
      // a Redis that lost its data (restarted without persistence) gets the running instances' epoch back,
      // so that an instance started later joins the same life of the log instead of founding a new one
      writer.on('ready', () => {
        writer.set(epochKey, epoch, 'NX').catch(() => undefined);
      });
      reader.on('error', () => undefined);
      return log;
    } catch (error) {
      writer.disconnect();
      reader.disconnect();
      throw error;
    }
  }

  isAvailable(): boolean {
    return !this.closed && this.writer.status === 'ready';
  }

  async append(batch: PointBatch): Promise<number> {
    if (!this.isAvailable()) throw new LogUnavailableError('Redis is unavailable');
    const minId = String(Math.max(0, Date.now() - this.options.retentionMs));
    let id: string | null;
    try {
      id = await this.writer.xadd(this.options.key, 'MINID', '~', minId, '*', FIELD, encodeBatch(batch));
    } catch (error) {
      throw new LogUnavailableError(`Redis did not take the batch: ${(error as Error).message}`);
    }
    const position = id === null ? undefined : positionOf(id);
    if (position === undefined) throw new LogUnavailableError(`Redis answered the entry ID ${String(id)}`);
    return position;
  }

  tail(listener: BatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Hands the retention window's entries to the listeners, then starts
   * tailing after the last of them. Call once, after the listeners are in.
   */
  async warmUp(): Promise<void> {
    const startMs = Math.max(0, Date.now() - this.options.retentionMs);
    let start = `${startMs}-0`;
    this.lastId = start;
    for (;;) {
      const entries = (await this.reader.xrangeBuffer(
        this.options.key,
        start,
        '+',
        'COUNT',
        this.options.readCount ?? DEFAULT_READ_COUNT,
      )) as [Buffer, Buffer[]][];
      for (const [id, fields] of entries) this.deliver(id.toString(), fields);
      if (entries.length < (this.options.readCount ?? DEFAULT_READ_COUNT)) break;
      start = `(${this.lastId}`;
    }
    this.reading ??= this.readLoop();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    this.reader.disconnect();
    await this.reading;
    await this.writer.quit().catch(() => undefined);
  }

  private async readLoop(): Promise<void> {
    const count = this.options.readCount ?? DEFAULT_READ_COUNT;
    const block = this.options.blockMs ?? DEFAULT_BLOCK_MS;
    while (!this.closed) {
      try {
        const reply = await this.reader.xreadBuffer(
          'COUNT',
          count,
          'BLOCK',
          block,
          'STREAMS',
          this.options.key,
          this.lastId ?? '$',
        );
        if (reply === null) continue;
        for (const [, entries] of reply) for (const [id, fields] of entries) this.deliver(id.toString(), fields);
      } catch (error) {
        if (this.closed) return;
        this.options.onError?.('reading the Redis stream failed; retrying from the last entry read', error);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  private deliver(id: string, fields: Buffer[]): void {
    this.lastId = id;
    const position = positionOf(id);
    const value = fields[0]?.toString() === FIELD ? fields[1] : undefined;
    if (position === undefined || value === undefined) {
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
    const logged = { ...batch, position, arrivedAt: msOf(id) };
    for (const listener of this.listeners) listener(logged);
  }
}
