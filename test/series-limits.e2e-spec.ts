import type { FeedChunk } from '@pulseboard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, getJson, ingest, post } from './support/http.js';
import { metricValue } from './support/metrics.js';
import { startServer, type TestServer } from './support/server.js';

describe('series limits', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ MAX_SERIES: '5', MAX_SERIES_PER_NAME: '2' });
    await ingest(server.url, [
      { feed: 'kept.a', v: 1 },
      { feed: 'kept.b', v: 2 },
    ]);
  });
  afterAll(() => server.close());

  const points = (url: string) => getJson<FeedChunk>(`${server.url}/api/v1/feeds/${encodeURIComponent(url)}/points`);

  it('refuses a batch that would pass MAX_SERIES whole, and keeps the series already there', async () => {
    const res = await post(
      server.url,
      JSON.stringify({ points: ['kept.a', 'new.a', 'new.b', 'new.c', 'new.d'].map((feed) => ({ feed, v: 9 })) }),
      'application/json',
    );
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('too_many_series');
    expect((res.body as { error: { message: string } }).error.message).toBe(
      'this batch would create 4 new series past MAX_SERIES (5; 2 series exist); nothing was stored',
    );
    expect((await points('kept.a')).body).toMatchObject({ v: [1] });
    expect((await points('new.a')).status).toBe(404);
    expect(await metricValue(server.url, 'pulseboard_refusals_total{code="too_many_series"}')).toBe(1);
    expect(await metricValue(server.url, 'pulseboard_feeds')).toBe(2);
  });

  it('refuses a label explosion on one name past MAX_SERIES_PER_NAME, and takes points for series it has', async () => {
    const labelled = (host: string) => ({ feed: 'cpu', labels: { host }, v: 1 });
    await ingest(server.url, [labelled('a'), labelled('b')]);
    const res = await post(server.url, JSON.stringify({ points: [labelled('a'), labelled('c')] }), 'application/json');
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('too_many_series');
    expect((res.body as { error: { message: string } }).error.message).toContain(
      'past MAX_SERIES_PER_NAME (2; cpu has 2 series)',
    );
    await ingest(server.url, [labelled('a'), labelled('b')]);
    expect((await points('cpu{host="a"}')).body).toMatchObject({ v: [1, 1] });
    expect(await metricValue(server.url, 'pulseboard_refusals_total{code="too_many_series"}')).toBe(2);
  });
});
