import type { FeedInfo } from '@pulseboard/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PulseboardApi } from '../data/api';
import { listedSeries } from '../data/testing/listed-series';
import { FeedExplorer, GROUP_PREVIEW, SHOWN_LIMIT } from './explorer.svelte';
import { matchesSearch, parseSearch } from './feed-search';

function feed(name: string, v = 1): FeedInfo {
  return listedSeries(name, { rate: 20, last: { t: 1_000, v }, retained: 100 });
}

function series(key: string): FeedInfo {
  return listedSeries(key, { rate: 20, last: { t: 1_000, v: 1 }, retained: 100 });
}

/**
 * A stand-in for the server's two feed endpoints: the explorer's refresh timing
 * is what these tests check, and fake timers cannot drive a real socket.
 */
function fakeServer(initial: FeedInfo[]) {
  let feeds = initial;
  let status = 200;
  const requests: string[] = [];
  const fetch = vi.fn((input: string) => {
    const url = new URL(input, 'http://pulseboard.test');
    requests.push(`${url.pathname}${url.search}`);
    if (status !== 200) return Promise.resolve(Response.json({}, { status }));
    if (url.pathname === '/api/v1/feeds') {
      const match = url.searchParams.get('match');
      const listed =
        match === null ? feeds : feeds.filter((f) => matchesSearch(parseSearch(match), f.series ?? f.name));
      return Promise.resolve(Response.json(listed));
    }
    const name = decodeURIComponent(url.pathname.split('/')[4]);
    if (!feeds.some((f) => (f.series ?? f.name) === name)) {
      const body = { error: { code: 'feed_not_found', message: `no feed ${name}`, details: [] } };
      return Promise.resolve(Response.json(body, { status: 404 }));
    }
    return Promise.resolve(Response.json({ t: [1, 2], v: [3, 4] }));
  });
  return {
    api: new PulseboardApi('', fetch),
    requests,
    setFeeds(next: FeedInfo[]) {
      feeds = next;
    },
    setStatus(next: number) {
      status = next;
    },
    feedRequests: () => requests.filter((r) => !r.includes('/points')),
    pointRequests: () => requests.filter((r) => r.includes('/points')),
  };
}

describe('FeedExplorer', () => {
  let now = 1_000_000;
  const stops: (() => void)[] = [];

  beforeEach(() => {
    vi.useFakeTimers();
    now = 1_000_000;
  });
  afterEach(() => {
    stops.splice(0).forEach((stop) => stop());
    vi.useRealTimers();
  });

  function start(server: ReturnType<typeof fakeServer>) {
    const explorer = new FeedExplorer({ api: server.api, now: () => now });
    stops.push(explorer.listen());
    return explorer;
  }

  async function advance(ms: number) {
    now += ms;
    await vi.advanceTimersByTimeAsync(ms);
  }

  it('lists the feeds at once and again every 2 s', async () => {
    const server = fakeServer([feed('demo.a'), feed('demo.b')]);
    const explorer = start(server);
    await advance(0);
    expect(explorer.loaded).toBe(true);
    expect(explorer.feeds.map((f) => f.name)).toEqual(['demo.a', 'demo.b']);

    server.setFeeds([feed('demo.a'), feed('demo.b'), feed('pushed.one', 7)]);
    await advance(1_999);
    expect(explorer.feeds).toHaveLength(2);
    await advance(1);
    expect(explorer.feeds.map((f) => f.name)).toEqual(['demo.a', 'demo.b', 'pushed.one']);
    expect(server.feedRequests()).toHaveLength(2);
  });

  it('filters at once while typing and asks the server for a pattern after a pause', async () => {
    const server = fakeServer([feed('demo.cpu'), feed('demo.mem'), feed('host1.cpu')]);
    const explorer = start(server);
    await advance(0);

    explorer.setQuery('CPU');
    expect(explorer.feeds.map((f) => f.name)).toEqual(['demo.cpu', 'host1.cpu']);

    explorer.setQuery('demo.*');
    expect(explorer.feeds.map((f) => f.name)).toEqual(['demo.cpu', 'demo.mem']);
    await advance(250);
    expect(server.feedRequests().at(-1)).toBe('/api/v1/feeds?match=demo.*');
    expect(explorer.feeds.map((f) => f.name)).toEqual(['demo.cpu', 'demo.mem']);
  });

  it('shows a pattern problem inline and does not ask the server with it', async () => {
    const server = fakeServer([feed('demo.cpu')]);
    const explorer = start(server);
    await advance(0);
    const asked = server.feedRequests().length;

    explorer.setQuery('demo.>.cpu');
    expect(explorer.problem).toBe("'>' may only be the last segment");
    expect(explorer.feeds).toEqual([]);
    await advance(5_000);
    expect(server.feedRequests()).toHaveLength(asked);

    explorer.setQuery('demo.>');
    expect(explorer.problem).toBeUndefined();
    expect(explorer.feeds.map((f) => f.name)).toEqual(['demo.cpu']);
  });

  it('tells an empty server from a pattern that matches nothing', async () => {
    const server = fakeServer([]);
    const explorer = start(server);
    await advance(0);
    expect(explorer.serverEmpty).toBe(true);

    server.setFeeds([feed('demo.cpu')]);
    await advance(2_000);
    expect(explorer.serverEmpty).toBe(false);

    explorer.setQuery('nothing.*');
    await advance(250);
    expect(explorer.feeds).toEqual([]);
    expect(explorer.serverEmpty).toBe(false);
  });

  it('keeps the last list and reports the error when the server fails', async () => {
    const server = fakeServer([feed('demo.cpu')]);
    const explorer = start(server);
    await advance(0);
    server.setStatus(503);
    await advance(2_000);
    expect(explorer.error).toBe('the server answered 503');
    expect(explorer.feeds).toHaveLength(1);

    server.setStatus(200);
    await advance(2_000);
    expect(explorer.error).toBeUndefined();
  });

  it('draws at most SHOWN_LIMIT rows and counts the rest', async () => {
    const many = Array.from({ length: SHOWN_LIMIT + 5 }, (_, i) => feed(`f.${String(i).padStart(4, '0')}`));
    const explorer = start(fakeServer(many));
    await advance(0);
    expect(explorer.feeds).toHaveLength(SHOWN_LIMIT);
    expect(explorer.matchCount).toBe(SHOWN_LIMIT + 5);
  });

  it('groups series by name, with label keys, value counts and series counts', async () => {
    const server = fakeServer([
      series('cpu.usage{host="a"}'),
      series('cpu.usage{host="b"}'),
      series('cpu.usage{dc="eu",host="a"}'),
      feed('mem.used'),
    ]);
    const explorer = start(server);
    await advance(0);
    expect(
      explorer.groups.map(({ group, rows, hidden }) => ({
        name: group.name,
        labels: group.labels,
        rows: rows.map((row) => row.series),
        hidden,
      })),
    ).toEqual([
      {
        name: 'cpu.usage',
        labels: [
          { key: 'dc', values: 1 },
          { key: 'host', values: 2 },
        ],
        rows: ['cpu.usage{dc="eu",host="a"}', 'cpu.usage{host="a"}', 'cpu.usage{host="b"}'],
        hidden: 0,
      },
      { name: 'mem.used', labels: [], rows: ['mem.used'], hidden: 0 },
    ]);
    expect([explorer.nameCount, explorer.matchCount]).toEqual([2, 4]);
  });

  it('filters by label at once, asking the server for the name pattern only', async () => {
    const server = fakeServer([
      series('cpu.usage{host="a"}'),
      series('cpu.usage{host="b"}'),
      series('cpu.idle{host="a"}'),
      series('mem.used{host="a"}'),
    ]);
    const explorer = start(server);
    await advance(0);
    explorer.setQuery('cpu.*{host="a"}');
    expect(explorer.feeds.map((f) => f.series)).toEqual(['cpu.idle{host="a"}', 'cpu.usage{host="a"}']);
    await advance(250);
    expect(server.feedRequests().at(-1)).toBe('/api/v1/feeds?match=cpu.*');
    expect(explorer.feeds.map((f) => f.series)).toEqual(['cpu.idle{host="a"}', 'cpu.usage{host="a"}']);

    explorer.setQuery('{host=~"b|c"}');
    expect(explorer.feeds.map((f) => f.series)).toEqual(['cpu.usage{host="b"}']);
    explorer.setQuery('cpu.*{host="a"');
    expect(explorer.problem).toBe("',' or '}' expected at character 15");
  });

  it('shows the first series of a name until it is opened up', async () => {
    const hosts = Array.from({ length: GROUP_PREVIEW + 3 }, (_, i) =>
      series(`cpu{host="h${String(i).padStart(2, '0')}"}`),
    );
    const explorer = start(fakeServer(hosts));
    await advance(0);
    expect(explorer.groups[0].rows).toHaveLength(GROUP_PREVIEW);
    expect(explorer.groups[0].hidden).toBe(3);
    explorer.toggle('cpu');
    expect(explorer.opened('cpu')).toBe(true);
    expect(explorer.groups[0].rows).toHaveLength(GROUP_PREVIEW + 3);
  });

  it('asks for a series’ sparkline by its URL-encoded key', async () => {
    const server = fakeServer([series('cpu.usage{host="a/b"}')]);
    const explorer = start(server);
    await advance(0);
    explorer.setVisible('cpu.usage{host="a/b"}', true);
    await advance(100);
    expect(server.pointRequests()[0]).toMatch(/^\/api\/v1\/feeds\/cpu\.usage%7Bhost%3D%22a%2Fb%22%7D\/points\?/);
    expect(explorer.sparkline('cpu.usage{host="a/b"}')).toMatchObject({ t: [1, 2], v: [3, 4] });
  });

  it('fetches sparklines of the last minute only for visible rows, at most every 2 s', async () => {
    const server = fakeServer([feed('demo.a'), feed('demo.b'), feed('demo.c')]);
    const explorer = start(server);
    await advance(0);
    expect(server.pointRequests()).toEqual([]);

    explorer.setVisible('demo.a', true);
    explorer.setVisible('demo.b', true);
    await advance(100);
    const from = now - 60_000;
    expect(server.pointRequests()).toEqual([
      `/api/v1/feeds/demo.a/points?from=${from}&maxPoints=60`,
      `/api/v1/feeds/demo.b/points?from=${from}&maxPoints=60`,
    ]);
    expect(explorer.sparkline('demo.a')).toMatchObject({ t: [1, 2], v: [3, 4] });
    expect(explorer.sparkline('demo.c')).toBeUndefined();

    // scrolling back and forth within 2 s asks nothing again
    explorer.setVisible('demo.a', false);
    explorer.setVisible('demo.a', true);
    await advance(500);
    expect(server.pointRequests()).toHaveLength(2);

    // the refresh at 2 s is too soon after the first request; the one at 4 s asks for the rows still on screen
    explorer.setVisible('demo.b', false);
    await advance(1_400);
    expect(server.pointRequests()).toHaveLength(2);
    await advance(2_000);
    expect(server.pointRequests()).toHaveLength(3);
    expect(server.pointRequests().at(-1)).toContain('/demo.a/');
  });

  it('draws a feed that left retention as empty', async () => {
    const server = fakeServer([feed('demo.a')]);
    const explorer = start(server);
    await advance(0);
    server.setFeeds([]);
    explorer.setVisible('demo.a', true);
    await advance(100);
    expect(explorer.sparkline('demo.a')).toMatchObject({ t: [], v: [] });
  });

  it('stops asking after cleanup', async () => {
    const server = fakeServer([feed('demo.a')]);
    const explorer = new FeedExplorer({ api: server.api, now: () => now });
    const stop = explorer.listen();
    await advance(0);
    explorer.setVisible('demo.a', true);
    stop();
    await advance(10_000);
    expect(server.requests).toHaveLength(1);
  });
});
