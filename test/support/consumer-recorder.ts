import type { GapEvent, HelloEvent } from '@pulseboard/protocol';
import type { PulseboardConsumer, PulseboardError, ReconnectEvent, StreamPoints } from '@pulseboard/sdk';
import { Waiters } from './waiters.js';

/** Records everything a consumer emits and resolves waiters as events arrive (tests wait, never sleep). */
export class Recorder {
  readonly hellos: HelloEvent[] = [];
  readonly points: StreamPoints[] = [];
  readonly gaps: GapEvent[] = [];
  readonly errors: PulseboardError[] = [];
  readonly reconnects: ReconnectEvent[] = [];
  /** Which event came when. */
  readonly timeline: string[] = [];
  private readonly waiters = new Waiters();

  constructor(readonly consumer: PulseboardConsumer) {
    consumer.on('hello', (e) => this.record(this.hellos, e));
    consumer.on('points', (e) => this.record(this.points, e));
    consumer.on('gap', (e) => this.record(this.gaps, e));
    consumer.on('error', (e) => this.record(this.errors, e));
    consumer.on('reconnect', (e) => this.record(this.reconnects, e));
    consumer.on('state', () => this.notify());
  }

  /** Every value received for a feed, in order. */
  values(feed: string): number[] {
    return this.points.flatMap((e) => e.feeds[feed]?.v ?? []);
  }

  until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const seen = (): string => `state ${this.consumer.state}, errors ${this.errors.map((e) => e.code).join(',')}`;
    return this.waiters.until(condition, () => `${what} (${seen()})`, timeoutMs);
  }

  untilValues(feed: string, count: number, timeoutMs = 10_000): Promise<void> {
    return this.until(() => this.values(feed).length >= count, `${count} values of ${feed}`, timeoutMs);
  }

  untilState(state: PulseboardConsumer['state'], timeoutMs = 10_000): Promise<void> {
    return this.until(() => this.consumer.state === state, `state ${state}`, timeoutMs);
  }

  private record<T>(list: T[], event: T): void {
    list.push(event);
    if (list === this.gaps) this.timeline.push('gap');
    else if (list === this.points) this.timeline.push('points');
    this.notify();
  }

  private notify(): void {
    this.waiters.notify();
  }
}
