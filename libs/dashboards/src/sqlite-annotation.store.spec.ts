import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Annotation } from '@pulseboard/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteAnnotationStore } from './sqlite-annotation.store.js';
import { SqliteDatabase } from './sqlite-database.js';

function annotation(id: string, t: number, extra: Partial<Annotation> = {}): Annotation {
  return { id, dashboard: 'ops', t, text: `note ${id}`, feed: null, author: 'ada', ...extra };
}

describe('SqliteAnnotationStore', () => {
  let dir: string;
  let database: SqliteDatabase;
  let store: SqliteAnnotationStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulseboard-annotations-'));
    database = SqliteDatabase.open(join(dir, 'pulseboard.db'));
    store = new SqliteAnnotationStore(database);
  });
  afterEach(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers annotations exactly as stored', async () => {
    const onFeed = annotation('a', 1_700_000_000_123.5, { feed: 'host1.cpu', text: 'deploy ✓\nline two' });
    const whole = annotation('b', 1_700_000_000_200);
    await store.add(onFeed, 1);
    await store.add(whole, 2);
    expect(await store.list({ dashboard: 'ops', limit: 10 })).toEqual([onFeed, whole]);
  });

  it('orders by t, then by creation, then by insertion', async () => {
    await store.add(annotation('late', 300), 1);
    await store.add(annotation('second', 100), 20);
    await store.add(annotation('first', 100), 10);
    await store.add(annotation('third', 100), 20);
    await store.add(annotation('middle', 200), 5);
    const ids = (await store.list({ dashboard: 'ops', limit: 10 })).map((a) => a.id);
    expect(ids).toEqual(['first', 'second', 'third', 'middle', 'late']);
  });

  it('selects by time with inclusive bounds', async () => {
    for (const t of [100, 200, 300, 400]) await store.add(annotation(`t${t}`, t), t);
    const ids = async (from?: number, to?: number): Promise<string[]> =>
      (await store.list({ dashboard: 'ops', from, to, limit: 10 })).map((a) => a.id);
    expect(await ids(200, 300)).toEqual(['t200', 't300']);
    expect(await ids(201, 299)).toEqual([]);
    expect(await ids(300)).toEqual(['t300', 't400']);
    expect(await ids(undefined, 200)).toEqual(['t100', 't200']);
    expect(await ids(400, 400)).toEqual(['t400']);
  });

  it('answers at most the limit, earliest first', async () => {
    for (const t of [5, 1, 4, 2, 3]) await store.add(annotation(`t${t}`, t), 0);
    expect((await store.list({ dashboard: 'ops', limit: 2 })).map((a) => a.id)).toEqual(['t1', 't2']);
    expect(await store.list({ dashboard: 'ops', limit: 0 })).toEqual([]);
  });

  it('keeps dashboards apart', async () => {
    await store.add(annotation('a', 1), 0);
    await store.add(annotation('b', 1, { dashboard: 'sales' }), 0);
    expect((await store.list({ dashboard: 'sales', limit: 10 })).map((a) => a.id)).toEqual(['b']);
    expect(await store.list({ dashboard: 'nobody', limit: 10 })).toEqual([]);
  });

  it("deletes one dashboard's annotations and says how many there were", async () => {
    await store.add(annotation('a', 1), 0);
    await store.add(annotation('b', 2), 0);
    await store.add(annotation('c', 1, { dashboard: 'sales' }), 0);
    expect(await store.deleteForDashboard('ops')).toBe(2);
    expect(await store.deleteForDashboard('ops')).toBe(0);
    expect(await store.list({ dashboard: 'ops', limit: 10 })).toEqual([]);
    expect((await store.list({ dashboard: 'sales', limit: 10 })).map((a) => a.id)).toEqual(['c']);
  });

  it('counts annotations in all and per quota key as they are added and deleted', async () => {
    expect(await store.usage('ada')).toEqual({ total: 0, own: 0 });
    await store.add(annotation('a', 1), 0, 'ada', 'ada');
    await store.add(annotation('b', 2), 0, null, 'address:10.0.0.1');
    await store.add(annotation('c', 1, { dashboard: 'sales' }), 0, 'ada', 'ada');
    await store.add(annotation('d', 1, { dashboard: 'sales' }), 0);
    expect(await store.usage('ada')).toEqual({ total: 4, own: 2 });
    expect(await store.usage('address:10.0.0.1')).toEqual({ total: 4, own: 1 });
    await store.delete('ops', 'a');
    expect(await store.usage('ada')).toEqual({ total: 3, own: 1 });
    await store.deleteForDashboard('sales');
    expect(await store.usage('ada')).toEqual({ total: 1, own: 0 });
  });

  it('rejects a second annotation with the same id', async () => {
    await store.add(annotation('a', 1), 0);
    await expect(store.add(annotation('a', 2), 0)).rejects.toThrow(/UNIQUE/);
  });

  it('finds its annotations again after the database is reopened', async () => {
    const kept = [annotation('a', 1, { feed: 'host1.cpu' }), annotation('b', 2)];
    for (const a of kept) await store.add(a, 0);
    database.close();
    database = SqliteDatabase.open(join(dir, 'pulseboard.db'));
    const reopened = new SqliteAnnotationStore(database);
    expect(await reopened.list({ dashboard: 'ops', limit: 10 })).toEqual(kept);
  });
});
