import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { INestApplicationContext } from '@nestjs/common';
import { OriginPolicy } from '@pulseboard/auth';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import type { Server, ServerOptions, Socket } from 'socket.io';
import { GATEWAY_OPTIONS, type GatewayModuleOptions } from './gateway.options.js';
import { SERVER_WINDOW_BITS } from './socket-frames.js';

/** How long one blocking read of the control stream waits; closing waits for the current one. */
const CONTROL_READ_BLOCK_MS = 1000;

/** Window the server asks clients to compress their (small, rare) messages with. */
const CLIENT_WINDOW_BITS = 10;
/** zlib memory level of a socket's own compressor, made only when a control message passes the threshold. */
const MEM_LEVEL = 4;

/**
 * The Socket.IO server the gateway runs on, configured from the gateway's
 * options. permessage-deflate is negotiated without context takeover and with
 * a fixed server window, so that one compressed frame suits every socket, and
 * without per-socket zlib state kept between messages: an idle socket costs
 * no compressor at all.
 */
export class ControlSocketAdapter extends IoAdapter {
  /** The connection the cross-instance adapter publishes on, when instances share Redis. */
  private redis: Redis | undefined;
  /** The adapter's reading connections. */
  private readonly readers: Redis[] = [];

  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const gateway = this.app.get<GatewayModuleOptions>(GATEWAY_OPTIONS);
    const origins = this.app.get(OriginPolicy);
    // socket.io fills in every option left out; its `ServerOptions` type marks them all required
    return super.createIOServer(port, {
      ...options,
      ...socketServerOptions(gateway),
      // a foreign page's (or open mode's foreign host's) handshake is refused (403) before a socket exists:
      // no cross-site socket hijacking
      allowRequest: (request, callback) => {
        const refusal = origins.refuse(request);
        if (refusal === undefined) callback(null, true);
        else callback(refusal, false);
      },
      cors: {
        origin: (origin, callback) => callback(null, origin !== undefined && origins.isListed(origin)),
        credentials: true,
      },
      ...(gateway.redis === undefined ? {} : { adapter: this.clusterAdapter(gateway.redis.url, gateway.redis.prefix) }),
    } as ServerOptions);
  }

  override async close(server: Server): Promise<void> {
    // a reader still connecting has its first commands queued; they are sent once it is connected, and its
    // graceful end then follows them (an instance stopped at once after starting must not drop them)
    const connecting = this.readers.filter((reader) => reader.status !== 'ready' && reader.status !== 'end');
    await Promise.race([
      Promise.all(connecting.map((reader) => once(reader, 'ready'))),
      delay(CONTROL_READ_BLOCK_MS, undefined, { ref: false }),
    ]);
    await super.close(server);
    const redis = this.redis;
    this.redis = undefined;
    if (redis === undefined) return;
    // the adapter's readers end after their current blocking read, and may still answer through this
    // connection until then: it closes once they have (or after a bound, should one hang)
    const readers = this.readers.splice(0).filter((reader) => reader.status !== 'end');
    await Promise.race([
      Promise.all(readers.map((reader) => once(reader, 'end'))),
      delay(CONTROL_READ_BLOCK_MS * 3, undefined, { ref: false }),
    ]);
    await redis.quit().catch(() => undefined);
  }

  /**
   * Socket.IO's Redis Streams adapter: room broadcasts and server-side events
   * travel through a Redis stream to every instance.
   */
  private clusterAdapter(url: string, prefix: string): ReturnType<typeof createAdapter> {
    const redis = new Redis(url, { maxRetriesPerRequest: null });
    this.redis = redis;
    // ioredis reconnects by itself; Redis outages are reported by the log, which uses the same Redis
    redis.on('error', () => undefined);
    // the adapter opens its readers as duplicates of this connection: kept, so that closing can wait for them,
    // and ended gracefully (QUIT after what is pending) when the adapter drops them, so that a subscription
    // still on its way when an instance stops does not fail
    const duplicate = redis.duplicate.bind(redis);
    redis.duplicate = (...args: Parameters<Redis['duplicate']>): Redis => {
      const reader = duplicate(...args);
      reader.on('error', () => undefined);
      reader.disconnect = () => {
        reader.quit().catch(() => undefined);
      };
      this.readers.push(reader);
      return reader;
    };
    // a killed instance is forgotten after 6 s, so questions to the others stop waiting for it
    return createAdapter(redis, {
      streamName: `${prefix}:control`,
      heartbeatInterval: 2000,
      heartbeatTimeout: 6000,
      blockTimeInMs: CONTROL_READ_BLOCK_MS,
    });
  }

  /**
   * Binds the gateway's handlers with one plain listener per event. The base
   * adapter keeps an RxJS pipeline per event per socket for the socket's whole
   * life — measured at about 25 KB of heap per idle socket with five events,
   * more than the socket itself. Here a pipeline exists only while a message
   * is being handled; the answer still goes through Nest's handler (pipes,
   * filters) and reaches the acknowledgement the same way.
   */
  override bindMessageHandlers(
    socket: Socket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(String(message), (...args: unknown[]) => {
        const payload = this.mapPayload(args);
        const data: unknown = payload.data;
        const ack = payload.ack;
        transform(callback(data, ack)).subscribe({
          next: (response) => {
            if (response === undefined || response === null || isAckHandledManually === true) return;
            if (typeof ack === 'function') (ack as (answer: unknown) => void)(response);
          },
          error: (error: unknown) => this.logger.error(error),
        });
      });
    }
  }
}

/** Socket.IO server options for the gateway's configuration. */
export function socketServerOptions(
  options: GatewayModuleOptions,
): Pick<
  ServerOptions,
  'path' | 'serveClient' | 'pingInterval' | 'pingTimeout' | 'maxHttpBufferSize' | 'perMessageDeflate' | 'connectTimeout'
> {
  return {
    path: '/socket.io',
    serveClient: false,
    connectTimeout: options.connectTimeoutMs,
    pingInterval: options.pingIntervalMs,
    pingTimeout: options.pingTimeoutMs,
    maxHttpBufferSize: options.maxBufferBytes,
    perMessageDeflate: options.deflate
      ? {
          threshold: options.deflateThreshold,
          serverNoContextTakeover: true,
          clientNoContextTakeover: true,
          serverMaxWindowBits: SERVER_WINDOW_BITS,
          clientMaxWindowBits: CLIENT_WINDOW_BITS,
          zlibDeflateOptions: { memLevel: MEM_LEVEL, level: 1 },
        }
      : false,
  };
}
