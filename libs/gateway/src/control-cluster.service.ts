import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '@pulseboard/api';
import { SubscriptionControl } from '@pulseboard/streaming';
import type { Ack, PresenceEvent, SubscriptionState, Viewer } from '@pulseboard/protocol';
import type { ControlServer, RemoteSessionChange } from './control-socket.js';
import { GATEWAY_OPTIONS, type GatewayModuleOptions } from './gateway.options.js';
import { PresenceService } from './presence.service.js';

/**
 * What control needs from the other instances when several share Redis:
 * who views a dashboard on each of them, and the SSE stream a session names
 * when another instance holds it. Questions travel as Socket.IO server-side
 * events through the adapter; with one instance every answer is local.
 */
@Injectable()
export class ControlCluster {
  private server: ControlServer | undefined;

  constructor(
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayModuleOptions,
    private readonly presence: PresenceService,
    private readonly control: SubscriptionControl,
  ) {}

  /** Whether other instances may exist. */
  get enabled(): boolean {
    return this.options.redis !== undefined;
  }

  /** Answers the other instances' questions from this instance's state. */
  attach(server: ControlServer): void {
    this.server = server;
    if (!this.enabled) return;
    // every viewer, not a capped list: the count must not count twice a viewer present on two instances
    server.on('viewers', (dashboard, answer) => answer(this.presence.viewers(dashboard)));
    server.on('session', (change, answer) => answer(this.applyHere(change)));
  }

  /** How many instances (this one included) the adapter knows to be alive. */
  async instances(): Promise<number> {
    if (this.server === undefined) return 0;
    return this.enabled ? await this.server.of('/').adapter.serverCount() : 1;
  }

  /**
   * Who views `dashboard` on every instance; a viewer with several sockets is
   * listed once. With other instances this asks each of them for its viewers:
   * once per join and per announcement, which the presence window bounds.
   */
  async presenceOf(dashboard: string): Promise<PresenceEvent> {
    if (!this.enabled) return this.presence.presence(dashboard);
    // this instance's viewers as they are now, before the others answer
    const local = this.presence.viewers(dashboard);
    return this.presence.merge(dashboard, [local, ...(await this.ask<Viewer[]>('viewers', dashboard))]);
  }

  /**
   * Applies a change to a stream another instance holds. `undefined` when no
   * instance holds it (or there are no others); throws the holder's refusal.
   */
  async changeElsewhere(change: RemoteSessionChange): Promise<SubscriptionState | undefined> {
    if (!this.enabled || this.control.holds(change.session)) return undefined;
    const answer = (await this.ask<Ack<SubscriptionState> | null>('session', change)).find((a) => a !== null);
    if (answer === undefined || answer === null) return undefined;
    if (!answer.ok) throw new ApiError(400, answer.error.code, answer.error.message);
    return { feeds: answer.feeds };
  }

  /** A change asked by another instance: applied when this one holds the stream, `null` otherwise. */
  private applyHere(change: RemoteSessionChange): Ack<SubscriptionState> | null {
    if (!this.control.holds(change.session)) return null;
    try {
      const { connection, owner } = this.control.session(change.session, { id: change.principalId });
      if (change.kind === 'unsubscribe') return { ok: true, feeds: this.control.remove(connection, change.feeds) };
      owner.feeds.checkSubscription(change.feeds);
      const feeds = this.control.add(connection, change.feeds, {
        historyMs: change.historyMs,
        maxRate: change.maxRate,
      });
      return { ok: true, feeds };
    } catch (error) {
      if (error instanceof ApiError) return { ok: false, error: { code: error.code, message: error.message } };
      throw error;
    }
  }

  /**
   * Every other live instance's answer. The adapter waits at most 5 s for
   * them; answers that came by then arrive with its timeout error too.
   */
  private ask<T>(event: 'viewers' | 'session', argument: unknown): Promise<T[]> {
    const server = this.server;
    if (server === undefined) return Promise.resolve([]);
    // the typed signature cannot express "answers of several instances" for these events
    const untyped = server as unknown as {
      serverSideEmit(
        event: string,
        argument: unknown,
        callback: (error: Error | null, answers: T[] | undefined) => void,
      ): boolean;
    };
    return new Promise((resolve) => {
      untyped.serverSideEmit(event, argument, (_error, answers) => resolve(answers ?? []));
    });
  }
}
