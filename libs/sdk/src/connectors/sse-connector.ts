import type { PulseboardError } from '../pulseboard-error.js';

/** What the consumer asks a connector to open. */
export interface SseRequest {
  /** The stream URL with its feeds, history and maxRate. */
  url: string;
  /** The cursor to resume after, when there is one. */
  lastEventId?: string;
  /** The bearer token, when the server needs one. */
  token?: string;
}

/** One event of the stream. */
export interface SseMessage {
  /** The `event:` name (`message` when the server gave none). */
  event: string;
  data: string;
  /** The `id:` line of this event, when it had one. */
  id?: string;
}

/** How a stream ended. After it, a connector calls no handler of that stream again. */
export type SseEnd =
  /** The server answered something other than a stream; `error.status` is its HTTP status. */
  | { reason: 'refused'; error: PulseboardError }
  /** The connection failed or broke. */
  | { reason: 'broken'; error: PulseboardError }
  /** The server ended the stream. */
  | { reason: 'ended' };

export interface SseHandlers {
  /** The response is a stream. */
  onOpen(): void;
  onMessage(message: SseMessage): void;
  /** A comment line (`: hb`), the server's sign of life on an idle stream. */
  onComment(comment: string): void;
  /** Called once, last. */
  onEnd(end: SseEnd): void;
}

/** An open stream; `close()` ends it and silences its handlers. */
export interface SseStream {
  close(): void;
}

/**
 * Opens Server-Sent Events streams. The consumer owns reconnection, backoff
 * and resumption: a connector opens one stream, reports how it ended, and
 * never reconnects on its own.
 */
export interface SseConnector {
  /** Whether comment lines reach `onComment` (`EventSource` hides them). */
  readonly seesComments: boolean;
  open(request: SseRequest, handlers: SseHandlers): SseStream;
}
