import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnnotationsService } from '@pulseboard/dashboards';
import type { Annotation } from '@pulseboard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, getJson } from './support/http.js';
import { startServer, type TestServer } from './support/server.js';

describe('annotations API', () => {
  let dataDir: string;
  let server: TestServer;
  let annotations: AnnotationsService;
  const url = (dashboard: string, query = ''): string =>
    `${server.url}/api/v1/dashboards/${dashboard}/annotations${query}`;

  /** An author in open mode. */
  const by = (name: string) => ({ name, id: null, quotaKey: 'address:127.0.0.1' });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pulseboard-e2e-'));
    server = await startServer({ DATA_DIR: dataDir });
    annotations = server.app.get(AnnotationsService);
    // only saved dashboards take annotations
    for (const id of ['e2e.ops', 'e2e.other', 'e2e.durable']) {
      const saved = await fetch(`${server.url}/api/v1/dashboards/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: id, window: '5m', panels: [] }),
      });
      expect(saved.status).toBe(201);
    }
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers an empty list for a dashboard nobody annotated', async () => {
    const res = await getJson<Annotation[]>(url('never-annotated'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('lists annotations by time, with inclusive bounds and a limit', async () => {
    const late = await annotations.create({ dashboard: 'e2e.ops', t: 3000, text: 'rollback' }, by('bob'));
    const early = await annotations.create(
      { dashboard: 'e2e.ops', t: 1000, text: 'deploy v2', feed: 'host1.cpu' },
      by('ada'),
    );
    const middle = await annotations.create({ dashboard: 'e2e.ops', t: 2000, text: 'spike' }, by('ada'));
    await annotations.create({ dashboard: 'e2e.other', t: 2000, text: 'elsewhere' }, by('ada'));

    const all = await getJson<Annotation[]>(url('e2e.ops'));
    expect(all.status).toBe(200);
    expect(all.body).toEqual([early, middle, late]);
    expect(all.body[0]).toEqual({
      id: early.id,
      dashboard: 'e2e.ops',
      t: 1000,
      text: 'deploy v2',
      feed: 'host1.cpu',
      author: 'ada',
    });
    expect(all.body[1].feed).toBeNull();

    const window = await getJson<Annotation[]>(url('e2e.ops', '?from=2000&to=3000'));
    expect(window.body.map((a) => a.text)).toEqual(['spike', 'rollback']);
    const from = await getJson<Annotation[]>(url('e2e.ops', '?from=2001'));
    expect(from.body.map((a) => a.text)).toEqual(['rollback']);
    const limited = await getJson<Annotation[]>(url('e2e.ops', '?limit=2'));
    expect(limited.body.map((a) => a.text)).toEqual(['deploy v2', 'spike']);
  });

  it('answers 400 invalid_dashboard for a bad dashboard id', async () => {
    for (const id of ['no!pe', 'has%20space', 'd'.repeat(129)]) {
      const res = await getJson(url(id));
      expect(res.status, id).toBe(400);
      expect(errorCode(res.body), id).toBe('invalid_dashboard');
    }
  });

  it('answers 400 invalid_query for a bad window or limit', async () => {
    for (const query of ['?from=soon', '?to=1e3x', '?from=2000&to=1000', '?limit=-1', '?limit=10001', '?limit=two']) {
      const res = await getJson(url('e2e.ops', query));
      expect(res.status, query).toBe(400);
      expect(errorCode(res.body), query).toBe('invalid_query');
    }
  });

  it('keeps annotations across a restart', async () => {
    const kept = await annotations.create({ dashboard: 'e2e.durable', t: 42, text: 'still here' }, by('ada'));
    await server.close();
    server = await startServer({ DATA_DIR: dataDir });
    annotations = server.app.get(AnnotationsService);
    const res = await getJson<Annotation[]>(url('e2e.durable'));
    expect(res.body).toEqual([kept]);
  });
});
