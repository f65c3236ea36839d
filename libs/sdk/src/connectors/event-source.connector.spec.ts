/*
 * Node.js has no EventSource, so a scripted one stands in: it dispatches
 * exactly what the WHATWG EventSource dispatches (named MessageEvents, a plain
 * `error` Event with `readyState` telling a refusal from a retry), which is
 * what the connector has to tell apart.
 */
import { describe, expect, it } from 'vitest';
import type { FetchLike } from '../platform.js';
import type { SseEnd, SseMessage } from './sse-connector.js';
import { EventSourceConnector, type EventSourceConstructor } from './event-source.connector.js';

class ScriptedEventSource extends EventTarget {
  static last: ScriptedEventSource | undefined;
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  closed = false;

  constructor(
    readonly url: string,
    readonly init?: EventSourceInit,
  ) {
    super();
    ScriptedEventSource.last = this;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  send(event: string, data: string, lastEventId = ''): void {
    this.dispatchEvent(new MessageEvent(event, { data, lastEventId }));
  }

  fail(readyState: 0 | 2): void {
    this.readyState = readyState;
    this.dispatchEvent(new Event('error'));
  }

  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
}

function connect(fetch?: FetchLike): {
  source: ScriptedEventSource;
  messages: SseMessage[];
  ends: SseEnd[];
  ended: Promise<void>;
} {
  const messages: SseMessage[] = [];
  const ends: SseEnd[] = [];
  let done = (): void => undefined;
  const ended = new Promise<void>((resolve) => (done = resolve));
  const connector = new EventSourceConnector({
    EventSource: ScriptedEventSource as unknown as EventSourceConstructor,
    ...(fetch === undefined ? {} : { fetch }),
  });
  connector.open(
    { url: 'http://pulse.test/api/v1/stream?feeds=a.x', lastEventId: 'c-4', token: 'tok' },
    {
      onOpen: () => undefined,
      onMessage: (message) => messages.push(message),
      onComment: () => undefined,
      onEnd: (end) => {
        ends.push(end);
        done();
      },
    },
  );
  return { source: ScriptedEventSource.last!, messages, ends, ended };
}

describe('EventSourceConnector', () => {
  it('puts the cursor and the token in the query, since EventSource sends no headers', () => {
    const { source } = connect();
    const url = new URL(source.url);
    expect(url.searchParams.get('feeds')).toBe('a.x');
    expect(url.searchParams.get('lastEventId')).toBe('c-4');
    expect(url.searchParams.get('access_token')).toBe('tok');
  });

  it('passes the server events on, its `error` event included, with the cursor of points', () => {
    const { source, messages } = connect();
    source.open();
    source.send('hello', '{"session":"s","batchMs":50}');
    source.send('points', '{"feeds":{}}', 'c-5');
    source.send('gap', '{"feeds":["a.x"],"reason":"slow"}', 'c-5');
    source.send('error', '{"code":"token_expired","message":"m"}', 'c-5');
    expect(messages).toEqual([
      { event: 'hello', data: '{"session":"s","batchMs":50}' },
      { event: 'points', data: '{"feeds":{}}', id: 'c-5' },
      { event: 'gap', data: '{"feeds":["a.x"],"reason":"slow"}' },
      { event: 'error', data: '{"code":"token_expired","message":"m"}' },
    ]);
  });

  it('closes the source on a connection error instead of letting it retry on its own', async () => {
    const { source, ends, ended } = connect();
    source.open();
    source.fail(0);
    await ended;
    expect(source.closed).toBe(true);
    expect(ends).toEqual([{ reason: 'ended' }]);
  });

  it('reports a network failure before opening as broken', async () => {
    const { source, ends, ended } = connect();
    source.fail(0);
    await ended;
    expect(ends[0]).toMatchObject({ reason: 'broken', error: { code: 'network_error' } });
  });

  it('reads the status and code of a refusal with one fetch of the same URL', async () => {
    const asked: string[] = [];
    const fetch: FetchLike = (url) => {
      asked.push(url);
      return Promise.resolve(
        Response.json({ error: { code: 'unauthorized', message: 'no', details: [] } }, { status: 401 }),
      );
    };
    const { source, ends, ended } = connect(fetch);
    source.fail(2);
    await ended;
    expect(asked).toEqual([source.url]);
    expect(ends[0]).toMatchObject({ reason: 'refused', error: { code: 'unauthorized', status: 401 } });
  });
});
