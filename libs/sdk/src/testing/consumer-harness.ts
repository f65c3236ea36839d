/*
 * A consumer wired to the scripted stream and socket of fakes.ts, with
 * everything it emits recorded, for the consumer's unit specs.
 */
import { afterEach, beforeEach, vi } from 'vitest';
import type { ConnectionState, ConsumerOptions, ReconnectEvent } from '../consumer/consumer-options.js';
import { PulseboardConsumer } from '../consumer/pulseboard-consumer.js';
import type { PulseboardError } from '../pulseboard-error.js';
import { fakeSocketFactory, FakeSseConnector, type FakeControlSocket } from './fakes.js';

export interface Harness {
  consumer: PulseboardConsumer;
  sse: FakeSseConnector;
  sockets: FakeControlSocket[];
  states: ConnectionState[];
  reconnects: ReconnectEvent[];
  errors: PulseboardError[];
}

/** A consumer of `a.x` on `http://pulse.test`, with jitter fixed at the top of each backoff window. */
export function harness(options: Partial<ConsumerOptions> = {}, seesComments = true): Harness {
  const sse = new FakeSseConnector(seesComments);
  const { factory, sockets } = fakeSocketFactory();
  const consumer = new PulseboardConsumer({
    url: 'http://pulse.test',
    feeds: ['a.x'],
    ...options,
    platform: { sse, socket: factory, random: () => 1, ...options.platform },
  });
  const h: Harness = { consumer, sse, sockets, states: [], reconnects: [], errors: [] };
  consumer.on('state', ({ state }) => h.states.push(state));
  consumer.on('reconnect', (event) => h.reconnects.push(event));
  consumer.on('error', (error) => h.errors.push(error));
  return h;
}

/**
 * For the enclosing `describe`: vitest's fake timers around each test, and a
 * `make` that builds harnesses whose consumers are closed after it.
 */
export function useHarnesses(): (options?: Partial<ConsumerOptions>, seesComments?: boolean) => Harness {
  const consumers: PulseboardConsumer[] = [];
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    for (const consumer of consumers.splice(0)) consumer.close();
    vi.useRealTimers();
  });
  return (options = {}, seesComments = true) => {
    const h = harness(options, seesComments);
    consumers.push(h.consumer);
    return h;
  };
}

/** A columnar chunk whose `t` are the values in seconds. */
export const chunk = (...v: number[]): { t: number[]; v: number[] } => ({ t: v.map((x) => x * 1000), v });
