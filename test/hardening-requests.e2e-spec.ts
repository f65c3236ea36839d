import { connect as connectTcp } from 'node:net';
import type { PollResponse } from '@pulseboard/protocol';
import { describe, expect, it } from 'vitest';
import { hardenedSuite } from './support/hardened-suite.js';
import { getJson, ingest } from './support/http.js';
import { metricValue } from './support/metrics.js';
import { startServer } from './support/server.js';

/** Writes `requests` on one raw connection and resolves with all it received once the server closed it. */
function exchange(url: string, requests: string, timeoutMs = 10_000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connectTcp(Number(port), hostname);
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the connection was still open after ${timeoutMs} ms; received ${JSON.stringify(received)}`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.once('error', reject);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.write(requests);
  });
}

const head = (path: string, connection = 'close'): string =>
  `HEAD ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: ${connection}\r\n\r\n`;

describe('HEAD on streams', () => {
  const suite = hardenedSuite(() => startServer());
  const sseConnections = (): Promise<number> =>
    metricValue(suite.server.url, 'pulseboard_connections{transport="sse"}');

  it.each(['/api/v1/stream?feeds=head.a', '/api/v1/feeds/head.a/stream'])(
    'answers HEAD %s with the stream’s head alone, then is done',
    async (path) => {
      const streams = await sseConnections();
      await ingest(suite.server.url, [{ feed: 'head.a', v: 1 }]);
      const answer = await exchange(suite.server.url, head(path));
      const [statusLine, ...rest] = answer.split('\r\n');
      expect(statusLine).toBe('HTTP/1.1 200 OK');
      expect(rest.join('\n').toLowerCase()).toContain('content-type: text/event-stream');
      // nothing after the head: no `retry:`, `event:` or `data:` bytes
      expect(answer.endsWith('\r\n\r\n')).toBe(true);
      expect(answer).not.toMatch(/event:|data:|retry:/);
      expect(await sseConnections()).toBe(streams);
      await suite.bystander.stillServes();
    },
  );

  it('keeps a kept-alive connection usable after a HEAD on a stream', async () => {
    const answer = await exchange(
      suite.server.url,
      head('/api/v1/stream?feeds=head.b', 'keep-alive') +
        'GET /api/v1/feeds?match=head.%3E HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    const statuses = answer.split('\r\n').filter((line) => line.startsWith('HTTP/1.1 '));
    expect(statuses).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    await suite.bystander.stillServes();
  });

  it('refuses a HEAD with what the GET would be refused with', async () => {
    const answer = await exchange(suite.server.url, head('/api/v1/stream?feeds=bad..name'));
    expect(answer.startsWith('HTTP/1.1 400 ')).toBe(true);
    await suite.bystander.stillServes();
  });

  it('answers HEAD on a poll with a cursor at once instead of holding it', async () => {
    const { body } = await getJson<PollResponse>(`${suite.server.url}/api/v1/poll?feeds=head.c`);
    const answer = await exchange(suite.server.url, head(`/api/v1/poll?feeds=head.c&cursor=${body.cursor}`), 5_000);
    expect(answer.startsWith('HTTP/1.1 200 OK')).toBe(true);
    await suite.bystander.stillServes();
  });
});

describe('a cursor from the future', () => {
  const suite = hardenedSuite(() => startServer());
  const future = async (feeds: string): Promise<string> => {
    const { body } = await getJson<PollResponse>(`${suite.server.url}/api/v1/poll?feeds=${feeds}`);
    return `${body.cursor.split('-')[0]}-zzzzzzzz`;
  };

  it('starts a stream over with an epoch gap and what is retained, then live points', async () => {
    await ingest(suite.server.url, [{ feed: 'future.a', v: 1 }]);
    const stream = await suite.stream(`/api/v1/stream?feeds=future.a&lastEventId=${await future('future.a')}`);
    expect(stream.status).toBe(200);
    await stream.untilPoints('future.a', 1);
    expect(JSON.parse(stream.named('gap')[0].data)).toEqual({ feeds: ['future.a'], reason: 'epoch' });
    await ingest(suite.server.url, [{ feed: 'future.a', v: 2 }]);
    await stream.untilPoints('future.a', 2);
    expect(stream.points('future.a').v).toEqual([1, 2]);
    // and its cursor is one of this log again: resuming from it yields what follows
    await ingest(suite.server.url, [{ feed: 'future.a', v: 3 }]);
    const resumed = await suite.stream(`/api/v1/stream?feeds=future.a&lastEventId=${stream.lastId()}`);
    await resumed.untilPoints('future.a', 1);
    expect(resumed.points('future.a').v).toEqual([3]);
    expect(resumed.named('gap')).toEqual([]);
    await suite.bystander.stillServes();
  });

  it('answers a poll at once with the gap and what is retained instead of holding it to its timeout', async () => {
    await ingest(suite.server.url, [{ feed: 'future.b', v: 7 }]);
    const cursor = await future('future.b');
    const started = Date.now();
    const { status, body } = await getJson<PollResponse>(
      `${suite.server.url}/api/v1/poll?feeds=future.b&cursor=${cursor}&timeoutMs=60000`,
    );
    expect(status).toBe(200);
    expect(body.gap).toEqual({ feeds: ['future.b'], reason: 'epoch' });
    expect(body.feeds['future.b']?.v).toEqual([7]);
    expect(Date.now() - started).toBeLessThan(30_000);
    await suite.bystander.stillServes();
  });

  it('starts a socket subscription over with the gap', async () => {
    await ingest(suite.server.url, [{ feed: 'future.c', v: 5 }]);
    const socket = await suite.socket();
    const ack = await socket.ack('subscribe', { feeds: ['future.c'], cursor: await future('future.c') });
    expect(ack).toMatchObject({ ok: true });
    await socket.untilValues('future.c', 1);
    expect(socket.named('gap')).toEqual([{ feeds: ['future.c'], reason: 'epoch' }]);
    expect(socket.values('future.c')).toEqual([5]);
    await suite.bystander.stillServes();
  });
});
