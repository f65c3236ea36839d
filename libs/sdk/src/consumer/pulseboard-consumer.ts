import { selectorProblem, type Ack, type SubscriptionState } from '@pulseboard/protocol';
import { Backoff } from '../backoff.js';
import type { SseEnd, SseMessage, SseStream } from '../connectors/sse-connector.js';
import { readToken, type Platform, type TimerHandle, type TokenSource } from '../platform.js';
import { PulseboardError } from '../pulseboard-error.js';
import { controlSocketLocation, serverBase, streamUrl } from '../server-url.js';
import { TypedEmitter, type Listener } from '../typed-emitter.js';
import { ControlChannel } from './control-channel.js';
import type { ControlSocket } from './control-socket.js';
import { consumerPlatform } from './consumer-platform.js';
import {
  CONSUMER_DEFAULTS,
  type ConnectionState,
  type ConsumerEvents,
  type ConsumerOptions,
  type SubscribeOptions,
} from './consumer-options.js';
import { afterStreamEnd } from './stream-end.js';
import { parseGap, parseHello, parsePoints, parseStreamError } from './stream-messages.js';
import { Watchdog } from './watchdog.js';

/** Refuses what the server would refuse, before a stream is opened with it. */
function checkFeeds(feeds: readonly string[]): void {
  if (!Array.isArray(feeds)) {
    throw new PulseboardError('invalid_pattern', 'feeds must be an array of selectors');
  }
  for (const feed of feeds) {
    const problem = selectorProblem(feed);
    if (problem !== undefined) throw new PulseboardError('invalid_pattern', `${String(feed)}: ${problem}`);
  }
}

/** One opened stream, from `open()` until it ends or is dropped. */
interface OpenStream {
  handle: SseStream | undefined;
  /** The feeds and rate it was opened with. */
  feeds: readonly string[];
  maxRate: number | undefined;
  /** Set by its `hello`. */
  session: string | undefined;
  /** The server said why it ends the stream; its end is then no news. */
  explained: boolean;
}

/**
 * A live stream of points that survives network blips, server restarts and
 * token expiry without losing or repeating a point.
 *
 * It holds a cursor (the `id` of the last `points` event) and a feed set.
 * Every (re)connection opens a new Server-Sent Events stream that resumes
 * after the cursor with the current feed set, so the server re-applies the
 * subscriptions and sends exactly the points that were missed. Failed
 * connections are retried with full-jitter exponential backoff; a request
 * the server refuses as bad (4xx) stops the consumer instead, except a
 * refused token when a token callback can give a fresh one. Feed changes
 * of a live stream go over the Socket.IO control socket, named by the
 * stream's session.
 *
 * ```ts
 * const consumer = new PulseboardConsumer({ url: 'https://pulse.example.com', feeds: ['host1.>'] });
 * consumer.on('points', ({ feeds }) => draw(feeds));
 * consumer.connect();
 * ```
 */
export class PulseboardConsumer {
  private readonly events = new TypedEmitter<ConsumerEvents>();
  private readonly platform: Platform;
  private readonly base: URL;
  private readonly subscribed: Set<string>;
  private readonly history: number | undefined;
  private maxRate: number | undefined;
  private readonly token: TokenSource | undefined;
  /** Only a token callback can give a token other than the one refused. */
  private readonly tokenRenewable: boolean;
  private readonly backoff: Backoff;
  private readonly watchdog: Watchdog;
  private readonly control: ControlChannel;
  /** `EventSource` hides heartbeat comments: liveness then comes from the control socket's pings. */
  private readonly livenessFromSocket: boolean;
  private currentState: ConnectionState = 'disconnected';
  private active = false;
  private lastCursor: string | undefined;
  private stream: OpenStream | undefined;
  /** Bumped whenever a pending token lookup must be forgotten. */
  private generation = 0;
  private reconnectTimer: TimerHandle | undefined;
  /** A fresh token was asked for at once since the last connected stream; the next asks wait a backoff delay. */
  private tokenRenewed = false;

  constructor(options: ConsumerOptions) {
    const feeds = options.feeds ?? [];
    checkFeeds(feeds);
    this.platform = consumerPlatform(options.platform);
    this.base = serverBase(options.url);
    this.subscribed = new Set(feeds);
    this.history = options.history;
    this.maxRate = options.maxRate;
    this.token = options.token;
    this.tokenRenewable = typeof options.token === 'function';
    const backoff = (): Backoff =>
      new Backoff(
        options.backoff?.initialMs ?? CONSUMER_DEFAULTS.backoffInitialMs,
        options.backoff?.maxMs ?? CONSUMER_DEFAULTS.backoffMaxMs,
        this.platform.random,
      );
    this.backoff = backoff();
    this.watchdog = new Watchdog(
      this.platform,
      this.platform.now,
      options.watchdogMs ?? CONSUMER_DEFAULTS.watchdogMs,
      (silentMs) => this.onSilence(silentMs),
    );
    this.livenessFromSocket = !this.platform.sse.seesComments;
    const location = controlSocketLocation(this.base);
    this.control = new ControlChannel({
      factory: this.platform.socket,
      url: location.url,
      path: location.path,
      token: options.token,
      ackTimeoutMs: options.ackTimeoutMs ?? CONSUMER_DEFAULTS.ackTimeoutMs,
      backoff: backoff(),
      timers: this.platform,
      hooks: {
        onPing: () => this.watchdog.feed(),
        onConnect: () => this.onSocketConnect(),
        onDisconnect: () => this.onSocketDisconnect(),
        onError: (error) => this.events.emit('error', error),
      },
    });
  }

  /** See {@link ConnectionState}. */
  get state(): ConnectionState {
    return this.currentState;
  }

  /** The position after the last `points` event: where the next stream resumes. */
  get cursor(): string | undefined {
    return this.lastCursor;
  }

  /** The session of the connected stream, as its `hello` announced it. */
  get session(): string | undefined {
    return this.stream?.session;
  }

  /** The selectors (feed names, patterns, label matchers) every (re)connection streams. */
  get feeds(): string[] {
    return [...this.subscribed];
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof ConsumerEvents>(event: K, listener: Listener<ConsumerEvents[K]>): () => void {
    return this.events.on(event, listener);
  }

  /** Starts streaming (again, after `close()` or a refusal, resuming from the cursor). */
  connect(): void {
    if (this.active) return;
    this.active = true;
    this.backoff.reset();
    this.tokenRenewed = false;
    if (this.livenessFromSocket) this.control.open();
    this.open();
  }

  /** Stops streaming: closes the stream and the control socket and clears every timer. */
  close(): void {
    this.stop();
  }

  /**
   * Adds feeds. With a stream connected, the change goes over the control
   * socket and resolves with the stream's feeds after it; otherwise it is
   * recorded and the next stream carries it. When the socket cannot apply it
   * (no acknowledgement in time, or the stream lives on another instance),
   * the stream is reopened with the new set, resuming from the cursor.
   * Rejects with a {@link PulseboardError} when the server refuses it; the
   * feeds are then not kept.
   */
  async subscribe(feeds: string[], options: SubscribeOptions = {}): Promise<string[]> {
    checkFeeds(feeds);
    const added = feeds.filter((feed) => !this.subscribed.has(feed));
    for (const feed of added) this.subscribed.add(feed);
    const previousRate = this.maxRate;
    if (options.maxRate !== undefined) this.maxRate = options.maxRate;
    const stream = this.stream;
    if (stream?.session === undefined) return this.feeds;
    if (options.maxRate !== undefined) stream.maxRate = options.maxRate;
    const ack = await this.control.subscribe({
      feeds,
      session: stream.session,
      ...(options.history === undefined ? {} : { history: options.history }),
      ...(options.maxRate === undefined ? {} : { maxRate: options.maxRate }),
    });
    return this.settle(stream, ack, () => {
      for (const feed of added) this.subscribed.delete(feed);
      if (options.maxRate !== undefined && this.maxRate === options.maxRate) this.maxRate = previousRate;
    });
  }

  /** Removes feeds; like {@link subscribe}, live over the control socket or recorded for the next stream. */
  async unsubscribe(feeds: string[]): Promise<string[]> {
    checkFeeds(feeds);
    const removed = feeds.filter((feed) => this.subscribed.delete(feed));
    const stream = this.stream;
    if (stream?.session === undefined) return this.feeds;
    const ack = await this.control.unsubscribe({ feeds, session: stream.session });
    return this.settle(stream, ack, () => {
      for (const feed of removed) this.subscribed.add(feed);
    });
  }

  /**
   * The Socket.IO control socket (opened on first use, closed by `close()`),
   * for presence (`join`) and annotations (`annotate`).
   */
  controlSocket(): ControlSocket {
    return this.control.socket;
  }

  private open(): void {
    if (!this.active) return;
    const generation = ++this.generation;
    this.setState('connecting');
    let token: string | undefined | Promise<string>;
    try {
      token = readToken(this.token);
    } catch (error) {
      this.onTokenFailure(error);
      return;
    }
    if (!(token instanceof Promise)) {
      this.start(token);
      return;
    }
    token.then(
      (value) => {
        if (generation === this.generation) this.start(value);
      },
      (error: unknown) => {
        if (generation === this.generation) this.onTokenFailure(error);
      },
    );
  }

  private start(token: string | undefined): void {
    const feeds = this.feeds;
    // history draws the chart once; after a `points` event the cursor says what is missing
    const history = this.lastCursor === undefined ? this.history : undefined;
    const url = streamUrl(this.base, { feeds, history, maxRate: this.maxRate });
    const stream: OpenStream = {
      handle: undefined,
      feeds,
      maxRate: this.maxRate,
      session: undefined,
      explained: false,
    };
    this.stream = stream;
    this.watchdog.arm();
    stream.handle = this.platform.sse.open(
      { url, lastEventId: this.lastCursor, token },
      {
        onOpen: () => undefined,
        onMessage: (message) => this.onMessage(stream, message),
        onComment: () => {
          if (this.stream === stream) this.watchdog.feed();
        },
        onEnd: (end) => this.onEnd(stream, end),
      },
    );
  }

  private onMessage(stream: OpenStream, message: SseMessage): void {
    if (this.stream !== stream) return;
    this.watchdog.feed();
    switch (message.event) {
      case 'hello': {
        const hello = parseHello(message.data);
        if (hello === undefined) return this.malformed(message);
        stream.session = hello.session;
        this.backoff.reset();
        this.tokenRenewed = false;
        // without comments, an idle stream is only known alive while the socket pings
        if (this.livenessFromSocket && !this.control.connected) this.watchdog.disarm();
        this.setState('connected');
        this.events.emit('hello', hello);
        if (this.stream === stream) this.reconcile(stream);
        return;
      }
      case 'points': {
        const points = parsePoints(message.data);
        if (points === undefined) return this.malformed(message);
        if (message.id !== undefined && message.id !== '') this.lastCursor = message.id;
        this.events.emit('points', { cursor: this.lastCursor ?? '', feeds: points.feeds });
        return;
      }
      case 'gap': {
        const gap = parseGap(message.data);
        if (gap === undefined) return this.malformed(message);
        this.events.emit('gap', gap);
        return;
      }
      case 'error': {
        const body = parseStreamError(message.data);
        if (body === undefined) return this.malformed(message);
        stream.explained = true;
        this.events.emit('error', new PulseboardError(body.code, body.message));
        if (body.code === 'token_expired' && this.stream === stream) {
          this.dropStream();
          // the same fixed token would be refused; with a callback (or a cookie) the next stream can be valid
          if (typeof this.token === 'string') this.stop();
          else this.renewToken();
        }
        return;
      }
      default:
        return;
    }
  }

  private malformed(message: SseMessage): void {
    this.events.emit(
      'error',
      new PulseboardError('invalid_message', `malformed ${message.event} event: ${message.data.slice(0, 200)}`),
    );
  }

  private onEnd(stream: OpenStream, end: SseEnd): void {
    if (this.stream !== stream) return;
    this.stream = undefined;
    this.watchdog.disarm();
    if (end.reason !== 'ended') this.events.emit('error', end.error);
    else if (!stream.explained)
      this.events.emit('error', new PulseboardError('stream_ended', 'the server ended the stream'));
    const next = afterStreamEnd(end, this.tokenRenewable);
    if (next === 'stop') this.stop();
    else if (next === 'renew') this.renewToken();
    else this.retry();
  }

  private onSilence(silentMs: number): void {
    if (this.stream === undefined) return;
    this.dropStream();
    this.events.emit(
      'error',
      new PulseboardError('heartbeat_timeout', `nothing arrived on the stream for ${silentMs} ms`),
    );
    this.retry();
  }

  private onTokenFailure(error: unknown): void {
    this.events.emit('error', new PulseboardError('token_unavailable', 'the token callback failed', { cause: error }));
    this.retry();
  }

  private onSocketConnect(): void {
    if (this.livenessFromSocket && this.currentState === 'connected' && !this.watchdog.armed) this.watchdog.arm();
  }

  private onSocketDisconnect(): void {
    if (this.livenessFromSocket && this.currentState === 'connected') this.watchdog.disarm();
  }

  /** Schedules the next try after a full-jitter delay. */
  private retry(): void {
    if (!this.active) return;
    const delayMs = this.backoff.next();
    this.setState('connecting');
    this.events.emit('reconnect', { attempt: this.backoff.attempt, delayMs });
    if (!this.active || this.stream !== undefined || this.reconnectTimer !== undefined) return;
    this.reconnectTimer = this.platform.setTimeout(() => {
      this.reconnectTimer = undefined;
      this.open();
    }, delayMs);
  }

  /**
   * Opens again after the server refused the token, so that the token
   * callback is asked for a fresh one: at once the first time since the
   * last connected stream, then after backoff delays, so a callback that
   * keeps giving bad tokens does not hammer the server. The cursor is kept,
   * so the next stream resumes with no gap and no duplicate.
   */
  private renewToken(): void {
    if (this.tokenRenewed) {
      this.retry();
      return;
    }
    this.tokenRenewed = true;
    this.open();
  }

  /** Reopens at once, resuming from the cursor with the current feed set. */
  private reopen(): void {
    this.dropStream();
    this.open();
  }

  /**
   * Feeds changed while the stream was opening: apply the difference to the
   * new session over the control socket.
   */
  private reconcile(stream: OpenStream): void {
    const session = stream.session;
    if (session === undefined) return;
    const opened = new Set(stream.feeds);
    const added = this.feeds.filter((feed) => !opened.has(feed));
    const removed = stream.feeds.filter((feed) => !this.subscribed.has(feed));
    if (stream.maxRate !== this.maxRate) {
      this.reopen();
      return;
    }
    const applied = (ack: Ack<SubscriptionState> | undefined): void => {
      if (ack?.ok === true || this.stream !== stream) return;
      if (ack !== undefined && ack.error.code !== 'session_not_found') {
        this.events.emit('error', new PulseboardError(ack.error.code, ack.error.message));
      }
      this.reopen();
    };
    if (added.length > 0) void this.control.subscribe({ feeds: added, session }).then(applied);
    if (removed.length > 0) void this.control.unsubscribe({ feeds: removed, session }).then(applied);
  }

  /** The outcome of a change sent for `stream`. */
  private settle(stream: OpenStream, ack: Ack<SubscriptionState> | undefined, undo: () => void): string[] {
    if (ack?.ok === true) return ack.feeds;
    if (ack === undefined || ack.error.code === 'session_not_found') {
      // a stream that has gone since carries the change already; a live one the socket cannot reach is reopened
      if (this.stream === stream) {
        if (ack === undefined) {
          this.events.emit('error', new PulseboardError('ack_timeout', 'the control socket did not answer in time'));
        }
        this.reopen();
      }
      return this.feeds;
    }
    undo();
    throw new PulseboardError(ack.error.code, ack.error.message);
  }

  private dropStream(): void {
    const stream = this.stream;
    this.generation++;
    this.stream = undefined;
    this.watchdog.disarm();
    stream?.handle?.close();
  }

  private stop(): void {
    this.active = false;
    if (this.reconnectTimer !== undefined) {
      this.platform.clearTimeout(this.reconnectTimer);
      this.reconnectTimer = undefined;
    }
    this.dropStream();
    this.control.close();
    this.setState('disconnected');
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    const previous = this.currentState;
    this.currentState = state;
    this.events.emit('state', { state, previous });
  }
}
