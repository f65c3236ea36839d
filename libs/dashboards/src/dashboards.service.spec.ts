import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anonymousPrincipal, ApiError, tokenPrincipal, type Principal } from '@pulseboard/api';
import { dashboardIdProblem, type DashboardDocument } from '@pulseboard/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DashboardsService } from './dashboards.service.js';
import { SqliteAnnotationStore } from './sqlite-annotation.store.js';
import { SqliteDashboardStore } from './sqlite-dashboard.store.js';
import { SqliteDatabase } from './sqlite-database.js';
import { WriteLimits, type WriteLimitsOptions } from './write-limits.js';

function document(title: string, extra: Partial<DashboardDocument> = {}): DashboardDocument {
  return {
    title,
    window: '5m',
    panels: [
      { id: 'cpu', kind: 'timeseries', title: 'CPU', unit: '%', feeds: ['host1.cpu.user'], x: 0, y: 0, w: 12, h: 4 },
    ],
    ...extra,
  };
}

/** The status and code a rejected call answers with. */
async function failure(call: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiError) return { status: error.getStatus(), code: error.code };
    throw error;
  }
  throw new Error('expected the call to fail');
}

const admin = anonymousPrincipal('127.0.0.1');

function viewer(id: string): Principal {
  return tokenPrincipal({ sub: id, role: 'viewer', address: '10.0.0.1' });
}

describe('DashboardsService', () => {
  let dir: string;
  let database: SqliteDatabase;
  let dashboards: SqliteDashboardStore;
  let annotations: SqliteAnnotationStore;
  let service: DashboardsService;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_700_000_000_000);
    dir = mkdtempSync(join(tmpdir(), 'pulseboard-dashboards-'));
    database = SqliteDatabase.open(join(dir, 'pulseboard.db'));
    dashboards = new SqliteDashboardStore(database);
    annotations = new SqliteAnnotationStore(database);
    service = serviceWith({});
  });
  /** A service on the test's stores with `limits` (no write rate unless given). */
  const serviceWith = (limits: WriteLimitsOptions): DashboardsService =>
    new DashboardsService(dashboards, annotations, new WriteLimits({ writeRateLimit: 0, ...limits }));
  afterEach(() => {
    vi.useRealTimers();
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a dashboard under a new random id and reads it back', async () => {
    const created = await service.create(document('Ops'), admin);
    expect(created).toEqual({
      id: created.id,
      ...document('Ops'),
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_000_000,
      owner: null,
    });
    expect(created.id).toMatch(/^[0-9a-z]{10}$/);
    expect(dashboardIdProblem(created.id)).toBeUndefined();
    expect(await service.get(created.id)).toEqual(created);
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) ids.add((await service.create(document(`d${i}`), admin)).id);
    expect(ids.size).toBe(50);
  });

  it('draws another id when the first is taken', async () => {
    let draws = 0;
    // answers the first lookup as taken, whatever id was drawn
    const crowded = new DashboardsService(
      {
        get: (id) => dashboards.get(id),
        has: (id) => (draws++ === 0 ? Promise.resolve(true) : dashboards.has(id)),
        put: (d, quotaKey) => dashboards.put(d, quotaKey),
        list: () => dashboards.list(),
        delete: (id) => dashboards.delete(id),
        usage: (quotaKey) => dashboards.usage(quotaKey),
      },
      annotations,
      new WriteLimits(),
    );
    const created = await crowded.create(document('Ops'), admin);
    expect(draws).toBe(2);
    expect(await service.get(created.id)).toEqual(created);
  });

  it('creates under a chosen id with put, then replaces it keeping createdAt', async () => {
    const first = await service.put('home', document('Home'), admin);
    expect(first.created).toBe(true);
    expect(first.dashboard).toEqual({
      id: 'home',
      ...document('Home'),
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_000_000,
      owner: null,
    });

    vi.setSystemTime(1_700_000_060_000);
    const second = await service.put('home', document('Home, renamed', { window: '1h', panels: [] }), admin);
    expect(second.created).toBe(false);
    expect(second.dashboard).toEqual({
      id: 'home',
      title: 'Home, renamed',
      window: '1h',
      panels: [],
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_060_000,
      owner: null,
    });
    expect(await service.get('home')).toEqual(second.dashboard);
    expect(await service.list()).toHaveLength(1);
  });

  it('lists summaries ordered by title, then by id', async () => {
    await service.put('b', document('Beta'), admin);
    await service.put('a2', document('Alpha', { panels: [] }), admin);
    await service.put('a1', document('Alpha'), admin);
    await service.put('z', document(' Leading space'), admin);
    expect(await service.list()).toEqual([
      { id: 'z', title: ' Leading space', panels: 1, updatedAt: 1_700_000_000_000 },
      { id: 'a1', title: 'Alpha', panels: 1, updatedAt: 1_700_000_000_000 },
      { id: 'a2', title: 'Alpha', panels: 0, updatedAt: 1_700_000_000_000 },
      { id: 'b', title: 'Beta', panels: 1, updatedAt: 1_700_000_000_000 },
    ]);
  });

  it('answers an empty list when nothing is saved', async () => {
    expect(await service.list()).toEqual([]);
  });

  it("deletes a dashboard and its annotations, leaving other dashboards' annotations", async () => {
    await service.put('ops', document('Ops'), admin);
    await service.put('sales', document('Sales'), admin);
    await annotations.add({ id: 'a', dashboard: 'ops', t: 1, text: 'deploy', feed: null, author: 'ada' }, 0);
    await annotations.add({ id: 'b', dashboard: 'sales', t: 1, text: 'launch', feed: null, author: 'ada' }, 0);
    await service.delete('ops', admin);
    expect(await failure(service.get('ops'))).toEqual({ status: 404, code: 'dashboard_not_found' });
    expect(await annotations.list({ dashboard: 'ops', limit: 10 })).toEqual([]);
    expect((await annotations.list({ dashboard: 'sales', limit: 10 })).map((a) => a.id)).toEqual(['b']);
    expect((await service.list()).map((s) => s.id)).toEqual(['sales']);
  });

  it('answers 404 dashboard_not_found for a dashboard never saved, and leaves its annotations', async () => {
    await annotations.add({ id: 'a', dashboard: 'unsaved', t: 1, text: 'x', feed: null, author: 'ada' }, 0);
    expect(await failure(service.get('nope'))).toEqual({ status: 404, code: 'dashboard_not_found' });
    expect(await failure(service.delete('unsaved', admin))).toEqual({ status: 404, code: 'dashboard_not_found' });
    expect(await annotations.list({ dashboard: 'unsaved', limit: 10 })).toHaveLength(1);
  });

  it.each(['', 'has space', 'no/slash', 'd'.repeat(129)])('answers 400 invalid_dashboard for the id %j', async (id) => {
    const invalid = { status: 400, code: 'invalid_dashboard' };
    expect(await failure(service.get(id))).toEqual(invalid);
    expect(await failure(service.put(id, document('Ops'), admin))).toEqual(invalid);
    expect(await failure(service.delete(id, admin))).toEqual(invalid);
    expect(await service.list()).toEqual([]);
  });

  describe('ownership', () => {
    it('gives a dashboard to the viewer who created it; open mode has no owner', async () => {
      const mine = await service.create(document('Mine'), viewer('alice'));
      expect(mine.owner).toBe('alice');
      expect((await service.get(mine.id)).owner).toBe('alice');
      expect((await service.create(document('Open'), admin)).owner).toBeNull();
      const { dashboard } = await service.put('team', document('Team'), viewer('bob'));
      expect(dashboard.owner).toBe('bob');
    });

    it('lets only the owner and admins replace or delete a dashboard', async () => {
      const mine = await service.create(document('Mine'), viewer('alice'));
      expect(await failure(service.put(mine.id, document('Taken'), viewer('bob')))).toEqual({
        status: 403,
        code: 'forbidden',
      });
      expect(await failure(service.delete(mine.id, viewer('bob')))).toEqual({ status: 403, code: 'forbidden' });
      expect((await service.get(mine.id)).title).toBe('Mine');
      const renamed = await service.put(mine.id, document('Renamed'), viewer('alice'));
      expect(renamed.dashboard).toMatchObject({ title: 'Renamed', owner: 'alice' });
      const byAdmin = await service.put(mine.id, document('By admin'), admin);
      expect(byAdmin.dashboard.owner).toBe('alice');
      await service.delete(mine.id, admin);
      expect(await failure(service.get(mine.id))).toEqual({ status: 404, code: 'dashboard_not_found' });
    });

    it('keeps a dashboard nobody owns for admins', async () => {
      const open = await service.create(document('Open'), admin);
      expect(await failure(service.put(open.id, document('Mine now'), viewer('alice')))).toEqual({
        status: 403,
        code: 'forbidden',
      });
    });
  });
  describe('quotas and the write rate', () => {
    it('refuses a user’s new dashboard past the quota per user (403) and any past the total (507)', async () => {
      const limited = serviceWith({ maxDashboardsPerUser: 2, maxDashboards: 3 });
      const first = await limited.create(document('One'), viewer('alice'));
      await limited.put('alice-2', document('Two'), viewer('alice'));
      expect(await failure(limited.create(document('Three'), viewer('alice')))).toEqual({
        status: 403,
        code: 'dashboard_quota_exceeded',
      });
      expect(await failure(limited.put('alice-3', document('Three'), viewer('alice')))).toEqual({
        status: 403,
        code: 'dashboard_quota_exceeded',
      });
      // replacing is not creating, whoever replaces
      await limited.put('alice-2', document('Two, renamed'), viewer('alice'));
      await limited.put('alice-2', document('Two, by admin'), admin);
      await limited.create(document('Bob'), viewer('bob'));
      expect(await failure(limited.create(document('Carol'), viewer('carol')))).toEqual({
        status: 507,
        code: 'too_many_dashboards',
      });
      await limited.delete(first.id, viewer('alice'));
      await limited.create(document('Carol'), viewer('carol'));
      expect(await service.list()).toHaveLength(3);
    });

    it('refuses a save that grows the dashboards past the bytes quota (507), and lets one that shrinks them through', async () => {
      const panels = (n: number) => Array.from({ length: n }, (_, i) => ({ ...document('').panels[0], id: `p${i}` }));
      const big = document('Big', { panels: panels(10) });
      // room for one and a half of it
      const limited = serviceWith({ maxDashboardBytes: Math.round(Buffer.byteLength(JSON.stringify(big)) * 1.5) });
      await limited.put('big', big, viewer('alice'));
      expect(await failure(limited.put('other', big, viewer('bob')))).toEqual({
        status: 507,
        code: 'dashboard_storage_full',
      });
      expect(await failure(limited.put('big', document('Bigger', { panels: panels(20) }), viewer('alice')))).toEqual({
        status: 507,
        code: 'dashboard_storage_full',
      });
      await limited.put('big', document('Small'), viewer('alice'));
      await limited.put('other', document('Other'), viewer('bob'));
    });

    it('answers changes past the write rate with 429 and Retry-After, per user', async () => {
      const limited = serviceWith({ writeRateLimit: 1, writeRateBurst: 3 });
      const mine = await limited.create(document('Mine'), viewer('alice'));
      await limited.put(mine.id, document('Renamed'), viewer('alice'));
      await limited.delete(mine.id, viewer('alice'));
      await expect(limited.put('again', document('Again'), viewer('alice'))).rejects.toMatchObject({
        code: 'rate_limited',
        headers: { 'Retry-After': '1' },
      });
      await limited.put('bobs', document('Bob'), viewer('bob'));
      expect(await limited.get('bobs')).toMatchObject({ title: 'Bob' });
      vi.advanceTimersByTime(1000);
      await limited.put('again', document('Again'), viewer('alice'));
    });
  });
});
