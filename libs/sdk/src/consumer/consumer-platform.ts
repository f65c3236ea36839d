import { EventSourceConnector } from '../connectors/event-source.connector.js';
import { FetchSseConnector } from '../connectors/fetch-sse.connector.js';
import type { SseConnector } from '../connectors/sse-connector.js';
import { systemTimers, type Platform } from '../platform.js';
import { openControlSocket } from './control-socket.js';

/** `EventSource` where the platform has one (browsers), else `fetch` streaming (Node.js). */
export function defaultSseConnector(): SseConnector {
  return typeof globalThis.EventSource === 'function' ? new EventSourceConnector() : new FetchSseConnector();
}

/** The platform with every part the caller did not give filled in. */
export function consumerPlatform(parts: Partial<Platform> = {}): Platform {
  return {
    sse: parts.sse ?? defaultSseConnector(),
    socket: parts.socket ?? openControlSocket,
    setTimeout: parts.setTimeout ?? systemTimers.setTimeout,
    clearTimeout: parts.clearTimeout ?? systemTimers.clearTimeout,
    random: parts.random ?? (() => Math.random()),
    now: parts.now ?? (() => Date.now()),
  };
}
