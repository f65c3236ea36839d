import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DeliveryScheduler, type CloseReason, type DeliveryObserver, type TransportTally } from '@pulseboard/core';
import type { GapReason } from '@pulseboard/protocol';

/** Tick durations kept for the self-metrics window. */
interface Window {
  ticks: number;
  tickMsTotal: number;
  tickMsMax: number;
}

/** What one transport's clients have been written so far. */
export interface TransportTotals {
  frames: number;
  bytes: number;
  points: number;
}

/**
 * Counts what the delivery scheduler does (ticks, what it wrote by
 * transport, gap notices, connections it ended, how long batches waited for
 * their first write) and samples the event loop, for `/metrics` and for the
 * `pulseboard.>` feeds alike. The scheduler reports writes once per tick, so
 * nothing here runs per connection.
 */
@Injectable()
export class ServerStats implements DeliveryObserver, OnModuleDestroy {
  /** Frames, bytes and points written so far, by transport. */
  readonly writtenByTransport = new Map<string, TransportTotals>();
  /** Gap notices written so far, by reason. */
  readonly gapsByReason = new Map<GapReason, number>();
  /** Connections the server ended so far, by transport, then by reason. */
  readonly closedByTransport = new Map<string, Map<CloseReason, number>>();
  ticks = 0;
  private readonly logger = new Logger('Delivery');
  private window: Window = { ticks: 0, tickMsTotal: 0, tickMsMax: 0 };
  private readonly tickListeners: ((durationMs: number) => void)[] = [];
  private readonly lagListeners: ((ms: number) => void)[] = [];
  private readonly loop: IntervalHistogram;

  constructor(scheduler: DeliveryScheduler) {
    scheduler.observe(this);
    this.loop = monitorEventLoopDelay({ resolution: 10 });
    this.loop.enable();
  }

  tick(durationMs: number): void {
    this.ticks++;
    this.window.ticks++;
    this.window.tickMsTotal += durationMs;
    if (durationMs > this.window.tickMsMax) this.window.tickMsMax = durationMs;
    for (const listener of this.tickListeners) listener(durationMs);
  }

  written(tally: Readonly<TransportTally>): void {
    let totals = this.writtenByTransport.get(tally.transport);
    if (totals === undefined) {
      totals = { frames: 0, bytes: 0, points: 0 };
      this.writtenByTransport.set(tally.transport, totals);
    }
    totals.frames += tally.frames;
    totals.bytes += tally.bytes;
    totals.points += tally.points;
  }

  lag(ms: number): void {
    for (const listener of this.lagListeners) listener(ms);
  }

  gap(reason: GapReason): void {
    this.gapsByReason.set(reason, (this.gapsByReason.get(reason) ?? 0) + 1);
  }

  closed(transport: string, reason: CloseReason): void {
    let byReason = this.closedByTransport.get(transport);
    if (byReason === undefined) {
      byReason = new Map();
      this.closedByTransport.set(transport, byReason);
    }
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  }

  failed(transport: string, error: unknown): void {
    this.logger.error(
      `a ${transport} connection failed and was closed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }

  /** Also called with every tick's duration (the metrics histogram uses it). */
  onTick(listener: (durationMs: number) => void): void {
    this.tickListeners.push(listener);
  }

  /** Also called with each batch's wait from arrival to its first write, in ms (the metrics histogram uses it). */
  onLag(listener: (ms: number) => void): void {
    this.lagListeners.push(listener);
  }

  totalDelivered(): number {
    let total = 0;
    for (const { points } of this.writtenByTransport.values()) total += points;
    return total;
  }

  /** Tick and event-loop figures since the previous call. */
  takeWindow(): { tickMsMean: number; tickMsMax: number; loopLagP99Ms: number; loopLagMeanMs: number } {
    const window = this.window;
    this.window = { ticks: 0, tickMsTotal: 0, tickMsMax: 0 };
    const result = {
      tickMsMean: window.ticks === 0 ? 0 : window.tickMsTotal / window.ticks,
      tickMsMax: window.tickMsMax,
      loopLagP99Ms: this.loop.count === 0 ? 0 : this.loop.percentile(99) / 1e6,
      loopLagMeanMs: this.loop.count === 0 ? 0 : this.loop.mean / 1e6,
    };
    this.loop.reset();
    return result;
  }

  onModuleDestroy(): void {
    this.loop.disable();
  }
}
