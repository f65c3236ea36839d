import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Refusals, requireRole, TokenBucket, type Principal } from '@pulseboard/api';
import { atExpiry, Authenticator, ConnectionLimits } from '@pulseboard/auth';
import type { AckFailure, ErrorCode } from '@pulseboard/protocol';
import { ackFailure } from './control-acks.service.js';
import { CONTROL_EVENTS } from './control-messages.js';
import type { ControlSocket } from './control-socket.js';
import { GATEWAY_OPTIONS, type GatewayModuleOptions } from './gateway.options.js';

/** Longest display name an anonymous viewer may give itself. */
const VIEWER_NAME_MAX_LENGTH = 64;

/**
 * A control socket's life around its messages: the handshake authenticated
 * and given a connection slot before the socket exists, what the socket
 * keeps (its viewer, its control-message bucket), floods and unknown events
 * refused before any handler, the disconnection at the token's expiry, and
 * the slot given back at the end.
 */
@Injectable()
export class ControlAdmission {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly limits: ConnectionLimits,
    private readonly refusals: Refusals,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayModuleOptions,
  ) {}

  /** Authenticates a handshake and takes a connection slot; throws the refusal. */
  async admit(socket: ControlSocket): Promise<void> {
    const principal = await this.authenticator.authenticateHandshake(socket.request, socket.handshake.auth);
    requireRole(principal, ['viewer', 'admin'], 'open a control socket');
    const release = this.limits.acquire(principal);
    // a client that goes away before its socket is set up never disconnects: its slot goes back with the connection
    socket.conn.once('close', release);
    // the rest of the socket's data is set when it connects
    socket.data = { principal, release } as ControlSocket['data'];
  }

  /** Sets a connected socket up: its data, its expiry, and the checks every message passes first. */
  connected(socket: ControlSocket): void {
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
        this.refuse(answer, 'rate_limited', `at most ${this.options.controlRate} control messages per second`);
      } else if (!CONTROL_EVENTS.has(event)) {
        this.refuse(answer, 'unknown_event', `unknown event ${JSON.stringify(event).slice(0, 80)}`);
      } else {
        next();
      }
    });
  }

  /** Gives back what a socket held: its expiry timer and its connection slot. */
  disconnected(socket: ControlSocket): void {
    socket.data.cancelExpiry?.();
    socket.data.release?.();
  }

  /** Answers a message refused before any handler, and counts the refusal. */
  private refuse(answer: ((failure: AckFailure) => void) | undefined, code: ErrorCode, message: string): void {
    this.refusals.count(code);
    answer?.(ackFailure(code, message));
  }

  /** At the token's expiry the socket is told why (`error` `token_expired`), then disconnected. */
  private disconnectAtExpiry(socket: ControlSocket, principal: Principal): () => void {
    if (principal.expiresAt === undefined) return () => undefined;
    return atExpiry(principal.expiresAt, () => {
      socket.emit('error', { code: 'token_expired', message: 'the token expired; reconnect with a new one' });
      socket.disconnect(true);
    });
  }
}

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
