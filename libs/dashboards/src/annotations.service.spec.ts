import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anonymousPrincipal, ApiError, tokenPrincipal, type Principal } from '@pulseboard/api';
import { ANNOTATION_TEXT_MAX_LENGTH, MAX_TIMESTAMP_MS, type AnnotateMessage } from '@pulseboard/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ANNOTATION_LIST_DEFAULT_LIMIT, ANNOTATION_LIST_MAX_LIMIT, AnnotationsService } from './annotations.service.js';
import { SqliteAnnotationStore } from './sqlite-annotation.store.js';
import { SqliteDatabase } from './sqlite-database.js';

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

/** An author as a token names them: display name and subject alike. */
const author = (name: string) => ({ name, id: name });

function viewer(id: string): Principal {
  return tokenPrincipal({ sub: id, role: 'viewer', address: '10.0.0.1' });
}

describe('AnnotationsService', () => {
  let dir: string;
  let database: SqliteDatabase;
  let service: AnnotationsService;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulseboard-annotations-'));
    database = SqliteDatabase.open(join(dir, 'pulseboard.db'));
    service = new AnnotationsService(new SqliteAnnotationStore(database));
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
    const recording = new AnnotationsService({
      add: () => Promise.resolve(),
      list: (query) => {
        limits.push(query.limit);
        return Promise.resolve([]);
      },
      deleteForDashboard: () => Promise.resolve(0),
      get: () => Promise.resolve(undefined),
      delete: () => Promise.resolve(false),
    });
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
      const note = await service.create({ dashboard: 'ops', t: 1, text: 'x' }, { name: 'anonymous', id: null });
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
});
