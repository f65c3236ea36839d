import type { ConnectionState, ConsumerEvents, ControlSocket } from '@pulseboard/sdk';
import type { LiveConsumer } from '../live-client.svelte';

/**
 * A stand-in for the SDK's consumer: the SDK's own specs and the browser
 * tests cover the real stream; here the client's bookkeeping is under test,
 * so the test decides when the server acknowledges and what arrives.
 */
export class FakeConsumer implements LiveConsumer {
  state: ConnectionState = 'disconnected';
  readonly feeds = new Set<string>();
  readonly calls: string[] = [];
  readonly acks: (() => void)[] = [];
  readonly socketListeners = new Map<string, Set<(payload: unknown) => void>>();
  readonly emitted: unknown[][] = [];
  readonly #handlers = new Map<keyof ConsumerEvents, Set<(payload: never) => void>>();

  on<K extends keyof ConsumerEvents>(event: K, listener: (payload: ConsumerEvents[K]) => void): () => void {
    let set = this.#handlers.get(event);
    if (set === undefined) this.#handlers.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof ConsumerEvents>(event: K, payload: ConsumerEvents[K]): void {
    for (const listener of this.#handlers.get(event) ?? []) (listener as (payload: ConsumerEvents[K]) => void)(payload);
  }

  setState(state: ConnectionState): void {
    const previous = this.state;
    this.state = state;
    this.emit('state', { state, previous });
  }

  connect(): void {
    this.calls.push('connect');
    this.setState('connecting');
  }

  close(): void {
    this.calls.push('close');
    this.setState('disconnected');
  }

  subscribe(feeds: string[]): Promise<string[]> {
    this.calls.push(`subscribe ${feeds.join(',')}`);
    for (const feed of feeds) this.feeds.add(feed);
    // like the SDK: without a connected stream the change is only recorded
    if (this.state !== 'connected') return Promise.resolve([...this.feeds]);
    return new Promise((resolve) => this.acks.push(() => resolve([...this.feeds])));
  }

  unsubscribe(feeds: string[]): Promise<string[]> {
    this.calls.push(`unsubscribe ${feeds.join(',')}`);
    for (const feed of feeds) this.feeds.delete(feed);
    return Promise.resolve([...this.feeds]);
  }

  controlSocket(): ControlSocket {
    const listeners = this.socketListeners;
    const emitted = this.emitted;
    const socket = {
      on: (event: string, listener: (payload: unknown) => void) => {
        let set = listeners.get(event);
        if (set === undefined) listeners.set(event, (set = new Set()));
        set.add(listener);
        return socket;
      },
      off: (event: string, listener: (payload: unknown) => void) => {
        listeners.get(event)?.delete(listener);
        return socket;
      },
      emit: (...args: unknown[]) => {
        emitted.push(args);
        return socket;
      },
      timeout: () => ({
        emit: (event: string, message: { dashboard: string }, ack: (error: Error | null, answer: unknown) => void) => {
          emitted.push([event, message]);
          if (event === 'join') {
            ack(null, { ok: true, dashboard: message.dashboard, viewers: [{ id: 'v1', name: 'Ada' }], count: 1 });
          } else {
            ack(null, { ok: true, id: 'n1' });
          }
        },
      }),
    };
    return socket as unknown as ControlSocket;
  }

  ackAll(): void {
    for (const ack of this.acks.splice(0)) ack();
  }
}
