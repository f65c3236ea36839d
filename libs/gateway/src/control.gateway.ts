import { Inject } from '@nestjs/common';
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
import type { Ack, ErrorCode, PresenceEvent, SubscriptionState } from '@pulseboard/protocol';
import { STREAMING_OPTIONS, type StreamingModuleOptions } from '@pulseboard/streaming';
import { ControlAcks } from './control-acks.service.js';
import { ControlAdmission } from './control-admission.service.js';
import { ControlCluster } from './control-cluster.service.js';
import { controlSchemas, type ControlSchemas } from './control-messages.js';
import type { ControlServer, ControlSocket } from './control-socket.js';
import { DashboardRooms } from './dashboard-rooms.service.js';
import { SocketStreams } from './socket-streams.service.js';
import { StreamSteering } from './stream-steering.service.js';

/**
 * The Socket.IO control protocol, as an adapter from socket events to
 * services: every message is checked against its schema and answered with an
 * acknowledgement (`ControlAcks`); sockets are admitted and set up by
 * `ControlAdmission`; subscriptions go to `SocketStreams` (the socket's own
 * data) or `StreamSteering` (an SSE stream, here or on another instance);
 * presence and annotations to `DashboardRooms`.
 */
@WebSocketGateway()
export class ControlGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  @WebSocketServer() private readonly server!: ControlServer;
  private readonly schemas: ControlSchemas;

  constructor(
    private readonly admission: ControlAdmission,
    private readonly acks: ControlAcks,
    private readonly streams: SocketStreams,
    private readonly steering: StreamSteering,
    private readonly rooms: DashboardRooms,
    private readonly cluster: ControlCluster,
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
    this.rooms.attach(server);
    server.use((socket, next) => {
      this.admission.admit(socket).then(
        () => next(),
        (error: unknown) => next(handshakeRefusal(this.acks.failed(error).error)),
      );
    });
  }

  handleConnection(socket: ControlSocket): void {
    this.admission.connected(socket);
  }

  handleDisconnect(socket: ControlSocket): void {
    this.admission.disconnected(socket);
    this.streams.release(socket);
    this.rooms.leaveAll(socket);
  }

  @SubscribeMessage('subscribe')
  subscribe(
    @ConnectedSocket() socket: ControlSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<SubscriptionState>> {
    return this.acks.answer(this.schemas.subscribe, payload, (message) => {
      const change = { historyMs: message.history, maxRate: message.maxRate };
      socket.data.principal.feeds.checkSubscription(message.feeds);
      if (message.session === undefined) {
        return this.streams.subscribe(socket, { feeds: message.feeds, cursor: message.cursor, ...change });
      }
      return this.steering.subscribe(socket.data.principal, message.session, message.feeds, change);
    });
  }

  @SubscribeMessage('unsubscribe')
  unsubscribe(
    @ConnectedSocket() socket: ControlSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<SubscriptionState>> {
    return this.acks.answer(this.schemas.unsubscribe, payload, (message) => {
      if (message.session === undefined) return this.streams.unsubscribe(socket, message.feeds);
      return this.steering.unsubscribe(socket.data.principal, message.session, message.feeds);
    });
  }

  @SubscribeMessage('join')
  join(@ConnectedSocket() socket: ControlSocket, @MessageBody() payload: unknown): Promise<Ack<PresenceEvent>> {
    return this.acks.answer(this.schemas.dashboard, payload, ({ dashboard }) => this.rooms.join(socket, dashboard));
  }

  @SubscribeMessage('leave')
  leave(@ConnectedSocket() socket: ControlSocket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.acks.answer(this.schemas.dashboard, payload, ({ dashboard }) => {
      this.rooms.leave(socket, dashboard);
      return {};
    });
  }

  @SubscribeMessage('annotate')
  annotate(@ConnectedSocket() socket: ControlSocket, @MessageBody() payload: unknown): Promise<Ack<{ id: string }>> {
    return this.acks.answer(this.schemas.annotate, payload, (message) => this.rooms.annotate(socket, message));
  }
}

/** What a refused handshake gives the client: `connect_error` with the code as message and `{code, message}` as data. */
function handshakeRefusal(error: {
  code: ErrorCode;
  message: string;
}): Error & { data: { code: ErrorCode; message: string } } {
  return Object.assign(new Error(error.code), { data: error });
}
