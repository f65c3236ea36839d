import type { DashboardDocument } from '@pulseboard/protocol';
import { describe, expect, it, vi } from 'vitest';
import { PulseboardApi } from '../data/api';
import { listedSeries } from '../data/testing/listed-series';
import { DashboardManager } from './dashboard-manager.svelte';

interface Call {
  method: string;
  url: string;
  body?: DashboardDocument;
}

/** A scripted server: dashboards in a map, a feed list, and PUTs that answer when the test lets them. */
function server(options: { saved?: Record<string, DashboardDocument>; feeds?: string[][] } = {}) {
  const calls: Call[] = [];
  const held: (() => void)[] = [];
  let holdPuts = false;
  const feedLists = options.feeds ?? [[]];
  const fetcher = (url: string, init?: RequestInit): Promise<Response> => {
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as DashboardDocument) : undefined;
    calls.push({ method, url, body });
    if (url.includes('/api/v1/feeds')) {
      const names = feedLists.length > 1 ? feedLists.shift()! : feedLists[0];
      return Promise.resolve(Response.json(names.map((key) => listedSeries(key))));
    }
    if (url.endsWith('/api/v1/dashboards')) {
      const summaries = Object.entries(options.saved ?? {}).map(([id, { title, panels }]) => ({
        id,
        title,
        panels: panels.length,
        updatedAt: 2,
      }));
      return Promise.resolve(Response.json(summaries));
    }
    const id = decodeURIComponent(url.split('/').pop()!);
    if (method === 'PUT') {
      const answer = () => Response.json({ ...body, id, createdAt: 1, updatedAt: 2 });
      if (!holdPuts) return Promise.resolve(answer());
      return new Promise((resolve) => held.push(() => resolve(answer())));
    }
    const saved = options.saved?.[id];
    if (saved === undefined) {
      return Promise.resolve(
        Response.json({ error: { code: 'dashboard_not_found', message: 'no', details: [] } }, { status: 404 }),
      );
    }
    return Promise.resolve(Response.json({ ...saved, id, createdAt: 1, updatedAt: 2 }));
  };
  return {
    api: new PulseboardApi('http://pulse.test', fetcher),
    calls,
    puts: () => calls.filter((call) => call.method === 'PUT'),
    hold: () => (holdPuts = true),
    release: () => {
      holdPuts = false;
      for (const answer of held.splice(0)) answer();
    },
  };
}

const saved: DashboardDocument = {
  title: 'Ops',
  window: '5m',
  panels: [{ id: 'a', kind: 'timeseries', title: 'A', unit: '', feeds: ['a.b'], x: 0, y: 0, w: 6, h: 4 }],
};

describe('DashboardManager', () => {
  it('loads a saved dashboard without saving it again', async () => {
    const fake = server({ saved: { ops: saved } });
    const manager = new DashboardManager(fake.api, 'ops');
    const stop = manager.listen();
    await vi.waitFor(() => expect(manager.status).toBe('ready'));
    expect(manager.document).toEqual(saved);
    expect(manager.saveState).toBe('saved');
    stop();
    expect(fake.puts()).toEqual([]);
  });

  it('builds the default home from the feeds, and saves it on the first edit only', async () => {
    const fake = server({ feeds: [['b.two', 'a.one', 'c.three']] });
    const manager = new DashboardManager(fake.api, 'home');
    manager.listen();
    await vi.waitFor(() => expect(manager.status).toBe('ready'));
    expect(manager.document.title).toBe('Overview');
    expect(manager.document.panels.map((p) => p.feeds[0])).toEqual(['a.one', 'b.two', 'c.three']);
    expect(manager.saveState).toBe('unsaved');
    expect(fake.puts()).toEqual([]);

    manager.setWindow('15m');
    expect(manager.saveState).toBe('saving');
    await vi.waitFor(() => expect(manager.saveState).toBe('saved'));
    expect(fake.puts()).toHaveLength(1);
    expect(fake.puts()[0].url).toBe('http://pulse.test/api/v1/dashboards/home');
    expect(fake.puts()[0].body).toEqual({ ...manager.document, window: '15m' });
  });

  it('asks for home only once the list names it, so that a fresh server answers no 404', async () => {
    const fresh = server({ feeds: [['a.one']] });
    const manager = new DashboardManager(fresh.api, 'home');
    manager.listen();
    await vi.waitFor(() => expect(manager.status).toBe('ready'));
    expect(fresh.calls.map((call) => call.url)).not.toContain('http://pulse.test/api/v1/dashboards/home');

    const savedHome = server({ saved: { home: saved } });
    const reopened = new DashboardManager(savedHome.api, 'home');
    reopened.listen();
    await vi.waitFor(() => expect(reopened.status).toBe('ready'));
    expect(reopened.document).toEqual(saved);
    expect(reopened.saveState).toBe('saved');
  });

  it('waits for a feed of one’s own (the server’s metrics do not count), then builds the default', async () => {
    const fake = server({ feeds: [[], ['pulseboard.feeds'], ['pulseboard.feeds', 'x.y']] });
    const manager = new DashboardManager(fake.api, 'home', { feedPollMs: 150 });
    manager.listen();
    await vi.waitFor(() => expect(manager.status).toBe('no-feeds'));
    await vi.waitFor(() => expect(manager.status).toBe('ready'));
    expect(manager.document.panels.map((p) => p.feeds)).toEqual([['x.y']]);
  });

  it('charts the server’s own metrics on request while there is nothing else', async () => {
    const fake = server({ feeds: [['pulseboard.feeds', 'pulseboard.cpu.percent']] });
    const manager = new DashboardManager(fake.api, 'home', { feedPollMs: 1_000 });
    const stop = manager.listen();
    await vi.waitFor(() => expect(manager.status).toBe('no-feeds'));
    expect(manager.serverMetrics).toEqual(['pulseboard.feeds', 'pulseboard.cpu.percent']);
    manager.showServerMetrics();
    expect(manager.status).toBe('ready');
    expect(manager.document.panels.map((p) => p.feeds[0])).toEqual(['pulseboard.cpu.percent', 'pulseboard.feeds']);
    stop();
  });

  it('says a dashboard is missing, and creates it on request', async () => {
    const fake = server();
    const manager = new DashboardManager(fake.api, 'team-a');
    manager.listen();
    await vi.waitFor(() => expect(manager.status).toBe('missing'));
    manager.create();
    await vi.waitFor(() => expect(manager.saveState).toBe('saved'));
    expect(fake.puts()[0].body).toEqual({ title: 'team-a', window: '5m', panels: [] });
  });

  it('debounces moves into one save, and saves a change made during a save right after it', async () => {
    const fake = server({ saved: { ops: saved } });
    const manager = new DashboardManager(fake.api, 'ops', { saveDelayMs: 20 });
    manager.listen();
    await vi.waitFor(() => expect(manager.status).toBe('ready'));

    manager.movePanel('a', 1, 0);
    manager.movePanel('a', 1, 0);
    manager.resizePanel('a', -1, 1);
    expect(manager.saveState).toBe('unsaved');
    fake.hold();
    await vi.waitFor(() => expect(manager.saveState).toBe('saving'));
    expect(fake.puts()).toHaveLength(1);
    expect(fake.puts()[0].body?.panels[0]).toMatchObject({ x: 2, w: 5, h: 5 });

    manager.setTitle('Ops room');
    expect(manager.saveState).toBe('saving');
    fake.release();
    await vi.waitFor(() => expect(fake.puts()).toHaveLength(2));
    fake.release();
    await vi.waitFor(() => expect(manager.saveState).toBe('saved'));
    expect(fake.puts()[1].body?.title).toBe('Ops room');
  });

  it('keeps the change and says unsaved when the server refuses it', async () => {
    const fake = server({ saved: { ops: saved } });
    const manager = new DashboardManager(
      new PulseboardApi('http://pulse.test', (url, init) =>
        init?.method === 'PUT'
          ? Promise.resolve(
              Response.json(
                { error: { code: 'invalid_body', message: 'title too long', details: [] } },
                { status: 400 },
              ),
            )
          : fake.api.dashboard('ops').then((d) => Response.json(d)),
      ),
      'ops',
    );
    manager.listen();
    await vi.waitFor(() => expect(manager.status).toBe('ready'));
    manager.setWindow('1h');
    await vi.waitFor(() => expect(manager.saveState).toBe('unsaved'));
    expect(manager.problem).toBe('Not saved: title too long');
    expect(manager.document.window).toBe('1h');
  });

  it('says a viewer cannot change a dashboard whose save is refused (403), and still saves a copy as new', async () => {
    const fake = server({ saved: { ops: saved } });
    const created: DashboardDocument[] = [];
    const manager = new DashboardManager(
      new PulseboardApi('http://pulse.test', (url, init) => {
        if (init?.method === 'PUT')
          return Promise.resolve(
            Response.json(
              { error: { code: 'forbidden', message: 'viewers may only change their own dashboards', details: [] } },
              { status: 403 },
            ),
          );
        if (init?.method === 'POST') {
          created.push(JSON.parse(init.body as string) as DashboardDocument);
          return Promise.resolve(
            Response.json({ ...created[0], id: 'mine', createdAt: 3, updatedAt: 3 }, { status: 201 }),
          );
        }
        return fake.api.dashboard('ops').then((d) => Response.json(d));
      }),
      'ops',
    );
    manager.listen();
    await vi.waitFor(() => expect(manager.status).toBe('ready'));
    expect(manager.forbidden).toBe(false);

    manager.setWindow('1h');
    await vi.waitFor(() => expect(manager.saveState).toBe('unsaved'));
    expect(manager.forbidden).toBe(true);
    expect(manager.problem).toBe('You can view this dashboard but not change it');
    expect(manager.document.window).toBe('1h');

    await expect(manager.saveAsNew('Ops (mine)')).resolves.toBe('mine');
    expect(created).toEqual([{ ...saved, title: 'Ops (mine)', window: '1h' }]);
  });

  it('builds the default home with one panel per feed name, however many series it has', async () => {
    const fake = server({ feeds: [['cpu.usage{host="b"}', 'cpu.usage{host="a"}', 'mem.used']] });
    const manager = new DashboardManager(fake.api, 'home');
    manager.listen();
    await vi.waitFor(() => expect(manager.status).toBe('ready'));
    expect(manager.document.panels.map((p) => p.feeds)).toEqual([['cpu.usage'], ['mem.used']]);
    expect(manager.feedNames).toEqual(['cpu.usage', 'mem.used']);
  });

  it('saves a chart’s grouping at once, leaving the default aggregate out', async () => {
    const fake = server({ saved: { ops: saved } });
    const manager = new DashboardManager(fake.api, 'ops');
    manager.listen();
    await vi.waitFor(() => expect(manager.status).toBe('ready'));
    manager.setGrouping('a', { groupBy: 'host', aggregate: 'sum' });
    await vi.waitFor(() => expect(manager.saveState).toBe('saved'));
    expect(fake.puts().at(-1)?.body?.panels[0]).toMatchObject({ groupBy: 'host', aggregate: 'sum' });

    manager.setGrouping('a', { groupBy: undefined, aggregate: 'avg' });
    await vi.waitFor(() => expect(manager.saveState).toBe('saved'));
    expect(fake.puts().at(-1)?.body?.panels[0]).toEqual(saved.panels[0]);
    // nothing changes, nothing is saved
    manager.setGrouping('a', { groupBy: undefined, aggregate: 'avg' });
    expect(fake.puts()).toHaveLength(2);

    const id = manager.addPanel({
      kind: 'timeseries',
      title: 'CPU',
      unit: '%',
      feeds: ['cpu.usage{dc=~"eu-.*"}'],
      groupBy: 'host',
      aggregate: 'avg',
    });
    const added = manager.document.panels.find((p) => p.id === id);
    expect(added).toMatchObject({ feeds: ['cpu.usage{dc=~"eu-.*"}'], groupBy: 'host' });
    expect(added).not.toHaveProperty('aggregate');
  });

  it('adds a panel below the others with a free id', async () => {
    const fake = server({ saved: { ops: saved } });
    const manager = new DashboardManager(fake.api, 'ops');
    manager.listen();
    await vi.waitFor(() => expect(manager.status).toBe('ready'));
    const id = manager.addPanel({ kind: 'stat', title: 'Errors', unit: '/s', feeds: ['api.errors'] });
    expect(manager.document.panels.find((p) => p.id === id)).toMatchObject({ x: 0, y: 4, w: 3, h: 2 });
    manager.removePanel('a');
    expect(manager.document.panels.map((p) => p.id)).toEqual([id]);
  });
});
