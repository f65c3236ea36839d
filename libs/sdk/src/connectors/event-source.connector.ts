import { systemFetch, type FetchLike } from '../platform.js';
import { errorFromResponse, networkError } from '../pulseboard-error.js';
import type { SseConnector, SseEnd, SseHandlers, SseRequest, SseStream } from './sse-connector.js';

/** The stream's event names; `EventSource` delivers only named events someone listens to. */
const STREAM_EVENTS = ['hello', 'points', 'gap', 'error'] as const;
/** `EventSource.CLOSED`: the source gave up (a refusal) rather than retrying. */
const CLOSED = 2;

/** The constructor of the WHATWG `EventSource` (or a compatible one). */
export type EventSourceConstructor = new (url: string, init?: EventSourceInit) => EventSource;

export interface EventSourceConnectorOptions {
  /** Defaults to `globalThis.EventSource`. */
  EventSource?: EventSourceConstructor;
  /** Reads the status of a refused stream (see the class comment); defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** Send cookies cross-origin. */
  withCredentials?: boolean;
}

/**
 * Streams with the browser's `EventSource`. It cannot send headers, so the
 * cursor goes in the `lastEventId` query parameter and the token in
 * `access_token` (the server never logs it). Its own reconnection is cut
 * short: on the first error the source is closed and the consumer decides,
 * so backoff and resumption are the consumer's. `EventSource` hides both the
 * server's `: hb` comments and the HTTP status of a refusal; the consumer
 * takes liveness from the control socket's pings instead, and a refusal is
 * read with one plain `fetch` of the same URL, so that a bad request stops
 * the consumer instead of being retried forever.
 */
export class EventSourceConnector implements SseConnector {
  readonly seesComments = false;
  private readonly EventSource: EventSourceConstructor;
  private readonly fetch: FetchLike | undefined;
  private readonly withCredentials: boolean;

  constructor(options: EventSourceConnectorOptions = {}) {
    const constructor = options.EventSource ?? globalThis.EventSource;
    if (typeof constructor !== 'function') throw new TypeError('EventSource is not available here');
    this.EventSource = constructor;
    this.fetch = options.fetch ?? (typeof globalThis.fetch === 'function' ? systemFetch : undefined);
    this.withCredentials = options.withCredentials ?? false;
  }

  /** The URL `EventSource` opens: the stream URL plus the cursor and the token as query parameters. */
  static url(request: SseRequest): string {
    const url = new URL(request.url);
    if (request.lastEventId !== undefined) url.searchParams.set('lastEventId', request.lastEventId);
    if (request.token !== undefined) url.searchParams.set('access_token', request.token);
    return url.toString();
  }

  open(request: SseRequest, handlers: SseHandlers): SseStream {
    const url = EventSourceConnector.url(request);
    const source = new this.EventSource(url, { withCredentials: this.withCredentials });
    let opened = false;
    let closed = false;
    const end = (ending: SseEnd): void => {
      if (closed) return;
      closed = true;
      handlers.onEnd(ending);
    };
    source.onopen = () => {
      if (closed) return;
      opened = true;
      handlers.onOpen();
    };
    const onStreamEvent = (event: Event): void => {
      if (closed) return;
      const data = (event as MessageEvent<unknown>).data;
      if (typeof data === 'string') {
        // a MessageEvent: one of the server's events (`event: error` included)
        const id = (event as MessageEvent<string>).lastEventId;
        handlers.onMessage({ event: event.type, data, ...(event.type === 'points' && id !== '' ? { id } : {}) });
        return;
      }
      // a plain `error` Event: the connection failed or ended; EventSource would retry on its own
      const refused = !opened && source.readyState === CLOSED;
      source.close();
      if (opened) end({ reason: 'ended' });
      else if (refused) void this.diagnose(url, end);
      else end({ reason: 'broken', error: networkError('the stream could not be opened') });
    };
    for (const name of STREAM_EVENTS) source.addEventListener(name, onStreamEvent);
    return {
      close: () => {
        closed = true;
        source.close();
      },
    };
  }

  /** Asks the same URL once with `fetch` to learn why the stream was refused. */
  private async diagnose(url: string, end: (ending: SseEnd) => void): Promise<void> {
    if (this.fetch === undefined) {
      end({ reason: 'broken', error: networkError('the stream was refused') });
      return;
    }
    const abort = new AbortController();
    try {
      const res = await this.fetch(url, {
        headers: { accept: 'text/event-stream' },
        credentials: this.withCredentials ? 'include' : 'same-origin',
        cache: 'no-store',
        signal: abort.signal,
      });
      if (!res.ok) {
        end({ reason: 'refused', error: await errorFromResponse(res) });
        return;
      }
      // it is a stream now: the refusal was passing, so just try again
      abort.abort();
      end({ reason: 'broken', error: networkError('the stream was refused, then accepted') });
    } catch (error) {
      end({ reason: 'broken', error: networkError(error) });
    }
  }
}
