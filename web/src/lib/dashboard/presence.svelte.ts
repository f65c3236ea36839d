import type { PresenceEvent, Viewer } from '@pulseboard/protocol';
import { uniqueById } from '../data/feed-registry';

/** The part of the live client presence uses. */
export interface PresenceSource {
  readonly controlConnected: boolean;
  join(dashboard: string): Promise<Viewer[]>;
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
  readonly #source: PresenceSource;
  readonly #dashboard: string;

  constructor(source: PresenceSource, dashboard: string) {
    this.#source = source;
    this.#dashboard = dashboard;
  }

  /** Viewers, each once, in the order the server lists them. */
  get viewers(): readonly Viewer[] {
    return this.#viewers;
  }

  listen(): () => void {
    let stopped = false;
    const join = () => {
      this.#source.join(this.#dashboard).then(
        (viewers) => {
          if (!stopped) this.#viewers = uniqueById(viewers);
        },
        () => {
          // not joined: the list stays as it was, and the next reconnection joins again
        },
      );
    };
    const stops = [
      this.#source.onPresence((event) => {
        if (event.dashboard === this.#dashboard) this.#viewers = uniqueById(event.viewers);
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
}
