import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anonymousPrincipal, ApiError, tokenPrincipal, type Principal } from '@pulseboard/api';
import {
  ANNOTATION_TEXT_MAX_LENGTH,
  MAX_TIMESTAMP_MS,
  type AnnotateMessage,
  type Dashboard,
} from '@pulseboard/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ANNOTATION_LIST_DEFAULT_LIMIT,
  ANNOTATION_LIST_MAX_LIMIT,
  AnnotationsService,
  type AnnotationAuthor,
} from './annotations.service.js';
import { SqliteAnnotationStore } from './sqlite-annotation.store.js';
import { SqliteDashboardStore } from './sqlite-dashboard.store.js';
import { SqliteDatabase } from './sqlite-database.js';
import { WriteLimits, type WriteLimitsOptions } from './write-limits.js';

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

/** An author as a token names them: display name, subject and quota key alike. */
const author = (name: string): AnnotationAuthor => ({ name, id: name, quotaKey: name });

function viewer(id: string): Principal {
  return tokenPrincipal({ sub: id, role: 'viewer', address: '10.0.0.1' });
}

describe('AnnotationsService', () => {
  let dir: string;
  let database: SqliteDatabase;
  let service: AnnotationsService;
  /** A service on the test's database with `limits` (no write rate unless given). */
  const serviceWith = (limits: WriteLimitsOptions): AnnotationsService =>
    new AnnotationsService(
      new SqliteAnnotationStore(database),
      new SqliteDashboardStore(database),
      new WriteLimits({ writeRateLimit: 0, ...limits }),
    );
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pulseboard-annotations-'));
    database = SqliteDatabase.open(join(dir, 'pulseboard.db'));
    const ops: Dashboard = { id: 'ops', title: 'Ops', window: '5m', panels: [], createdAt: 0, updatedAt: 0 };
    await new SqliteDashboardStore(database).put(ops, 'admin');
    service = serviceWith({});
  });
  afterEach(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores an annotation with a new id, the author and the text as written', async () => {
    const created = await service.create(
      { dashboard: 'ops', t: 1000, text: '  deploy  ', feed: 'host1.cpu' },
      author('ada'),
    );
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      dashboard: 'ops',
      t: 1000,
      text: '  deploy  ',
      feed: 'host1.cpu',
      author: 'ada',
    });
    const other = await service.create({ dashboard: 'ops', t: 1000, text: 'x' }, author('bob'));
    expect(other.id).not.toBe(created.id);
    expect(other.feed).toBeNull();
    expect(await service.list('ops')).toEqual([created, other]);
  });

  it('stores the series an annotation is about by its canonical key', async () => {
    const created = await service.create(
      { dashboard: 'ops', t: 1000, text: 'spike', feed: 'cpu.usage{region="eu", host="h1"}' },
      author('ada'),
    );
    expect(created.feed).toBe('cpu.usage{host="h1",region="eu"}');
  });

  it('accepts the bounds of t and text', async () => {
    await service.create({ dashboard: 'ops', t: 0, text: 'x' }, author('ada'));
    await service.create(
      { dashboard: 'ops', t: MAX_TIMESTAMP_MS, text: 'x'.repeat(ANNOTATION_TEXT_MAX_LENGTH) },
      author('ada'),
    );
    expect(await service.list('ops')).toHaveLength(2);
  });

  it.each<[string, Partial<AnnotateMessage> | Record<string, unknown>, string]>([
    ['an empty dashboard', { dashboard: '' }, 'invalid_dashboard'],
    ['a dashboard with a space', { dashboard: 'my board' }, 'invalid_dashboard'],
    ['a dashboard that is too long', { dashboard: 'd'.repeat(129) }, 'invalid_dashboard'],
    ['a bad feed', { feed: 'a..b' }, 'invalid_feed_name'],
    ['a feed that is not a string', { feed: 42 }, 'invalid_feed_name'],
    ['a series key that does not close', { feed: 'cpu{host="a"' }, 'invalid_feed_name'],
    ['a t that is not a number', { t: '1000' }, 'bad_request'],
    ['a NaN t', { t: NaN }, 'bad_request'],
    ['an infinite t', { t: Infinity }, 'bad_request'],
    ['a negative t', { t: -1 }, 'bad_request'],
    ['a t after the last date', { t: MAX_TIMESTAMP_MS + 1 }, 'bad_request'],
    ['empty text', { text: '' }, 'bad_request'],
    ['text that is too long', { text: 'x'.repeat(ANNOTATION_TEXT_MAX_LENGTH + 1) }, 'bad_request'],
    ['text with a NUL', { text: 'a\0b' }, 'bad_request'],
    ['text that is not a string', { text: 7 }, 'bad_request'],
  ])('rejects %s', async (_, change, code) => {
    const input = { dashboard: 'ops', t: 1000, text: 'note', ...change } as AnnotateMessage;
    expect(await failure(service.create(input, author('ada')))).toEqual({ status: 400, code });
    expect(await service.list('ops')).toEqual([]);
  });

  it('lists a dashboard nobody annotated as empty', async () => {
    expect(await service.list('never-seen')).toEqual([]);
  });

  it('lists with inclusive bounds', async () => {
    for (const t of [10, 20, 30]) await service.create({ dashboard: 'ops', t, text: `at ${t}` }, author('ada'));
    expect((await service.list('ops', { from: 20, to: 30 })).map((a) => a.t)).toEqual([20, 30]);
    expect((await service.list('ops', { from: 20, to: 20 })).map((a) => a.t)).toEqual([20]);
  });

  it('rejects a bad dashboard id and from after to', async () => {
    expect(await failure(service.list('no/slash'))).toEqual({ status: 400, code: 'invalid_dashboard' });
    expect(await failure(service.list('ops', { from: 2, to: 1 }))).toEqual({ status: 400, code: 'invalid_query' });
  });

  it('answers the default limit when none is given and never more than the maximum', async () => {
    const limits: number[] = [];
    const recording = new AnnotationsService(
      {
        add: () => Promise.resolve(),
        list: (query) => {
          limits.push(query.limit);
          return Promise.resolve([]);
        },
        deleteForDashboard: () => Promise.resolve(0),
        get: () => Promise.resolve(undefined),
        delete: () => Promise.resolve(false),
        usage: () => Promise.resolve({ total: 0, own: 0 }),
      },
      new SqliteDashboardStore(database),
      new WriteLimits(),
    );
    await recording.list('ops');
    await recording.list('ops', { limit: 5 });
    await recording.list('ops', { limit: ANNOTATION_LIST_MAX_LIMIT + 1 });
    expect(limits).toEqual([ANNOTATION_LIST_DEFAULT_LIMIT, 5, ANNOTATION_LIST_MAX_LIMIT]);
  });

  describe('deleting', () => {
    it('lets the author and admins delete an annotation, and tells the listeners', async () => {
      const removed: { dashboard: string; id: string }[] = [];
      const stop = service.onRemoved((event) => removed.push(event));
      const mine = await service.create({ dashboard: 'ops', t: 1, text: 'mine' }, author('ada'));
      const theirs = await service.create({ dashboard: 'ops', t: 2, text: 'theirs' }, author('bob'));

      expect(await failure(service.delete('ops', mine.id, viewer('bob')))).toEqual({ status: 403, code: 'forbidden' });
      await service.delete('ops', mine.id, viewer('ada'));
      await service.delete('ops', theirs.id, { ...viewer('root'), role: 'admin' });
      expect(await service.list('ops')).toEqual([]);
      expect(removed).toEqual([
        { dashboard: 'ops', id: mine.id },
        { dashboard: 'ops', id: theirs.id },
      ]);
      stop();
      const later = await service.create({ dashboard: 'ops', t: 3, text: 'later' }, author('ada'));
      await service.delete('ops', later.id, viewer('ada'));
      expect(removed).toHaveLength(2);
    });

    it('answers 404 for an annotation of another dashboard or none, and keeps open-mode notes for admins', async () => {
      const note = await service.create(
        { dashboard: 'ops', t: 1, text: 'x' },
        { name: 'anonymous', id: null, quotaKey: 'address:127.0.0.1' },
      );
      expect(await failure(service.delete('sales', note.id, viewer('ada')))).toEqual({
        status: 404,
        code: 'annotation_not_found',
      });
      expect(await failure(service.delete('ops', 'nope', viewer('ada')))).toEqual({
        status: 404,
        code: 'annotation_not_found',
      });
      expect(await failure(service.delete('ops', note.id, viewer('anonymous')))).toEqual({
        status: 403,
        code: 'forbidden',
      });
      await service.delete('ops', note.id, anonymousPrincipal('127.0.0.1'));
      expect(await service.list('ops')).toEqual([]);
    });
  });
  describe('what may be annotated, and how much', () => {
    it('refuses an annotation on a dashboard never saved with 404, and stores nothing', async () => {
      const input = { dashboard: 'nowhere', t: 1, text: 'x' };
      expect(await failure(service.create(input, author('ada')))).toEqual({ status: 404, code: 'dashboard_not_found' });
      expect(await service.list('nowhere')).toEqual([]);
    });

    it('takes annotations on home before it is saved, as the dashboard UI shows it', async () => {
      await service.create({ dashboard: 'home', t: 1, text: 'on the overview' }, author('ada'));
      expect((await service.list('home')).map((note) => note.text)).toEqual(['on the overview']);
    });

    it('refuses a user past the quota per user (403) and anyone past the total (507)', async () => {
      const limited = serviceWith({ maxAnnotationsPerUser: 2, maxAnnotations: 3 });
      const note = (who: string) => limited.create({ dashboard: 'ops', t: 1, text: who }, author(who));
      const first = await note('ada');
      await note('ada');
      expect(await failure(note('ada'))).toEqual({ status: 403, code: 'annotation_quota_exceeded' });
      await note('bob');
      expect(await failure(note('bob'))).toEqual({ status: 507, code: 'too_many_annotations' });
      await limited.delete('ops', first.id, viewer('ada'));
      await note('bob');
      expect(await limited.list('ops')).toHaveLength(3);
    });

    it('counts anonymous users by the quota key they are given: their address', async () => {
      const limited = serviceWith({ maxAnnotationsPerUser: 1 });
      const from = (address: string): AnnotationAuthor => ({
        name: 'anonymous',
        id: null,
        quotaKey: `address:${address}`,
      });
      await limited.create({ dashboard: 'ops', t: 1, text: 'x' }, from('10.0.0.1'));
      expect(await failure(limited.create({ dashboard: 'ops', t: 2, text: 'x' }, from('10.0.0.1')))).toEqual({
        status: 403,
        code: 'annotation_quota_exceeded',
      });
      await limited.create({ dashboard: 'ops', t: 3, text: 'x' }, from('10.0.0.2'));
    });

    it('answers writes past the rate with 429 and Retry-After, deletions included, per user', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        const limited = serviceWith({ writeRateLimit: 1, writeRateBurst: 2 });
        const note = await limited.create({ dashboard: 'ops', t: 1, text: 'x' }, author('ada'));
        await limited.delete('ops', note.id, viewer('ada'));
        const refused = limited.create({ dashboard: 'ops', t: 2, text: 'x' }, author('ada'));
        await expect(refused).rejects.toMatchObject({ code: 'rate_limited', headers: { 'Retry-After': '1' } });
        await limited.create({ dashboard: 'ops', t: 3, text: 'x' }, author('bob'));
        vi.advanceTimersByTime(1000);
        await limited.create({ dashboard: 'ops', t: 4, text: 'x' }, author('ada'));
      } finally {
        vi.useRealTimers();
      }
    });

    it('checks the message before it takes a write', async () => {
      const limited = serviceWith({ writeRateLimit: 1, writeRateBurst: 1 });
      const bad = { dashboard: 'ops', t: -1, text: 'x' };
      expect(await failure(limited.create(bad, author('ada')))).toEqual({ status: 400, code: 'bad_request' });
      await limited.create({ dashboard: 'ops', t: 1, text: 'x' }, author('ada'));
    });
  });
});
