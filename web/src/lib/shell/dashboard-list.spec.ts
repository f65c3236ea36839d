import type { Dashboard, DashboardDocument, DashboardSummary } from '@pulseboard/protocol';
import { describe, expect, it, vi } from 'vitest';
import { PulseboardApi } from '../data/api';
import { DashboardList } from './dashboard-list.svelte';
import { SavedDashboards } from './saved-dashboards';

/** The list's answers arrive from this stand-in for `/api/v1/dashboards`; the real endpoints are covered by the e2e suites. */
function fakeApi(summaries: DashboardSummary[]) {
  const calls: string[] = [];
  const fetch = vi.fn((url: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    calls.push(`${method} ${url}`);
    if (method === 'GET') return Promise.resolve(Response.json(summaries));
    if (method === 'DELETE') {
      if (url.endsWith('/locked'))
        return Promise.resolve(
          Response.json({ error: { code: 'internal_error', message: 'boom', details: [] } }, { status: 500 }),
        );
      return Promise.resolve(new Response(null, { status: 204 }));
    }
    const created: Dashboard = {
      id: 'x1',
      createdAt: 1,
      updatedAt: 1,
      ...(JSON.parse(init?.body as string) as DashboardDocument),
    };
    return Promise.resolve(Response.json(created, { status: 201 }));
  });
  return { api: new SavedDashboards(new PulseboardApi('', fetch), fetch), calls, fetch };
}

const summary = (id: string, updatedAt: number): DashboardSummary => ({ id, title: id, panels: 2, updatedAt });

describe('DashboardList', () => {
  it('lists the dashboards, most recently changed first', async () => {
    const { api } = fakeApi([summary('old', 1), summary('new', 3), summary('mid', 2)]);
    const list = new DashboardList(api);
    list.listen();
    await vi.waitFor(() => expect(list.loaded).toBe(true));
    expect(list.dashboards.map((d) => d.id)).toEqual(['new', 'mid', 'old']);
  });

  it('creates an empty 5-minute dashboard titled "New dashboard"', async () => {
    const { api, fetch } = fakeApi([]);
    const list = new DashboardList(api);
    expect(await list.create()).toBe('x1');
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('/api/v1/dashboards');
    expect(init?.method).toBe('POST');
    expect(JSON.parse(init?.body as string)).toEqual({ title: 'New dashboard', window: '5m', panels: [] });
  });

  it('removes a deleted dashboard from the list and reports a refused delete', async () => {
    const { api, calls } = fakeApi([summary('a', 1), summary('locked', 2)]);
    const list = new DashboardList(api);
    list.listen();
    await vi.waitFor(() => expect(list.loaded).toBe(true));

    await list.remove('a');
    expect(calls).toContain('DELETE /api/v1/dashboards/a');
    expect(list.dashboards.map((d) => d.id)).toEqual(['locked']);

    await list.remove('locked');
    expect(list.error).toBe('boom');
    expect(list.dashboards.map((d) => d.id)).toEqual(['locked']);
  });
});
