import { createParser } from 'eventsource-parser';
import { systemFetch, type FetchLike } from '../platform.js';
import { errorFromResponse, networkError } from '../pulseboard-error.js';
import type { SseConnector, SseEnd, SseHandlers, SseRequest, SseStream } from './sse-connector.js';

/** An event larger than this (characters) means the stream is not what it claims; 64 MiB. */
const MAX_EVENT_CHARS = 64 * 1024 * 1024;

export interface FetchSseConnectorOptions {
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** Browser credentials mode (cookies); defaults to `same-origin`. */
  credentials?: RequestCredentials;
}

/**
 * Streams over `fetch` and `eventsource-parser`: for Node.js and anywhere
 * `fetch` streams response bodies. Unlike `EventSource` it sends headers
 * (`Authorization: Bearer`, `Last-Event-ID`), reads the HTTP status of a
 * refusal, and sees the server's `: hb` comments.
 */
export class FetchSseConnector implements SseConnector {
  readonly seesComments = true;
  private readonly fetch: FetchLike;
  private readonly credentials: RequestCredentials | undefined;

  constructor(options: FetchSseConnectorOptions = {}) {
    this.fetch = options.fetch ?? systemFetch;
    this.credentials = options.credentials;
  }

  open(request: SseRequest, handlers: SseHandlers): SseStream {
    const abort = new AbortController();
    let closed = false;
    const end = (ending: SseEnd): void => {
      if (closed) return;
      closed = true;
      abort.abort();
      handlers.onEnd(ending);
    };
    void this.read(request, abort.signal, {
      onOpen: () => {
        if (!closed) handlers.onOpen();
      },
      onMessage: (message) => {
        if (!closed) handlers.onMessage(message);
      },
      onComment: (comment) => {
        if (!closed) handlers.onComment(comment);
      },
      onEnd: end,
    });
    return {
      close: () => {
        closed = true;
        abort.abort();
      },
    };
  }

  private async read(request: SseRequest, signal: AbortSignal, handlers: SseHandlers): Promise<void> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
    if (request.lastEventId !== undefined) headers['last-event-id'] = request.lastEventId;
    let res: Response;
    try {
      res = await this.fetch(request.url, {
        headers,
        signal,
        cache: 'no-store',
        ...(this.credentials === undefined ? {} : { credentials: this.credentials }),
      });
    } catch (error) {
      handlers.onEnd({ reason: 'broken', error: networkError(error) });
      return;
    }
    if (!res.ok) {
      handlers.onEnd({ reason: 'refused', error: await errorFromResponse(res) });
      return;
    }
    if (res.body === null) {
      handlers.onEnd({ reason: 'broken', error: networkError('the response has no body') });
      return;
    }
    handlers.onOpen();
    const parser = createParser({
      maxBufferSize: MAX_EVENT_CHARS,
      onEvent: (event) => handlers.onMessage({ event: event.event ?? 'message', data: event.data, id: event.id }),
      onComment: (comment) => handlers.onComment(comment),
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') handlers.onEnd({ reason: 'broken', error: networkError(error) });
      },
    });
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (signal.aborted) return;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch (error) {
      handlers.onEnd({ reason: 'broken', error: networkError(error) });
      return;
    } finally {
      reader.releaseLock();
    }
    handlers.onEnd({ reason: 'ended' });
  }
}
