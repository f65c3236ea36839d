import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DeliveryScheduler, Retention, SubscriptionRegistry, type Log } from '@pulseboard/core';
import { PointWriter } from './point-writer.service.js';
import { LOG } from './tokens.js';

/**
 * Runs the engine inside the application's lifecycle: retention tails the
 * log, the scheduler ticks, and at shutdown ingest stops, streams are ended
 * (so clients reconnect elsewhere) and the log is closed.
 */
@Injectable()
export class StreamingEngine implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private untail: (() => void) | undefined;
  private running = false;

  constructor(
    @Inject(LOG) readonly log: Log,
    readonly retention: Retention,
    readonly scheduler: DeliveryScheduler,
    readonly subscriptions: SubscriptionRegistry,
    private readonly writer: PointWriter,
  ) {
    // tail before anything can append, so that retention sees every batch
    this.untail = this.log.tail((batch) => this.retention.apply(batch));
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** A shared log fills retention with its retained history before the instance serves. */
  async onModuleInit(): Promise<void> {
    await this.log.warmUp?.();
  }

  onApplicationBootstrap(): void {
    this.scheduler.start();
    this.running = true;
  }

  beforeApplicationShutdown(): void {
    this.running = false;
    this.writer.stopAccepting();
    this.scheduler.shutdown();
  }

  async onApplicationShutdown(): Promise<void> {
    this.scheduler.stop();
    this.untail?.();
    this.untail = undefined;
    this.subscriptions.close();
    await this.log.close();
  }
}
