import { randomBytes } from 'node:crypto';
import { Inject, Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { ApiError, parseWithSchema, Refusals, requireRole, TokenBucket, type Principal } from '@pulseboard/api';
import { atExpiry, Authenticator, ConnectionLimits } from '@pulseboard/auth';
import { AnnotationsService } from '@pulseboard/dashboards';
import type { Ack, AckFailure, ErrorCode, PresenceEvent, SubscriptionState } from '@pulseboard/protocol';
import { STREAMING_OPTIONS, SubscriptionControl, type StreamingModuleOptions } from '@pulseboard/streaming';
import type { z } from 'zod';
import { CONTROL_EVENTS, controlSchemas, type ControlSchemas } from './control-messages.js';
import { dashboardRoom, type ControlServer, type ControlSocket } from './control-socket.js';
import { GATEWAY_OPTIONS, type GatewayModuleOptions } from './gateway.module-definition.js';
import { PresenceService } from './presence.service.js';
import { SocketStreams } from './socket-streams.service.js';
import { ControlCluster } from './control-cluster.service.js';

/** Dashboards one socket may be present on at once. */
const MAX_DASHBOARDS_PER_SOCKET = 100;

/**
 * The Socket.IO control protocol. Transport only: every message is checked
 * against its schema and answered with an acknowledgement; the work is done by
 * `SubscriptionControl` (shared with SSE), `SocketStreams`, `PresenceService`
 * and `AnnotationsService`. Nothing a client sends can throw out of a handler.
 */
@WebSocketGateway()
export class ControlGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  @WebSocketServer() private readonly server!: ControlServer;
  private readonly logger = new Logger('Control');
  private readonly schemas: ControlSchemas;

  constructor(
    private readonly control: SubscriptionControl,
    private readonly streams: SocketStreams,
    private readonly presence: PresenceService,
    private readonly annotations: AnnotationsService,
    private readonly authenticator: Authenticator,
    private readonly limits: ConnectionLimits,
    private readonly cluster: ControlCluster,
    private readonly refusals: Refusals,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayModuleOptions,
    @Inject(STREAMING_OPTIONS) streaming: StreamingModuleOptions,
  ) {
    this.schemas = controlSchemas({
      maxSubscriptions: streaming.maxSubscriptions,
      maxHistoryMs: streaming.maxHistoryMs,
    });
  }

  /** Every handshake is authenticated before the socket exists (`connect_error` with the code otherwise). */
  afterInit(server: ControlServer): void {
    this.cluster.attach(server);
    this.presence.announceWith((dashboard, told) => {
      this.announcePresence(dashboard, told).catch((error: unknown) => this.logger.error(error));
    });
    // an annotation deleted over HTTP disappears from every viewer's charts
    this.annotations.onRemoved((removed) => {
      server.to(dashboardRoom(removed.dashboard)).emit('annotation_removed', removed);
    });
    server.use((socket, next) => {
      this.admit(socket).then(
        () => next(),
        (error: unknown) => next(handshakeRefusal(this.failed(error).error)),
      );
    });
  }

  handleConnection(socket: ControlSocket): void {
    const { principal, release } = socket.data;
    const tag = randomBytes(4).toString('hex');
    socket.data = {
      principal,
      release,
      cancelExpiry: this.disconnectAtExpiry(socket, principal),
      viewer: principal.anonymous
        ? { id: `anon-${tag}`, name: viewerName(socket.handshake.auth, tag) }
        : { id: principal.id, name: principal.name },
      bucket:
        this.options.controlRate > 0
          ? new TokenBucket(this.options.controlRate, this.options.controlBurst, Date.now())
          : undefined,
      connection: undefined,
      dashboards: new Set(),
    };
    // runs before any handler: refuse floods and unknown events with an acknowledgement
    socket.use((packet, next) => {
      const event = packet[0];
      const ack: unknown = packet.length > 1 ? packet[packet.length - 1] : undefined;
      const answer = typeof ack === 'function' ? (ack as (failure: AckFailure) => void) : undefined;
      if (socket.data.bucket !== undefined && socket.data.bucket.take(1, Date.now()) > 0) {
        this.refusals.count('rate_limited');
        answer?.(failure('rate_limited', `at most ${this.options.controlRate} control messages per second`));
        return;
      }
      if (!CONTROL_EVENTS.has(event)) {
        this.refusals.count('unknown_event');
        answer?.(failure('unknown_event', `unknown event ${JSON.stringify(event).slice(0, 80)}`));
        return;
      }
      next();
    });
  }

  handleDisconnect(socket: ControlSocket): void {
    socket.data.cancelExpiry?.();
    socket.data.release?.();
    this.streams.release(socket);
    for (const dashboard of socket.data.dashboards) this.presence.leave(dashboard, socket.id);
    socket.data.dashboards.clear();
  }

  @SubscribeMessage('subscribe')
  subscribe(
    @ConnectedSocket() socket: ControlSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<SubscriptionState>> {
    return this.answer(this.schemas.subscribe, payload, async (message) => {
      const change = { historyMs: message.history, maxRate: message.maxRate };
      const { principal } = socket.data;
      principal.feeds.checkSubscription(message.feeds);
      if (message.session === undefined) {
        return this.streams.subscribe(socket, { feeds: message.feeds, cursor: message.cursor, ...change });
      }
      const elsewhere = await this.cluster.changeElsewhere({
        kind: 'subscribe',
        session: message.session,
        principalId: principal.id,
        feeds: message.feeds,
        ...change,
      });
      if (elsewhere !== undefined) return elsewhere;
      const { connection, owner } = this.control.session(message.session, principal);
      // the stream's own token is the one its points are read with
      owner.feeds.checkSubscription(message.feeds);
      return { feeds: this.control.add(connection, message.feeds, change) };
    });
  }

  @SubscribeMessage('unsubscribe')
  unsubscribe(
    @ConnectedSocket() socket: ControlSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<SubscriptionState>> {
    return this.answer(this.schemas.unsubscribe, payload, async (message) => {
      if (message.session === undefined) return this.streams.unsubscribe(socket, message.feeds);
      const elsewhere = await this.cluster.changeElsewhere({
        kind: 'unsubscribe',
        session: message.session,
        principalId: socket.data.principal.id,
        feeds: message.feeds,
      });
      if (elsewhere !== undefined) return elsewhere;
      const { connection } = this.control.session(message.session, socket.data.principal);
      return { feeds: this.control.remove(connection, message.feeds) };
    });
  }

  @SubscribeMessage('join')
  join(@ConnectedSocket() socket: ControlSocket, @MessageBody() payload: unknown): Promise<Ack<PresenceEvent>> {
    return this.answer(this.schemas.dashboard, payload, async ({ dashboard }) => {
      const { dashboards } = socket.data;
      if (!dashboards.has(dashboard) && dashboards.size >= MAX_DASHBOARDS_PER_SOCKET) {
        throw new ApiError(
          400,
          'too_many_subscriptions',
          `a socket may join at most ${MAX_DASHBOARDS_PER_SOCKET} dashboards`,
        );
      }
      dashboards.add(dashboard);
      void socket.join(dashboardRoom(dashboard));
      // the room hears of it from the presence window; this socket from its acknowledgement
      this.presence.join(dashboard, socket.id, socket.data.viewer);
      return await this.cluster.presenceOf(dashboard);
    });
  }

  @SubscribeMessage('leave')
  leave(@ConnectedSocket() socket: ControlSocket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.answer(this.schemas.dashboard, payload, ({ dashboard }) => {
      socket.data.dashboards.delete(dashboard);
      void socket.leave(dashboardRoom(dashboard));
      this.presence.leave(dashboard, socket.id);
      return {};
    });
  }

  @SubscribeMessage('annotate')
  async annotate(
    @ConnectedSocket() socket: ControlSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<{ id: string }>> {
    return this.answer(this.schemas.annotate, payload, async (message) => {
      const { principal, viewer } = socket.data;
      const annotation = await this.annotations.create(message, {
        name: viewer.name,
        id: principal.anonymous ? null : principal.id,
        quotaKey: principal.id,
      });
      this.server.to(dashboardRoom(annotation.dashboard)).emit('annotation', annotation);
      return { id: annotation.id };
    });
  }

  /** Authenticates a handshake and takes a connection slot; throws the refusal. */
  private async admit(socket: ControlSocket): Promise<void> {
    const principal = await this.authenticator.authenticateHandshake(socket.request, socket.handshake.auth);
    requireRole(principal, ['viewer', 'admin'], 'open a control socket');
    const release = this.limits.acquire(principal);
    // a client that goes away before its socket is set up never disconnects: its slot goes back with the connection
    socket.conn.once('close', release);
    // the rest of the socket's data is set when it connects
    socket.data = { principal, release } as ControlSocket['data'];
  }

  /** At the token's expiry the socket is told why (`error` `token_expired`), then disconnected. */
  private disconnectAtExpiry(socket: ControlSocket, principal: Principal): () => void {
    if (principal.expiresAt === undefined) return () => undefined;
    return atExpiry(principal.expiresAt, () => {
      socket.emit('error', { code: 'token_expired', message: 'the token expired; reconnect with a new one' });
      socket.disconnect(true);
    });
  }

  /** Tells a dashboard's room, on every instance, who views it now; `told` (a socket) already knows. */
  private async announcePresence(dashboard: string, told: string | undefined): Promise<void> {
    const presence = await this.cluster.presenceOf(dashboard);
    const room = this.server.to(dashboardRoom(dashboard));
    // encoded once for the whole room and sent as is: compressed, it would cost a zlib pass per socket
    (told === undefined ? room : room.except(told)).compress(false).emit('presence', presence);
  }

  /** Validates a message, runs the handler and turns the outcome into an acknowledgement. */
  private async answer<S extends z.ZodType, R extends object>(
    schema: S,
    payload: unknown,
    run: (message: z.output<S>) => R | Promise<R>,
  ): Promise<Ack<R>> {
    try {
      const message = parseWithSchema(schema, payload, 'invalid_message') as z.output<S>;
      return { ok: true, ...(await run(message)) };
    } catch (error) {
      return this.failed(error);
    }
  }

  private failed(error: unknown): AckFailure {
    const answer =
      error instanceof ApiError
        ? failure(error.code, error.message)
        : failure('internal_error', 'the server could not handle this message');
    if (!(error instanceof ApiError)) this.logger.error(error);
    this.refusals.count(answer.error.code);
    return answer;
  }
}

/** What a refused handshake gives the client: `connect_error` with the code as message and `{code, message}` as data. */
function handshakeRefusal(error: {
  code: ErrorCode;
  message: string;
}): Error & { data: { code: ErrorCode; message: string } } {
  return Object.assign(new Error(error.code), { data: error });
}

function failure(code: ErrorCode, message: string): AckFailure {
  return { ok: false, error: { code, message } };
}

/** Longest display name an anonymous viewer may give itself. */
const VIEWER_NAME_MAX_LENGTH = 64;

/** An anonymous viewer's name: the handshake's `auth.name` when it is a plain short string, else a generated one. */
function viewerName(auth: Record<string, unknown>, tag: string): string {
  const name = auth.name;
  if (typeof name === 'string') {
    // eslint-disable-next-line no-control-regex -- control characters are what is being removed
    const clean = name.replace(/[\u0000-\u001f\u007f]/g, '').trim();
    if (clean !== '' && clean.length <= VIEWER_NAME_MAX_LENGTH) return clean;
  }
  return `Anonymous ${tag.slice(0, 4).toUpperCase()}`;
}
