/*
 * The fetch connector reading real `Response` objects whose bodies the spec
 * writes chunk by chunk: that is how events split across network reads are
 * produced on cue. The e2e specs read a real server with it.
 */
import { describe, expect, it } from 'vitest';
import type { FetchLike } from '../platform.js';
import type { SseEnd, SseHandlers, SseMessage } from './sse-connector.js';
import { FetchSseConnector } from './fetch-sse.connector.js';

interface Recorded {
  opened: number;
  messages: SseMessage[];
  comments: string[];
  ends: SseEnd[];
  handlers: SseHandlers;
  ended: Promise<void>;
}

function record(): Recorded {
  let done = (): void => undefined;
  const recorded: Recorded = {
    opened: 0,
    messages: [],
    comments: [],
    ends: [],
    ended: new Promise((resolve) => (done = resolve)),
    handlers: {
      onOpen: () => recorded.opened++,
      onMessage: (message) => recorded.messages.push(message),
      onComment: (comment) => recorded.comments.push(comment),
      onEnd: (end) => {
        recorded.ends.push(end);
        done();
      },
    },
  };
  return recorded;
}

/** A stream body the spec writes to. */
function body(): { stream: ReadableStream<Uint8Array>; write: (text: string) => void; end: () => void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => (controller = c) });
  const encoder = new TextEncoder();
  return { stream, write: (text) => controller.enqueue(encoder.encode(text)), end: () => controller.close() };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('FetchSseConnector', () => {
  it('sends the token and cursor as headers and parses events split across reads', async () => {
    const { stream, write, end } = body();
    const requests: { url: string; init: RequestInit }[] = [];
    const fetch: FetchLike = (url, init) => {
      requests.push({ url, init });
      return Promise.resolve(new Response(stream, { headers: { 'content-type': 'text/event-stream' } }));
    };
    const recorded = record();
    new FetchSseConnector({ fetch }).open(
      { url: 'http://pulse.test/api/v1/stream?feeds=a', lastEventId: 'c-1', token: 'secret' },
      recorded.handlers,
    );
    write('retry: 2000\nevent: hello\ndata: {"session":"s","batchMs":50}\n\n: h');
    write('b\n\nid: c-2\nevent: poi');
    write('nts\ndata: {"feeds":{}}\n\n');
    end();
    await recorded.ended;
    expect(requests[0].url).toBe('http://pulse.test/api/v1/stream?feeds=a');
    expect(requests[0].init.headers).toMatchObject({
      accept: 'text/event-stream',
      authorization: 'Bearer secret',
      'last-event-id': 'c-1',
    });
    expect(recorded.opened).toBe(1);
    expect(recorded.messages).toEqual([
      { event: 'hello', data: '{"session":"s","batchMs":50}', id: undefined },
      { event: 'points', data: '{"feeds":{}}', id: 'c-2' },
    ]);
    expect(recorded.comments).toEqual(['hb']);
    expect(recorded.ends).toEqual([{ reason: 'ended' }]);
  });

  it('reports a refusal with the status and the contract error code', async () => {
    const fetch: FetchLike = () =>
      Promise.resolve(
        Response.json(
          { error: { code: 'invalid_pattern', message: 'bad', details: [{ field: 'feeds', reason: 'x' }] } },
          { status: 400 },
        ),
      );
    const recorded = record();
    new FetchSseConnector({ fetch }).open({ url: 'http://pulse.test/s' }, recorded.handlers);
    await recorded.ended;
    expect(recorded.opened).toBe(0);
    const [end] = recorded.ends;
    expect(end.reason).toBe('refused');
    if (end.reason !== 'refused') return;
    expect(end.error).toMatchObject({
      code: 'invalid_pattern',
      status: 400,
      details: [{ field: 'feeds', reason: 'x' }],
    });
  });

  it('reports a failed request as broken', async () => {
    const fetch: FetchLike = () => Promise.reject(new TypeError('fetch failed'));
    const recorded = record();
    new FetchSseConnector({ fetch }).open({ url: 'http://pulse.test/s' }, recorded.handlers);
    await recorded.ended;
    expect(recorded.ends[0]).toMatchObject({ reason: 'broken', error: { code: 'network_error' } });
  });

  it('goes silent once closed, even for events already read', async () => {
    const { stream, write } = body();
    let aborted = false;
    const fetch: FetchLike = (_url, init) => {
      init.signal?.addEventListener('abort', () => (aborted = true));
      return Promise.resolve(new Response(stream));
    };
    const recorded = record();
    const handle = new FetchSseConnector({ fetch }).open({ url: 'http://pulse.test/s' }, recorded.handlers);
    write('event: hello\ndata: {}\n\n');
    await tick();
    handle.close();
    write('event: points\ndata: {}\n\n');
    await tick();
    expect(recorded.messages.map((m) => m.event)).toEqual(['hello']);
    expect(recorded.ends).toEqual([]);
    expect(aborted).toBe(true);
  });
});
