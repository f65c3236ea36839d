export interface GatewayModuleOptions {
  /** How often the server pings a socket (ms). */
  pingIntervalMs: number;
  /** How long a ping may go unanswered before the socket is dropped (ms). */
  pingTimeoutMs: number;
  /** Largest message a client may send (bytes). */
  maxBufferBytes: number;
  /** Whether sockets may negotiate permessage-deflate. */
  deflate: boolean;
  /** Messages smaller than this (bytes) are sent uncompressed. */
  deflateThreshold: number;
  /** Control messages per second per socket (0: unlimited). */
  controlRate: number;
  /** Control messages a socket may send at once. */
  controlBurst: number;
  /** Viewers a presence list names; the rest are only counted (`count`). */
  presenceMaxViewers: number;
  /** A connection that has not completed its Socket.IO handshake by then is closed (ms). */
  connectTimeoutMs: number;
  /**
   * Redis that instances share: room broadcasts (presence, annotations) reach
   * every instance's sockets, and a socket may steer a stream held by another
   * instance. One instance alone when absent.
   */
  redis?: { url: string; prefix: string };
}

/** The token under which the application provides `GatewayModuleOptions`. */
export const GATEWAY_OPTIONS = Symbol('GATEWAY_OPTIONS');
