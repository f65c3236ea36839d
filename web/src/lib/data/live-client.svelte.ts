import type {
  AnnotateMessage,
  Annotation,
  AnnotationRemovedEvent,
  GapEvent,
  PresenceEvent,
} from '@pulseboard/protocol';
import {
  PulseboardConsumer,
  type ConnectionState,
  type ConsumerEvents,
  type ControlSocket,
  type Listener,
} from '@pulseboard/sdk';
import { getContext, setContext } from 'svelte';
import { isTokenError, PulseboardApi, type TokenRefusal } from './api';
import { AnnotationList } from './annotation-list.svelte';
import { FeedRegistry, SharedByKey, type PendingFeed } from './feed-registry';

/** The connection as the page shows it. */
export type LiveState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** Receives the new points of the series its selectors match, and news of lost continuity. */
export interface FeedSink {
  /** New points of one series, named by its key (`cpu.usage{host="a"}`, or the name alone). */
  points(series: string, t: readonly number[], v: readonly number[]): void;
  /** Continuity was lost for some series (by key); a sink hears of those its selectors match. */
  gap?(gap: GapEvent): void;
  /**
   * `selector` is on the stream: every point of every series it matches
   * arrives through `points` from now on, so history requested after this
   * call leaves no hole.
   */
  live?(selector: string): void;
}

/** What the client needs of the SDK's consumer (a fake of it in unit tests). */
export interface LiveConsumer {
  readonly state: ConnectionState;
  on<K extends keyof ConsumerEvents>(event: K, listener: Listener<ConsumerEvents[K]>): () => void;
  connect(): void;
  close(): void;
  subscribe(feeds: string[]): Promise<string[]>;
  unsubscribe(feeds: string[]): Promise<string[]>;
  controlSocket(): ControlSocket;
}

export interface LiveClientOptions {
  /** The server's base URL; the page's origin by default. */
  url?: string;
  consumer?: LiveConsumer;
  api?: PulseboardApi;
}

/** How long a presence or annotation message waits for the server's acknowledgement. */
const ACK_TIMEOUT_MS = 5_000;

/**
 * The page's one stream and one control socket (through the SDK). Panels
 * subscribe selectors as they mount and unsubscribe as they unmount; a
 * selector is on the stream while at least one panel wants it (reference
 * counts per selector), and each series' points go to every panel whose
 * selectors match its key.
 *
 * State mapping from the SDK's consumer: its first `connecting` is
 * `connecting`; `connected` is `connected`; `connecting` after having been
 * connected is `reconnecting` (the SDK resumes from its cursor, so nothing is
 * lost), or `offline` while the browser has no network; `disconnected` while
 * listening means the server refused the stream itself and the SDK stopped:
 * `offline` until {@link retry} (or the network comes back). When that
 * refusal was about the token, {@link onUnauthorized} hears it.
 */
export class LiveClient {
  state = $state<LiveState>('connecting');
  /** The latest connection problem, for a tooltip; cleared once connected. */
  problem = $state<string>();
  readonly api: PulseboardApi;
  readonly #consumer: LiveConsumer;
  readonly #feeds = new FeedRegistry();
  readonly #annotationLists = new SharedByKey<AnnotationList>();
  #listening = false;
  #everConnected = false;
  /** The stream's latest token error since it was last connected: the SDK stopping after it is a refusal. */
  #tokenError: TokenRefusal | undefined;
  #unauthorized: readonly ((refusal: TokenRefusal) => void)[] = [];

  constructor(options: LiveClientOptions = {}) {
    const url = options.url ?? location.origin;
    this.#consumer = options.consumer ?? new PulseboardConsumer({ url, feeds: [] });
    this.api = options.api ?? new PulseboardApi(url);
  }

  /** Connects; returns the cleanup that closes the stream and the socket. */
  listen(): () => void {
    const consumer = this.#consumer;
    const stops = [
      consumer.on('state', ({ state }) => this.#onState(state)),
      consumer.on('hello', () => this.#confirmWaiting()),
      consumer.on('points', ({ feeds }) => this.#feeds.dispatch(feeds)),
      consumer.on('gap', (gap) => this.#feeds.dispatchGap(gap)),
      consumer.on('error', (error) => {
        this.problem = error.message;
        if (!isTokenError(error.code)) return;
        // A 401 answer is a refused (re)connection; an error event on a live stream is retried first.
        // The expiry that led to a refusal says more than the refusal (the cookie is gone by then).
        if (error.status === 401) this.#refused(this.#tokenError ?? error);
        else this.#tokenError = error;
      }),
    ];
    // the SDK keeps retrying while the network is down; the page says why nothing moves
    const onNetwork = () => {
      if (navigator.onLine) consumer.connect();
      this.#onState(consumer.state);
    };
    window.addEventListener('online', onNetwork);
    window.addEventListener('offline', onNetwork);
    this.#listening = true;
    this.#everConnected = false;
    this.#tokenError = undefined;
    consumer.connect();
    this.#onState(consumer.state);
    return () => {
      this.#listening = false;
      window.removeEventListener('online', onNetwork);
      window.removeEventListener('offline', onNetwork);
      for (const stop of stops) stop();
      consumer.close();
    };
  }

  /**
   * Hears the server refuse the page's token: a 401 from the REST API or
   * for the stream, or the stream stopped after a token error (a token that
   * expires mid-stream is retried first). Returns the function that stops
   * listening.
   */
  onUnauthorized(listener: (refusal: TokenRefusal) => void): () => void {
    this.#unauthorized = [...this.#unauthorized, listener];
    const stopApi = this.api.onUnauthorized(listener);
    return () => {
      this.#unauthorized = this.#unauthorized.filter((other) => other !== listener);
      stopApi();
    };
  }

  /** Tries again after the server refused the stream (`offline`). */
  retry(): void {
    if (this.#listening) this.#consumer.connect();
  }

  /** Adds selectors for `sink`; returns the function that removes them. */
  subscribe(feeds: readonly string[], sink: FeedSink): () => void {
    const { added, live } = this.#feeds.add(feeds, sink);
    // already on the stream for another panel: live for this one too, once it has returned
    if (live.length > 0) {
      queueMicrotask(() => {
        for (const feed of live) if (this.#feeds.has(feed, sink)) sink.live?.(feed);
      });
    }
    if (added.length > 0) this.#confirm(added);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      const gone = this.#feeds.remove(feeds, sink);
      if (gone.length > 0) this.#consumer.unsubscribe(gone).catch((error: unknown) => this.#report(error));
    };
  }

  /** The selectors on the stream (or waiting for it), with how many sinks want each. */
  get subscriptions(): ReadonlyMap<string, number> {
    return this.#feeds.counts();
  }

  /** Enters a dashboard's presence room; resolves with who is there. */
  join(dashboard: string): Promise<PresenceEvent> {
    return new Promise((resolve, reject) => {
      this.#socket()
        .timeout(ACK_TIMEOUT_MS)
        .emit('join', { dashboard }, (error, ack) => {
          if (error) reject(error);
          else if (!ack.ok) reject(new Error(ack.error.message));
          else resolve({ dashboard: ack.dashboard, viewers: ack.viewers, count: ack.count });
        });
    });
  }

  /** Leaves a dashboard's presence room. */
  leave(dashboard: string): void {
    // closed already: the room went with the socket, and asking for one would open a new one
    if (!this.#listening) return;
    this.#socket().emit('leave', { dashboard }, () => undefined);
  }

  /** Stores an annotation and shows it to everyone on the dashboard; resolves with its id. */
  annotate(message: AnnotateMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#socket()
        .timeout(ACK_TIMEOUT_MS)
        .emit('annotate', message, (error, ack) => {
          if (error) reject(new Error('the server did not answer; the note was not saved'));
          else if (!ack.ok) reject(new Error(ack.error.message));
          else resolve(ack.id);
        });
    });
  }

  /** Presence changes of the dashboards this page joined. */
  onPresence(listener: (event: PresenceEvent) => void): () => void {
    const socket = this.#socket();
    socket.on('presence', listener);
    return () => socket.off('presence', listener);
  }

  /** New annotations of the dashboards this page joined. */
  onAnnotation(listener: (annotation: Annotation) => void): () => void {
    const socket = this.#socket();
    socket.on('annotation', listener);
    return () => socket.off('annotation', listener);
  }

  /** Annotations deleted from the dashboards this page joined (whoever deleted them, this page included). */
  onAnnotationRemoved(listener: (removed: AnnotationRemovedEvent) => void): () => void {
    const socket = this.#socket();
    socket.on('annotation_removed', listener);
    return () => socket.off('annotation_removed', listener);
  }

  /** Whether the control socket is connected now (messages sent meanwhile wait for it). */
  get controlConnected(): boolean {
    return this.#socket().connected;
  }

  /** The control socket (re)connected: rooms are per connection, so presence must be joined again. */
  onControlConnect(listener: () => void): () => void {
    const socket = this.#socket();
    socket.on('connect', listener);
    return () => socket.off('connect', listener);
  }

  /**
   * A dashboard's annotations, loaded once and kept current for every panel
   * that shows them; `release` when done.
   */
  annotations(dashboard: string): { list: AnnotationList; release: () => void } {
    const { value, release } = this.#annotationLists.acquire(dashboard, () => {
      const list = new AnnotationList(this, dashboard);
      return { value: list, stop: list.listen() };
    });
    return { list: value, release };
  }

  #socket(): ControlSocket {
    return this.#consumer.controlSocket();
  }

  #onState(state: ConnectionState): void {
    if (state === 'connected') {
      this.#everConnected = true;
      this.#tokenError = undefined;
      this.state = 'connected';
      this.problem = undefined;
    } else if (state === 'connecting') {
      this.state = !navigator.onLine ? 'offline' : this.#everConnected ? 'reconnecting' : 'connecting';
    } else if (this.#listening) {
      this.state = 'offline';
      if (this.#tokenError !== undefined) this.#refused(this.#tokenError);
    }
  }

  #refused(refusal: TokenRefusal): void {
    this.#tokenError = undefined;
    for (const listener of this.#unauthorized) listener(refusal);
  }

  /**
   * Puts feeds on the stream. Connected, the SDK's promise resolves with the
   * server's acknowledgement: the feeds are live. Otherwise the SDK only
   * records them for the next stream, and they are confirmed at its `hello`.
   */
  #confirm(feeds: string[]): void {
    const pending = this.#feeds.pending(feeds);
    const connected = this.#consumer.state === 'connected';
    this.#consumer.subscribe(feeds).then(
      () => {
        if (connected) this.#markLive(pending);
      },
      (error: unknown) => {
        // refused (e.g. too many subscriptions): history still draws, without live points
        this.#report(error);
        this.#markLive(pending);
      },
    );
  }

  #confirmWaiting(): void {
    const waiting = this.#feeds.waiting();
    if (waiting.length > 0) this.#confirm(waiting);
  }

  #markLive(pending: readonly PendingFeed[]): void {
    this.#feeds.markLive(pending);
  }

  #report(error: unknown): void {
    this.problem = error instanceof Error ? error.message : String(error);
  }
}

/** The context key of the page's client; `mount(…, { context: new Map([[LIVE_CLIENT_KEY, client]]) })` outside the app. */
export const LIVE_CLIENT_KEY = Symbol('live-client');

export function setLiveClient(client: LiveClient): void {
  setContext(LIVE_CLIENT_KEY, client);
}

export function getLiveClient(): LiveClient {
  return getContext<LiveClient>(LIVE_CLIENT_KEY);
}
