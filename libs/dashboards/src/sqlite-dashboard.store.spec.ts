import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dashboard } from '@pulseboard/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteDashboardStore } from './sqlite-dashboard.store.js';
import { SqliteDatabase } from './sqlite-database.js';

function dashboard(id: string, extra: Partial<Dashboard> = {}): Dashboard {
  return {
    id,
    title: `Dashboard ${id}`,
    window: '15m',
    panels: [
      {
        id: 'cpu',
        kind: 'timeseries',
        title: 'CPU ✓',
        unit: '%',
        feeds: ['host1.cpu.user', 'host2.cpu.user'],
        x: 0,
        y: 0,
        w: 8,
        h: 4,
      },
      { id: 'p99', kind: 'stat', title: '', unit: '', feeds: [], x: 8, y: 0, w: 4, h: 2 },
    ],
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_500,
    owner: null,
    ...extra,
  };
}

describe('SqliteDashboardStore', () => {
  let dir: string;
  let database: SqliteDatabase;
  let store: SqliteDashboardStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulseboard-dashboards-'));
    database = SqliteDatabase.open(join(dir, 'pulseboard.db'));
    store = new SqliteDashboardStore(database);
  });
  afterEach(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a dashboard exactly as saved, and undefined for an id never saved', async () => {
    const saved = dashboard('ops');
    await store.put(saved, 'ada');
    expect(await store.get('ops')).toEqual(saved);
    expect(await store.get('sales')).toBeUndefined();
  });

  it('replaces a dashboard saved under the same id', async () => {
    await store.put(dashboard('ops'), 'ada');
    const replaced = dashboard('ops', { title: 'Operations', window: '1h', panels: [], updatedAt: 1_700_000_009_000 });
    await store.put(replaced, 'ada');
    expect(await store.get('ops')).toEqual(replaced);
    expect(await store.list()).toHaveLength(1);
  });

  it('lists a summary of every dashboard with its panel count', async () => {
    await store.put(dashboard('ops'), 'ada');
    await store.put(dashboard('empty', { title: 'Nothing yet', panels: [], updatedAt: 7 }), 'ada');
    const summaries = await store.list();
    expect(summaries.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'empty', title: 'Nothing yet', panels: 0, updatedAt: 7 },
      { id: 'ops', title: 'Dashboard ops', panels: 2, updatedAt: 1_700_000_000_500 },
    ]);
  });

  it('deletes a dashboard and says whether there was one', async () => {
    await store.put(dashboard('ops'), 'ada');
    await store.put(dashboard('sales'), 'ada');
    expect(await store.delete('ops')).toBe(true);
    expect(await store.delete('ops')).toBe(false);
    expect(await store.get('ops')).toBeUndefined();
    expect((await store.list()).map((s) => s.id)).toEqual(['sales']);
  });

  it('finds its dashboards again after the database is reopened', async () => {
    const kept = [dashboard('ops'), dashboard('home', { title: 'Home', panels: [] })];
    for (const d of kept) await store.put(d, 'ada');
    database.close();
    database = SqliteDatabase.open(join(dir, 'pulseboard.db'));
    const reopened = new SqliteDashboardStore(database);
    expect(await reopened.get('ops')).toEqual(kept[0]);
    expect(await reopened.get('home')).toEqual(kept[1]);
    expect(await reopened.list()).toHaveLength(2);
  });

  it('counts dashboards in all and per quota key, and the bytes of their documents, as they change', async () => {
    const bytes = (d: Dashboard): number =>
      Buffer.byteLength(JSON.stringify({ title: d.title, window: d.window, panels: d.panels }));
    const [ops, sales] = [dashboard('ops'), dashboard('sales')];
    expect(await store.usage('ada')).toEqual({ total: 0, own: 0, bytes: 0 });
    await store.put(ops, 'ada');
    await store.put(sales, 'bob');
    expect(await store.has('ops')).toBe(true);
    expect(await store.has('nope')).toBe(false);
    expect(await store.usage('ada')).toEqual({ total: 2, own: 1, bytes: bytes(ops) + bytes(sales) });

    // replaced by someone else, it still counts against whoever created it
    const smaller = dashboard('ops', { panels: [] });
    await store.put(smaller, 'bob');
    expect(await store.usage('ada')).toEqual({ total: 2, own: 1, bytes: bytes(smaller) + bytes(sales) });
    expect((await store.usage('bob')).own).toBe(1);

    await store.delete('ops');
    expect(await store.usage('ada')).toEqual({ total: 1, own: 0, bytes: bytes(sales) });
  });

  it('rejects instead of throwing when the database is closed', async () => {
    database.close();
    await expect(store.get('ops')).rejects.toThrow(/not open/);
    await expect(store.put(dashboard('ops'), 'ada')).rejects.toThrow(/not open/);
  });
});
