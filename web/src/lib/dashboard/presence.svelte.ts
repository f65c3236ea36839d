import type { PresenceEvent, Viewer } from '@pulseboard/protocol';
import { uniqueById } from '../data/feed-registry';

/** The part of the live client presence uses. */
export interface PresenceSource {
  readonly controlConnected: boolean;
  join(dashboard: string): Promise<PresenceEvent>;
  leave(dashboard: string): void;
  onPresence(listener: (event: PresenceEvent) => void): () => void;
  onControlConnect(listener: () => void): () => void;
}

/**
 * Who views a dashboard: joins its room on `listen()` (and again whenever the
 * control socket reconnects, since rooms belong to a connection), follows the
 * room's `presence` events, and leaves on cleanup.
 */
export class PresenceManager {
  #viewers = $state.raw<Viewer[]>([]);
  #count = $state(0);
  readonly #source: PresenceSource;
  readonly #dashboard: string;

  constructor(source: PresenceSource, dashboard: string) {
    this.#source = source;
    this.#dashboard = dashboard;
  }

  /** Viewers, each once, in the order the server lists them (the first ones of a crowded dashboard). */
  get viewers(): readonly Viewer[] {
    return this.#viewers;
  }

  /** How many viewers there are, listed or not. */
  get count(): number {
    return this.#count;
  }

  listen(): () => void {
    let stopped = false;
    const join = () => {
      this.#source.join(this.#dashboard).then(
        (presence) => {
          if (!stopped) this.#show(presence);
        },
        () => {
          // not joined: the list stays as it was, and the next reconnection joins again
        },
      );
    };
    const stops = [
      this.#source.onPresence((event) => {
        if (event.dashboard === this.#dashboard) this.#show(event);
      }),
      // also the first connection: a join sent before it would be sent twice
      this.#source.onControlConnect(join),
    ];
    if (this.#source.controlConnected) join();
    return () => {
      stopped = true;
      for (const stop of stops) stop();
      this.#source.leave(this.#dashboard);
    };
  }

  #show(presence: PresenceEvent): void {
    this.#viewers = uniqueById(presence.viewers);
    this.#count = Math.max(presence.count, this.#viewers.length);
  }
}
