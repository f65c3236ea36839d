import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DeliveryScheduler, type DeliveryObserver } from '@pulseboard/core';

/** Tick durations kept for the self-metrics window. */
interface Window {
  ticks: number;
  tickMsTotal: number;
  tickMsMax: number;
}

/**
 * Counts what the delivery scheduler does (ticks, points delivered by
 * transport) and samples the event loop, for `/metrics` and for the
 * `pulseboard.>` feeds alike.
 */
@Injectable()
export class ServerStats implements DeliveryObserver, OnModuleDestroy {
  /** Points delivered so far, by transport. */
  readonly deliveredByTransport = new Map<string, number>();
  ticks = 0;
  private readonly logger = new Logger('Delivery');
  private window: Window = { ticks: 0, tickMsTotal: 0, tickMsMax: 0 };
  private readonly tickListeners: ((durationMs: number) => void)[] = [];
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

  delivered(transport: string, points: number): void {
    this.deliveredByTransport.set(transport, (this.deliveredByTransport.get(transport) ?? 0) + points);
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

  totalDelivered(): number {
    let total = 0;
    for (const n of this.deliveredByTransport.values()) total += n;
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
