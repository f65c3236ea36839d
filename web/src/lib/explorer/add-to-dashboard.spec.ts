import type { Dashboard, DashboardDocument, DashboardSummary, Panel } from '@pulseboard/protocol';
import { describe, expect, it, vi } from 'vitest';
import { PulseboardApi } from '../data/api';
import { SavedDashboards } from '../shell/saved-dashboards';
import { AddToDashboard } from './add-to-dashboard.svelte';
import { feedPanel, withFeedPanel } from './feed-panel';

const panel = (id: string, y: number, h: number): Panel => ({ ...feedPanel('x'), id, y, h, w: 6 });

describe('withFeedPanel', () => {
  it('puts a full-width chart of the feed below every other panel', () => {
    const document: DashboardDocument = {
      title: 'Ops',
      window: '15m',
      panels: [panel('a', 0, 4), panel('feed-1', 2, 6), panel('c', 4, 2)],
    };
    const next = withFeedPanel(document, 'host1.cpu');
    expect(next.title).toBe('Ops');
    expect(next.window).toBe('15m');
    expect(next.panels.slice(0, 3)).toEqual(document.panels);
    expect(next.panels[3]).toEqual({
      id: 'feed-2',
      kind: 'timeseries',
      title: 'host1.cpu',
      unit: '',
      feeds: ['host1.cpu'],
      x: 0,
      y: 8,
      w: 12,
      h: 8,
    });
  });

  it('starts at the top of an empty dashboard', () => {
    expect(withFeedPanel({ title: 'Home', window: '5m', panels: [] }, 'a.b').panels[0]).toMatchObject({
      id: 'feed-1',
      y: 0,
    });
  });
});

/** The saved dashboards live in this map; the real endpoints are covered by the e2e suites. */
function fakeServer(saved: Record<string, Dashboard>) {
  const fetch = vi.fn((url: string, init?: RequestInit) => {
    const id = decodeURIComponent(url.split('/').at(-1) ?? '');
    const method = init?.method ?? 'GET';
    if (url === '/api/v1/dashboards') {
      const summaries: DashboardSummary[] = Object.values(saved).map((d) => ({
        id: d.id,
        title: d.title,
        panels: d.panels.length,
        updatedAt: d.updatedAt,
      }));
      return Promise.resolve(Response.json(summaries));
    }
    if (method === 'PUT') {
      saved[id] = { id, createdAt: 1, updatedAt: 2, ...(JSON.parse(init?.body as string) as DashboardDocument) };
      return Promise.resolve(Response.json(saved[id]));
    }
    const dashboard = saved[id];
    if (!dashboard) {
      return Promise.resolve(
        Response.json({ error: { code: 'dashboard_not_found', message: 'no', details: [] } }, { status: 404 }),
      );
    }
    return Promise.resolve(Response.json(dashboard));
  });
  return new SavedDashboards(new PulseboardApi('', fetch), fetch);
}

describe('AddToDashboard', () => {
  const noHome = () => Promise.reject(new Error('not asked for in this test'));
  const ops: Dashboard = {
    id: 'ops',
    title: 'Ops',
    window: '1h',
    panels: [panel('a', 0, 4)],
    createdAt: 1,
    updatedAt: 1,
  };

  it('offers home first, then the saved dashboards by title', async () => {
    const adder = new AddToDashboard(fakeServer({ ops, zz: { ...ops, id: 'zz', title: 'Alpha' } }), noHome);
    adder.listen();
    await vi.waitFor(() => expect(adder.choices).toHaveLength(3));
    expect(adder.choices).toEqual([
      { id: 'home', label: 'Home' },
      { id: 'zz', label: 'Alpha (zz)' },
      { id: 'ops', label: 'Ops (ops)' },
    ]);
  });

  it('appends the feed to a saved dashboard', async () => {
    const saved = { ops: structuredClone(ops) };
    const adder = new AddToDashboard(fakeServer(saved), noHome);
    expect(await adder.add('demo.cpu', 'ops')).toBe(true);
    expect(saved.ops.window).toBe('1h');
    expect(saved.ops.panels.map((p) => [p.id, p.y, p.feeds])).toEqual([
      ['a', 0, ['x']],
      ['feed-1', 4, ['demo.cpu']],
    ]);
  });

  it('starts the home dashboard from what its page shows when it was never saved', async () => {
    const saved: Record<string, Dashboard> = {};
    const overview: DashboardDocument = { title: 'Overview', window: '5m', panels: [panel('p1', 0, 2)] };
    const adder = new AddToDashboard(fakeServer(saved), () => Promise.resolve(overview));
    expect(await adder.add('demo.cpu', 'home')).toBe(true);
    expect(saved.home).toMatchObject({
      title: 'Overview',
      window: '5m',
      panels: [{ id: 'p1' }, { id: 'feed-1', feeds: ['demo.cpu'], y: 2 }],
    });
  });

  it('does not bring back a dashboard deleted meanwhile', async () => {
    const saved: Record<string, Dashboard> = {};
    const adder = new AddToDashboard(fakeServer(saved), noHome);
    expect(await adder.add('demo.cpu', 'gone')).toBe(false);
    expect(adder.error).toBe('Could not add the feed: that dashboard was deleted meanwhile');
    expect(saved).toEqual({});
  });
});
