import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AnnotationsService } from '@pulseboard/dashboards';
import type {
  Annotation,
  Dashboard,
  DashboardDocument,
  DashboardSummary,
  ErrorBody,
  Panel,
} from '@pulseboard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, getJson, type JsonResponse } from './support/http.js';
import { startServer, type TestServer } from './support/server.js';

function panel(extra: Partial<Panel> | Record<string, unknown> = {}): Panel {
  return {
    id: 'cpu',
    kind: 'timeseries',
    title: 'CPU',
    unit: '%',
    feeds: ['host1.cpu.user', 'host2.cpu.user'],
    x: 0,
    y: 0,
    w: 8,
    h: 4,
    ...extra,
  };
}

function document(title: string, extra: Partial<DashboardDocument> | Record<string, unknown> = {}): DashboardDocument {
  return {
    title,
    window: '15m',
    panels: [
      panel(),
      panel({ id: 'p99', kind: 'stat', title: 'p99', unit: 'ms', feeds: ['api.p99'], x: 8, w: 4, h: 2 }),
    ],
    ...extra,
  };
}

/** Sends `body` (JSON-encoded unless already a string) as `application/json`, or as `contentType` (`null`: none). */
function send<T>(
  method: string,
  url: string,
  body: unknown,
  contentType: string | null = 'application/json',
): Promise<JsonResponse<T>> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  // a Blob without a type keeps fetch from adding text/plain when the test sends no content type
  const payload = contentType === null ? new Blob([text]) : text;
  return getJson<T>(url, {
    method,
    body: payload,
    headers: contentType === null ? {} : { 'content-type': contentType },
  });
}

/** The fields named by an error's details. */
function fields(body: unknown): (string | undefined)[] {
  return (body as ErrorBody).error.details.map((d) => d.field);
}

describe('dashboards API', () => {
  let server: TestServer;
  const url = (id = ''): string => `${server.url}/api/v1/dashboards${id === '' ? '' : `/${id}`}`;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('lists no dashboards before any is saved', async () => {
    const res = await getJson<DashboardSummary[]>(url());
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('creates a dashboard with POST under a new id, answering 201 with its Location', async () => {
    const before = Date.now();
    const res = await send<Dashboard>('POST', url(), document('Checkout'));
    expect(res.status).toBe(201);
    const { id, createdAt, updatedAt } = res.body;
    expect(id).toMatch(/^[0-9a-z]{10}$/);
    expect(res.body).toEqual({ id, ...document('Checkout'), createdAt, updatedAt, owner: null });
    expect(createdAt).toBeGreaterThanOrEqual(before);
    expect(updatedAt).toBe(createdAt);
    expect(res.headers.get('location')).toBe(`/api/v1/dashboards/${id}`);

    const read = await getJson<Dashboard>(`${server.url}${res.headers.get('location')}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);

    const other = await send<Dashboard>('POST', url(), document('Checkout'));
    expect(other.body.id).not.toBe(id);
  });

  it('creates with PUT under a chosen id (201), then replaces it (200) keeping createdAt', async () => {
    const created = await send<Dashboard>('PUT', url('home'), document('Home'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'home', title: 'Home' });

    await sleep(5);
    const replacement = document('Home (new)', { window: '1h', panels: [panel({ w: 12 })] });
    const replaced = await send<Dashboard>('PUT', url('home'), replacement);
    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual({
      id: 'home',
      ...replacement,
      createdAt: created.body.createdAt,
      updatedAt: replaced.body.updatedAt,
      owner: null,
    });
    expect(replaced.body.updatedAt).toBeGreaterThan(created.body.updatedAt);
    expect((await getJson<Dashboard>(url('home'))).body).toEqual(replaced.body);
  });

  it('lists summaries ordered by title, then by id', async () => {
    await send('PUT', url('list.b'), document('Zeta', { panels: [] }));
    await send('PUT', url('list.a'), document('Zeta'));
    const res = await getJson<DashboardSummary[]>(url());
    expect(res.status).toBe(200);
    const titles = res.body.map((d) => d.title);
    expect(titles).toEqual([...titles].sort());
    const zeta = res.body.filter((d) => d.title === 'Zeta');
    expect(zeta.map((d) => [d.id, d.panels])).toEqual([
      ['list.a', 2],
      ['list.b', 0],
    ]);
    expect(Object.keys(zeta[0]).sort()).toEqual(['id', 'panels', 'title', 'updatedAt']);
  });

  it('deletes a dashboard with its annotations (204), then answers 404', async () => {
    await send('PUT', url('doomed'), document('Doomed'));
    const annotations = server.app.get(AnnotationsService);
    const ada = { name: 'ada', id: null, quotaKey: 'address:127.0.0.1' };
    await annotations.create({ dashboard: 'doomed', t: 1000, text: 'deploy' }, ada);
    await annotations.create({ dashboard: 'home', t: 1000, text: 'kept' }, ada);

    const res = await fetch(url('doomed'), { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');

    const gone = await getJson(url('doomed'));
    expect(gone.status).toBe(404);
    expect(errorCode(gone.body)).toBe('dashboard_not_found');
    expect((await getJson<Annotation[]>(`${url('doomed')}/annotations`)).body).toEqual([]);
    expect((await getJson<Annotation[]>(`${url('home')}/annotations`)).body.map((a) => a.text)).toEqual(['kept']);

    const again = await getJson(url('doomed'), { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(errorCode(again.body)).toBe('dashboard_not_found');
  });

  it('answers 404 dashboard_not_found for a dashboard never saved', async () => {
    const res = await getJson(url('never-saved'));
    expect(res.status).toBe(404);
    expect(errorCode(res.body)).toBe('dashboard_not_found');
  });

  it('answers 400 invalid_dashboard for a bad id on GET, PUT and DELETE', async () => {
    for (const id of ['no!pe', 'has%20space', 'd'.repeat(129)]) {
      for (const res of [
        await getJson(url(id)),
        await send('PUT', url(id), document('Bad id')),
        await getJson(url(id), { method: 'DELETE' }),
      ]) {
        expect(res.status, id).toBe(400);
        expect(errorCode(res.body), id).toBe('invalid_dashboard');
      }
    }
  });

  it('accepts a body just under 256 KB and refuses one of 300 KB with 413', async () => {
    // 100 panels of 20 long feed names: about 250 KB
    const feeds = Array.from({ length: 20 }, (_, i) => `${'f'.repeat(115)}.${i}`);
    const large = document('Large', { panels: Array.from({ length: 100 }, (_, i) => panel({ id: `p${i}`, feeds })) });
    const size = Buffer.byteLength(JSON.stringify(large));
    expect(size).toBeGreaterThan(240 * 1024);
    expect(size).toBeLessThanOrEqual(256 * 1024);
    expect((await send('PUT', url('large'), large)).status).toBe(201);

    const huge = document('Huge', { panels: [panel({ title: 'x'.repeat(300 * 1024) })] });
    for (const [method, target] of [
      ['POST', url()],
      ['PUT', url('huge')],
    ]) {
      const res = await send(method, target, huge);
      expect(res.status, method).toBe(413);
      expect(errorCode(res.body), method).toBe('payload_too_large');
    }
    expect((await getJson(url('huge'))).status).toBe(404);
  });

  it('answers 415 unsupported_media_type for a body that is not application/json', async () => {
    const body = JSON.stringify(document('Typed'));
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', null]) {
      const res = await send('PUT', url('typed'), body, type);
      expect(res.status, String(type)).toBe(415);
      expect(errorCode(res.body), String(type)).toBe('unsupported_media_type');
    }
    expect((await send('PUT', url('typed'), body, 'application/json; charset=utf-8')).status).toBe(201);
  });

  it('answers 400 invalid_json for malformed JSON and an empty body', async () => {
    for (const body of ['{"title":"Ops",', '', 'nope']) {
      const res = await send('POST', url(), body);
      expect(res.status, body).toBe(400);
      expect(errorCode(res.body), body).toBe('invalid_json');
    }
  });

  it.each<[string, unknown, string, string[]]>([
    ['an unknown key', document('Ops', { colour: 'red' }), 'invalid_body', ['colour']],
    [
      'an unknown panel key',
      document('Ops', { panels: [panel({ colour: 'red' })] }),
      'invalid_body',
      ['panels.0.colour'],
    ],
    ['x + w over 12 columns', document('Ops', { panels: [panel({ x: 6, w: 7 })] }), 'invalid_body', ['panels.0.w']],
    ['duplicate panel ids', document('Ops', { panels: [panel(), panel({ y: 4 })] }), 'invalid_body', ['panels.1.id']],
    [
      'a bad feed name',
      document('Ops', { panels: [panel({ feeds: ['ok', 'a..b'] })] }),
      'invalid_pattern',
      ['panels.0.feeds.1'],
    ],
    ['an empty title', document(''), 'invalid_body', ['title']],
    ['an unknown window', document('Ops', { window: '2d' }), 'invalid_body', ['window']],
    ['a fractional height', document('Ops', { panels: [panel({ h: 2.5 })] }), 'invalid_body', ['panels.0.h']],
    ['an array', [document('Ops')], 'invalid_body', ['']],
  ])('answers 400 for %s, naming the field, and stores nothing', async (_, body, code, named) => {
    const put = await send('PUT', url('refused'), body);
    expect(put.status).toBe(400);
    expect(errorCode(put.body)).toBe(code);
    expect(fields(put.body)).toEqual(named);
    const post = await send('POST', url(), body);
    expect(post.status).toBe(400);
    expect(errorCode(post.body)).toBe(code);
    expect((await getJson(url('refused'))).status).toBe(404);
  });
});

describe('dashboards across a restart', () => {
  let dataDir: string;
  let server: TestServer | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'pulseboard-e2e-'));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers the same dashboards after the server restarts with the same DATA_DIR', async () => {
    server = await startServer({ DATA_DIR: dataDir });
    const saved = await send<Dashboard>('PUT', `${server.url}/api/v1/dashboards/home`, document('Home ✓'));
    expect(saved.status).toBe(201);
    const list = await getJson<DashboardSummary[]>(`${server.url}/api/v1/dashboards`);
    await server.close();

    server = await startServer({ DATA_DIR: dataDir });
    const read = await getJson<Dashboard>(`${server.url}/api/v1/dashboards/home`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(saved.body);
    expect((await getJson<DashboardSummary[]>(`${server.url}/api/v1/dashboards`)).body).toEqual(list.body);
  });
});
