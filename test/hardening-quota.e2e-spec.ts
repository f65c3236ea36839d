import type { DashboardDocument, Panel } from '@pulseboard/protocol';
import type { SocketOptions } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { Environment } from '../apps/server/src/config/config.js';
import { bearer, startAuthServer, token } from './support/auth.js';
import type { AckAnswer, ControlClient } from './support/control-client.js';
import { hardenedSuite, type HardenedSuite } from './support/hardened-suite.js';
import { errorCode, getJson, type JsonResponse } from './support/http.js';
import { metricValue } from './support/metrics.js';
import { RedisServer, redisServerAvailable } from './support/redis.js';
import { startServer } from './support/server.js';

/** A dashboard document of `panels` stat panels with long titles: about 280 bytes a panel. */
function dashboard(title: string, panels = 0): DashboardDocument {
  const panel = (i: number): Panel => ({
    id: `p${i}`,
    kind: 'stat',
    title: 't'.repeat(200),
    unit: '',
    feeds: [],
    x: 0,
    y: i,
    w: 1,
    h: 1,
  });
  return { title, window: '5m', panels: Array.from({ length: panels }, (_, i) => panel(i)) };
}

/** The code of a refused acknowledgement, `ok` when it was accepted. */
const outcome = (ack: AckAnswer): string => (ack.ok ? 'ok' : ack.error.code);

let redis: RedisServer | undefined;
let prefixes = 0;
afterAll(() => redis?.destroy());

/** Where the server keeps dashboards and annotations: each suite below runs with every store. */
const STORES: [string, () => Promise<Environment>][] = [['SQLite', () => Promise.resolve({})]];
if (redisServerAvailable()) {
  STORES.push([
    'Redis',
    async () => {
      redis ??= await RedisServer.start();
      return { REDIS_URL: redis.url, REDIS_PREFIX: `quota${++prefixes}` };
    },
  ]);
}

describe.each(STORES)('stored data limits (%s)', (_store, storeEnv) => {
  /** A suite on an auth server with `env`; `admin` reads /metrics and is the bystander. */
  const authSuite = (env: Environment) => {
    const tokens = { admin: '' };
    const suite = hardenedSuite(
      async () => startAuthServer({ ...(await storeEnv()), ...env }),
      async () => {
        tokens.admin = await token({ role: 'admin', sub: 'bystander' });
        return { token: tokens.admin };
      },
    );
    /** A viewer's control socket. */
    const viewer = async (sub: string): Promise<ControlClient> =>
      suite.socket({ auth: { token: await token({ role: 'viewer', sub }) } });
    /** A dashboards request of a viewer (or `admin`) with a JSON body. */
    const request = async <T = unknown>(
      sub: string,
      method: string,
      path: string,
      body?: unknown,
    ): Promise<JsonResponse<T>> => {
      const role = sub === 'admin' ? 'admin' : 'viewer';
      return getJson<T>(`${suite.server.url}/api/v1/dashboards${path}`, {
        method,
        headers: { ...bearer(await token({ role, sub })), 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    };
    const refusals = (code: string): Promise<number> =>
      metricValue(suite.server.url, `pulseboard_refusals_total{code="${code}"}`, bearer(tokens.admin));
    return { suite, viewer, request, refusals };
  };

  describe('annotations on dashboards that do not exist', () => {
    const { suite, viewer, request, refusals } = authSuite({});

    it('refuses them with dashboard_not_found, stores nothing, and keeps the unsaved home and saved ones', async () => {
      const before = await refusals('dashboard_not_found');
      const alice = await viewer('alice');
      const refused = await alice.ack('annotate', { dashboard: 'nowhere', t: 1000, text: 'x'.repeat(2000) });
      expect(refused).toMatchObject({ ok: false, error: { code: 'dashboard_not_found' } });
      expect((await request<unknown[]>('alice', 'GET', '/nowhere/annotations')).body).toEqual([]);
      expect(await refusals('dashboard_not_found')).toBe(before + 1);

      // the dashboard UI shows `home` before anyone saved it, and annotates it there
      expect(outcome(await alice.ack('annotate', { dashboard: 'home', t: 1000, text: 'on the overview' }))).toBe('ok');
      expect((await request('alice', 'PUT', '/ops', dashboard('Ops'))).status).toBe(201);
      expect(outcome(await alice.ack('annotate', { dashboard: 'ops', t: 1000, text: 'deploy' }))).toBe('ok');
      const home = await request<{ text: string }[]>('alice', 'GET', '/home/annotations');
      expect(home.body.map((note) => note.text)).toEqual(['on the overview']);
      await suite.bystander.stillServes();
    });
  });

  describe('annotations per user', () => {
    const { suite, viewer, request, refusals } = authSuite({ MAX_ANNOTATIONS_PER_USER: '3' });

    it('refuses a user’s annotation past MAX_ANNOTATIONS_PER_USER with annotation_quota_exceeded, others unaffected', async () => {
      const before = await refusals('annotation_quota_exceeded');
      const [alice, bob] = [await viewer('alice'), await viewer('bob')];
      const ids: string[] = [];
      for (const t of [1, 2, 3]) {
        const ack = await alice.ack('annotate', { dashboard: 'home', t, text: `note ${t}` });
        expect(outcome(ack)).toBe('ok');
        ids.push(ack.id as string);
      }
      expect(outcome(await alice.ack('annotate', { dashboard: 'home', t: 4, text: 'one too many' }))).toBe(
        'annotation_quota_exceeded',
      );
      expect(await refusals('annotation_quota_exceeded')).toBe(before + 1);
      expect(outcome(await bob.ack('annotate', { dashboard: 'home', t: 5, text: 'mine' }))).toBe('ok');

      // a deleted annotation gives its slot back
      expect((await request('alice', 'DELETE', `/home/annotations/${ids[0]}`)).status).toBe(204);
      expect(outcome(await alice.ack('annotate', { dashboard: 'home', t: 6, text: 'again' }))).toBe('ok');
      const listed = await request<{ text: string }[]>('bob', 'GET', '/home/annotations');
      expect(listed.body.map((note) => note.text)).toEqual(['note 2', 'note 3', 'mine', 'again']);
      await suite.bystander.stillServes();
    });
  });

  describe('annotations in all', () => {
    const { suite, viewer, request, refusals } = authSuite({ MAX_ANNOTATIONS_PER_USER: '3', MAX_ANNOTATIONS: '4' });

    it('refuses any annotation past MAX_ANNOTATIONS with too_many_annotations until one is deleted', async () => {
      const before = await refusals('too_many_annotations');
      const [alice, bob] = [await viewer('alice'), await viewer('bob')];
      for (const t of [1, 2, 3])
        expect(outcome(await alice.ack('annotate', { dashboard: 'home', t, text: 'a' }))).toBe('ok');
      const last = await bob.ack('annotate', { dashboard: 'home', t: 4, text: 'b' });
      expect(outcome(last)).toBe('ok');
      expect(outcome(await bob.ack('annotate', { dashboard: 'home', t: 5, text: 'b' }))).toBe('too_many_annotations');
      const carol = await viewer('carol');
      expect(outcome(await carol.ack('annotate', { dashboard: 'home', t: 6, text: 'c' }))).toBe('too_many_annotations');
      expect(await refusals('too_many_annotations')).toBe(before + 2);

      expect((await request('admin', 'DELETE', `/home/annotations/${String(last.id)}`)).status).toBe(204);
      expect(outcome(await carol.ack('annotate', { dashboard: 'home', t: 7, text: 'c' }))).toBe('ok');
      expect((await request<unknown[]>('carol', 'GET', '/home/annotations')).body).toHaveLength(4);
      await suite.bystander.stillServes();
    });

    it('takes a dashboard’s annotations off the counts when the dashboard is deleted', async () => {
      const dave = await viewer('dave');
      expect((await request('admin', 'PUT', '/doomed', dashboard('Doomed'))).status).toBe(201);
      const refused = await dave.ack('annotate', { dashboard: 'doomed', t: 1, text: 'd' });
      expect(outcome(refused)).toBe('too_many_annotations');
      const home = await request<{ id: string }[]>('admin', 'GET', '/home/annotations');
      for (const note of home.body) {
        expect((await request('admin', 'DELETE', `/home/annotations/${note.id}`)).status).toBe(204);
      }
      for (const t of [1, 2, 3]) {
        expect(outcome(await dave.ack('annotate', { dashboard: 'doomed', t, text: 'd' }))).toBe('ok');
      }
      // his count and the total go down with the dashboard
      expect((await request('admin', 'DELETE', '/doomed')).status).toBe(204);
      for (const t of [1, 2, 3]) {
        expect(outcome(await dave.ack('annotate', { dashboard: 'home', t, text: 'd' }))).toBe('ok');
      }
      await suite.bystander.stillServes();
    });
  });

  describe('dashboards per user and in all', () => {
    const { suite, request, refusals } = authSuite({ MAX_DASHBOARDS_PER_USER: '2', MAX_DASHBOARDS: '3' });

    it('refuses a user’s new dashboard past MAX_DASHBOARDS_PER_USER (403) and any past MAX_DASHBOARDS (507)', async () => {
      const [quota, full] = [await refusals('dashboard_quota_exceeded'), await refusals('too_many_dashboards')];
      expect((await request('alice', 'POST', '', dashboard('First'))).status).toBe(201);
      expect((await request('alice', 'PUT', '/alice-2', dashboard('Second'))).status).toBe(201);
      const third = await request('alice', 'POST', '', dashboard('Third'));
      expect([third.status, errorCode(third.body)]).toEqual([403, 'dashboard_quota_exceeded']);
      const thirdById = await request('alice', 'PUT', '/alice-3', dashboard('Third'));
      expect([thirdById.status, errorCode(thirdById.body)]).toEqual([403, 'dashboard_quota_exceeded']);
      // replacing one of her own adds nothing
      expect((await request('alice', 'PUT', '/alice-2', dashboard('Second, renamed'))).status).toBe(200);

      expect((await request('bob', 'PUT', '/bob-1', dashboard('Bob'))).status).toBe(201);
      const carol = await request('carol', 'POST', '', dashboard('Carol'));
      expect([carol.status, errorCode(carol.body)]).toEqual([507, 'too_many_dashboards']);
      expect((await request<unknown[]>('carol', 'GET', '')).body).toHaveLength(3);
      expect(await refusals('dashboard_quota_exceeded')).toBe(quota + 2);
      expect(await refusals('too_many_dashboards')).toBe(full + 1);

      // a deleted dashboard gives its slot back, to its owner and to everyone
      expect((await request('alice', 'DELETE', '/alice-2')).status).toBe(204);
      expect((await request('carol', 'POST', '', dashboard('Carol'))).status).toBe(201);
      const again = await request('alice', 'PUT', '/alice-2', dashboard('Second'));
      expect([again.status, errorCode(again.body)]).toEqual([507, 'too_many_dashboards']);
      await suite.bystander.stillServes();
    });
  });

  describe('dashboard bytes', () => {
    const { suite, request, refusals } = authSuite({ MAX_DASHBOARD_BYTES: '8192' });

    it('refuses a save that would take the stored dashboards past MAX_DASHBOARD_BYTES with 507', async () => {
      const before = await refusals('dashboard_storage_full');
      expect((await request('alice', 'PUT', '/big-a', dashboard('A', 10))).status).toBe(201);
      expect((await request('bob', 'PUT', '/big-b', dashboard('B', 10))).status).toBe(201);
      const full = await request('carol', 'PUT', '/big-c', dashboard('C', 10));
      expect([full.status, errorCode(full.body)]).toEqual([507, 'dashboard_storage_full']);
      const growing = await request('alice', 'PUT', '/big-a', dashboard('A', 20));
      expect([growing.status, errorCode(growing.body)]).toEqual([507, 'dashboard_storage_full']);
      expect(await refusals('dashboard_storage_full')).toBe(before + 2);

      // a smaller save frees what it no longer holds
      expect((await request('alice', 'PUT', '/big-a', dashboard('A', 1))).status).toBe(200);
      expect((await request('carol', 'PUT', '/big-c', dashboard('C', 10))).status).toBe(201);
      await suite.bystander.stillServes();
    });
  });

  describe('write rate per user', () => {
    const { suite, viewer, request, refusals } = authSuite({ WRITE_RATE_LIMIT: '1', WRITE_RATE_BURST: '3' });

    it('answers writes past WRITE_RATE_LIMIT with 429 rate_limited and Retry-After, and the socket’s ack too', async () => {
      const before = await refusals('rate_limited');
      const alice = await viewer('alice');
      expect((await request('alice', 'PUT', '/rated', dashboard('Rated'))).status).toBe(201);
      // the burst is 3 and at most one more write a second: of 6 at once, most are refused
      const saves = await Promise.all(Array.from({ length: 6 }, () => request('alice', 'POST', '', dashboard('More'))));
      const refused = saves.filter((res) => res.status !== 201);
      expect(refused.length).toBeGreaterThanOrEqual(2);
      for (const res of refused) {
        expect([res.status, errorCode(res.body)]).toEqual([429, 'rate_limited']);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
      const acks = await Promise.all(
        Array.from({ length: 4 }, (_, t) => alice.ack('annotate', { dashboard: 'rated', t, text: 'fast' })),
      );
      const limited = acks.filter((ack) => outcome(ack) === 'rate_limited').length;
      expect(limited).toBeGreaterThanOrEqual(2);
      expect(await refusals('rate_limited')).toBe(before + refused.length + limited);

      // another user writes at once; reads are not writes
      expect((await request('bob', 'PUT', '/bobs', dashboard('Bob'))).status).toBe(201);
      expect(outcome(await (await viewer('bob')).ack('annotate', { dashboard: 'rated', t: 9, text: 'd' }))).toBe('ok');
      expect((await request('alice', 'GET', '/rated')).status).toBe(200);
      await suite.bystander.stillServes();
    });
  });
});

describe('stored data limits in open mode', () => {
  const suite: HardenedSuite = hardenedSuite(() =>
    startServer({ MAX_ANNOTATIONS_PER_USER: '2', WRITE_RATE_LIMIT: '1', WRITE_RATE_BURST: '3' }),
  );
  /** A socket from another loopback address: another anonymous user. */
  const from = (localAddress: string) => ({ localAddress }) as Partial<SocketOptions>;

  it('keys quotas and the write rate of anonymous users by client address', async () => {
    const [here, there] = [await suite.socket(), await suite.socket(from('127.0.0.3'))];
    expect(outcome(await here.ack('annotate', { dashboard: 'home', t: 1, text: 'a' }))).toBe('ok');
    expect(outcome(await here.ack('annotate', { dashboard: 'home', t: 2, text: 'b' }))).toBe('ok');
    expect(outcome(await here.ack('annotate', { dashboard: 'home', t: 3, text: 'c' }))).toBe(
      'annotation_quota_exceeded',
    );
    // the burst (3) is spent and at most one more write a second comes
    const acks = await Promise.all(
      Array.from({ length: 4 }, (_, t) => here.ack('annotate', { dashboard: 'home', t, text: 'fast' })),
    );
    expect(acks.filter((ack) => outcome(ack) === 'rate_limited').length).toBeGreaterThanOrEqual(2);
    expect(outcome(await there.ack('annotate', { dashboard: 'home', t: 5, text: 'e' }))).toBe('ok');
    await suite.bystander.stillServes();
  });
});
