import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { createParser } from 'eventsource-parser';
import { Waiters } from './waiters.js';

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

export interface PointsData {
  feeds: Record<string, { t: number[]; v: number[] }>;
}

/**
 * A real SSE reader over node:http, recording every event in order and
 * resolving waiters as events arrive (tests wait for events, never sleep).
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  retry: number | undefined;
  status = 0;
  headers: IncomingMessage['headers'] = {};
  body = '';
  ended = false;
  private req: ClientRequest | undefined;
  private res: IncomingMessage | undefined;
  private readonly waiters = new Waiters();

  private constructor() {}

  /** Opens a stream and resolves once the response headers are in. */
  static open(
    url: string,
    headers: Record<string, string> = {},
    options: { localAddress?: string } = {},
  ): Promise<SseClient> {
    const client = new SseClient();
    return new Promise((resolve, reject) => {
      const parser = createParser({
        onEvent: (event) => {
          client.events.push({ event: event.event ?? 'message', data: event.data, id: event.id });
          client.notify();
        },
        onRetry: (ms) => {
          client.retry = ms;
        },
        onComment: (comment) => {
          client.comments.push(comment);
          client.notify();
        },
      });
      const requestOptions = { headers: { accept: 'text/event-stream', ...headers }, ...options };
      client.req = request(url, requestOptions, (res) => {
        client.res = res;
        client.status = res.statusCode ?? 0;
        client.headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (client.status === 200) parser.feed(chunk);
          else client.body += chunk;
        });
        res.on('end', () => {
          client.ended = true;
          client.notify();
        });
        res.on('close', () => {
          client.ended = true;
          client.notify();
        });
        resolve(client);
      });
      client.req.on('error', (error) => {
        client.ended = true;
        client.notify();
        reject(error);
      });
      client.req.end();
    });
  }

  /** Stops reading: the socket's buffers fill and the server sees it as not draining. */
  pause(): void {
    this.res?.pause();
  }

  resume(): void {
    this.res?.resume();
  }

  close(): void {
    this.req?.destroy();
    this.ended = true;
    this.notify();
  }

  named(event: string): SseEvent[] {
    return this.events.filter((e) => e.event === event);
  }

  /** Every point received for a feed, in order. */
  points(feed: string): { t: number[]; v: number[] } {
    const t: number[] = [];
    const v: number[] = [];
    for (const e of this.named('points')) {
      const chunk = (JSON.parse(e.data) as PointsData).feeds[feed];
      if (chunk !== undefined) {
        t.push(...chunk.t);
        v.push(...chunk.v);
      }
    }
    return { t, v };
  }

  lastId(): string | undefined {
    return this.named('points').at(-1)?.id;
  }

  /** Resolves when `condition` holds, checking after every event; rejects after `timeoutMs`. */
  until(condition: (client: SseClient) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    return this.waiters.until(
      () => condition(this),
      () => `${what}; got ${this.events.length} events`,
      timeoutMs,
    );
  }

  /** Waits until `count` points of `feed` have arrived. */
  untilPoints(feed: string, count: number, timeoutMs = 10_000): Promise<void> {
    return this.until((c) => c.points(feed).v.length >= count, timeoutMs, `${count} points of ${feed}`);
  }

  private notify(): void {
    this.waiters.notify();
  }
}
