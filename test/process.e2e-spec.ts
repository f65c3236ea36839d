import { afterEach, describe, expect, it } from 'vitest';
import { ControlClient } from './support/control-client.js';
import { ingest } from './support/http.js';
import { ServerProcess } from './support/server-process.js';
import { SseClient } from './support/sse-client.js';

describe('the server process', () => {
  const running: ServerProcess[] = [];
  const clients: SseClient[] = [];
  const start = async (env: Record<string, string> = {}): Promise<ServerProcess> => {
    const server = await ServerProcess.start(env);
    running.push(server);
    return server;
  };
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(running.splice(0).map((s) => s.stop('SIGKILL')));
  });

  it('ends open streams on SIGTERM, so clients reconnect, and exits cleanly within 10 s', async () => {
    const server = await start();
    const streams = await Promise.all([1, 2, 3].map(() => SseClient.open(`${server.url}/api/v1/stream?feeds=x`)));
    clients.push(...streams);
    await Promise.all(streams.map((s) => s.until((c) => c.events.length >= 1)));
    const signalled = Date.now();
    const code = await server.stop('SIGTERM');
    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    await Promise.all(streams.map((s) => s.until((c) => c.ended, 5000, 'the stream to end')));
    expect(server.output.join('\n')).toContain('shutting down');
  });

  it('disconnects control sockets on SIGTERM, those with data and those without, and exits cleanly', async () => {
    const server = await start();
    const [withData, controlOnly] = await Promise.all([1, 2].map(() => ControlClient.connect(server.url)));
    try {
      expect(await withData.ack('subscribe', { feeds: ['x'] })).toMatchObject({ ok: true });
      expect(await controlOnly.ack('join', { dashboard: 'd' })).toMatchObject({ ok: true });
      expect(await server.stop('SIGTERM')).toBe(0);
      await Promise.all([withData.untilDisconnected(), controlOnly.untilDisconnected()]);
      expect(withData.disconnectReason).toBe('io server disconnect');
    } finally {
      withData.close();
      controlOnly.close();
    }
  });

  it('tells a client resuming after a restart that its cursor is from a past epoch, then streams anew', async () => {
    const first = await start();
    const before = await SseClient.open(`${first.url}/api/v1/stream?feeds=r.a`);
    clients.push(before);
    await before.until((c) => c.events.length >= 1);
    await ingest(first.url, [{ feed: 'r.a', v: 1 }]);
    await before.untilPoints('r.a', 1);
    const cursor = before.lastId()!;
    await first.stop('SIGTERM');

    const second = await start();
    await ingest(second.url, [{ feed: 'r.a', v: 2 }]);
    const after = await SseClient.open(`${second.url}/api/v1/stream?feeds=r.a`, { 'last-event-id': cursor });
    clients.push(after);
    await after.untilPoints('r.a', 1);
    expect(after.named('gap').map((e) => JSON.parse(e.data) as unknown)).toEqual([{ feeds: ['r.a'], reason: 'epoch' }]);
    expect(after.points('r.a').v).toEqual([2]);
  });

  it('fails fast on bad configuration, naming the variable', async () => {
    await expect(ServerProcess.start({ BATCH_MS: 'soon' }, 10_000)).rejects.toThrow(/BATCH_MS must be an integer/);
  });

  it('keeps memory bounded when clients stop reading, and still serves a reading client within 1 s', async () => {
    // Ten feeds of at most 20,000 points: retention holds at most 200,000 points (~5 MB),
    // so memory can only grow with what is held per connection.
    const server = await start({ RETENTION_POINTS: '20000' });
    const feeds = Array.from({ length: 10 }, (_, i) => `slow.f${i}`);
    const stalled = await Promise.all(
      Array.from({ length: 20 }, () => SseClient.open(`${server.url}/api/v1/stream?feeds=slow.>`)),
    );
    clients.push(...stalled);
    await Promise.all(stalled.map((s) => s.until((c) => c.events.length >= 1)));
    for (const client of stalled) client.pause();
    const reader = await SseClient.open(`${server.url}/api/v1/stream?feeds=slow.f0`);
    clients.push(reader);
    await reader.until((c) => c.events.length >= 1);

    const rssBefore = server.rss();
    let ingestedBytes = 0;
    let batch = 0;
    let worstLatencyMs = 0;
    while (ingestedBytes < 50 * 1024 * 1024) {
      batch++;
      const points = [];
      for (let i = 0; i < 10_000; i++) points.push({ feed: feeds[i % 10], t: batch, v: batch * 1_000_000 + i });
      const body = JSON.stringify({ points });
      ingestedBytes += body.length;
      const sent = Date.now();
      await ingest(server.url, points);
      const last = batch * 1_000_000 + 9990;
      await reader.until((c) => c.points('slow.f0').v.at(-1) === last, 5000, `batch ${batch}`);
      worstLatencyMs = Math.max(worstLatencyMs, Date.now() - sent);
    }
    const growth = server.rss() - rssBefore;
    // Queuing per connection would hold 20 × 50 MB = 1 GB here.
    expect(growth).toBeLessThan(150 * 1024 * 1024);
    expect(worstLatencyMs).toBeLessThan(1000);
    expect(reader.points('slow.f0').v).toHaveLength(batch * 1000);
  });
});
