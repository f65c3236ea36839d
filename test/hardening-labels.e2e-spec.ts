import type { FeedInfo, PointsEvent, PollResponse } from '@pulseboard/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, startAuthServer, token } from './support/auth.js';
import { hardenedSuite } from './support/hardened-suite.js';
import { errorCode, getJson, post } from './support/http.js';

const json = (points: unknown[]): string => JSON.stringify({ points });
/** A selector or series key as one URL path segment or query value. */
const enc = encodeURIComponent;
const ACME = '>{tenant="acme"}';

describe('authorization by label', () => {
  let admin: string;
  let producer: string;
  let viewer: string;
  const suite = hardenedSuite(startAuthServer, async () => {
    admin = await token({ role: 'admin', sub: 'bystander' });
    return { token: admin };
  });
  beforeAll(async () => {
    producer = await token({ role: 'producer', sub: 'producer-acme', feeds: [ACME] });
    viewer = await token({ role: 'viewer', sub: 'viewer-acme', feeds: [ACME] });
  });
  const get = (path: string, headers: Record<string, string>) => getJson(`${suite.server.url}${path}`, { headers });
  const ingest = (points: unknown[], as: string) =>
    post(suite.server.url, json(points), 'application/json', '', bearer(as));
  /** Ingests as the admin, expecting the points stored. */
  const ingested = async (points: unknown[]): Promise<void> => {
    expect((await ingest(points, admin)).status).toBe(202);
  };

  describe('ingest', () => {
    it('accepts a point of the tenant’s label and refuses one of another tenant or of none, whole', async () => {
      const ok = await ingest([{ feed: 'lab.in', labels: { tenant: 'acme', host: 'h1' }, v: 1 }], producer);
      expect(ok.status).toBe(202);
      for (const labels of [{ tenant: 'other' }, { host: 'h1' }, undefined]) {
        const res = await ingest([{ feed: 'lab.in', labels, v: 2 }], producer);
        expect(res.status, JSON.stringify(labels)).toBe(403);
        expect(errorCode(res.body), JSON.stringify(labels)).toBe('forbidden');
      }
      const mixed = await ingest(
        [
          { feed: 'lab.mixed', labels: { tenant: 'acme' }, v: 1 },
          { feed: 'lab.mixed', labels: { tenant: 'other' }, v: 2 },
        ],
        producer,
      );
      expect(mixed.status).toBe(403);
      expect((mixed.body as { error: { details: unknown[] } }).error.details).toEqual([
        { index: 1, reason: expect.stringContaining('lab.mixed{tenant="other"}') as string },
      ]);
      const stored = await get(`/api/v1/feeds/${enc('lab.mixed{tenant="acme"}')}/points`, bearer(admin));
      expect(stored.status).toBe(404);
      const kept = await get(`/api/v1/feeds/${enc('lab.in{host="h1",tenant="acme"}')}/points`, bearer(admin));
      expect(kept.body).toMatchObject({ v: [1] });
      await suite.bystander.stillServes();
    });
  });

  describe('streams, polls and sockets', () => {
    it.each([
      '/api/v1/stream?feeds=%3E',
      '/api/v1/stream?feeds=cpu.usage',
      `/api/v1/stream?feeds=${enc('cpu.usage{tenant="other"}')}`,
      `/api/v1/stream?feeds=${enc('>{tenant=~"acme"}')}`,
      `/api/v1/stream?feeds=${enc('>{tenant!="other"}')}`,
      `/api/v1/stream?feeds=${enc('cpu.usage{tenant="acme"},cpu.usage')}`,
      '/api/v1/feeds/cpu.usage/stream',
      `/api/v1/feeds/${enc('cpu.usage{host="h1"}')}/stream`,
    ])('refuses the stream %s outside the tenant’s label with 403 forbidden', async (path) => {
      const stream = await suite.stream(path, bearer(viewer));
      await stream.until((c) => c.ended, 10_000, 'the refusal to end');
      expect(stream.status).toBe(403);
      expect(errorCode(JSON.parse(stream.body))).toBe('forbidden');
      await suite.bystander.stillServes();
    });

    it.each([
      `/api/v1/stream?feeds=${enc('cpu.usage{tenant="acme"}')}`,
      `/api/v1/stream?feeds=${enc(ACME)}`,
      `/api/v1/stream?feeds=${enc('cpu.*{tenant="acme",host=~"h.*"},mem.used{tenant="acme"}')}`,
      `/api/v1/feeds/${enc('cpu.usage{tenant="acme"}')}/stream`,
    ])('opens the stream %s within the tenant’s label', async (path) => {
      const stream = await suite.stream(path, bearer(viewer));
      expect(stream.status).toBe(200);
      await stream.until((c) => c.named('hello').length === 1, 10_000, 'the hello');
      await suite.bystander.stillServes();
    });

    it('answers polls within the tenant’s label and refuses the others with 403 forbidden', async () => {
      for (const feeds of ['>', 'cpu.usage', 'cpu.usage{tenant="other"}', `cpu.usage{tenant="acme"},cpu.usage`]) {
        const res = await get(`/api/v1/poll?feeds=${enc(feeds)}`, bearer(viewer));
        expect(res.status, feeds).toBe(403);
        expect(errorCode(res.body), feeds).toBe('forbidden');
      }
      for (const feeds of ['cpu.usage{tenant="acme"}', ACME]) {
        const res = await get(`/api/v1/poll?feeds=${enc(feeds)}`, bearer(viewer));
        expect(res.status, feeds).toBe(200);
        expect(typeof (res.body as PollResponse).cursor).toBe('string');
      }
      await suite.bystander.stillServes();
    });

    it('answers a socket subscribe outside the tenant’s label with forbidden and keeps the socket', async () => {
      const socket = await suite.socket({ auth: { token: viewer } });
      for (const feeds of [['>'], ['cpu.usage'], ['>{tenant="other"}'], ['cpu.usage{tenant="acme"}', 'cpu.usage']]) {
        const ack = await socket.ack('subscribe', { feeds });
        expect(ack, feeds.join()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      }
      // matchers in any order are one subscription, and unsubscribe finds it so
      const subscribed = await socket.ack('subscribe', {
        feeds: ['lab.sock{tenant="acme",host="h1"}', 'lab.sock{host="h1",tenant="acme"}'],
      });
      expect(subscribed).toMatchObject({ ok: true, feeds: ['lab.sock{host="h1",tenant="acme"}'] });
      const unsubscribed = await socket.ack('unsubscribe', { feeds: ['lab.sock{tenant="acme", host="h1"}'] });
      expect(unsubscribed).toMatchObject({ ok: true, feeds: [] });
      expect(socket.disconnectReason).toBeUndefined();
      await suite.bystander.stillServes();
    });

    it('delivers the tenant’s series to a stream, a poll and a socket, and never another tenant’s', async () => {
      const stream = await suite.stream(`/api/v1/stream?feeds=${enc('lab.live{tenant="acme"}')}`, bearer(viewer));
      const socket = await suite.socket({ auth: { token: viewer } });
      expect(await socket.ack('subscribe', { feeds: [ACME] })).toMatchObject({ ok: true });
      const { cursor } = (await get(`/api/v1/poll?feeds=${enc(ACME)}`, bearer(viewer))).body as PollResponse;
      const polled = get(`/api/v1/poll?feeds=${enc(ACME)}&cursor=${enc(cursor)}&timeoutMs=10000`, bearer(viewer));
      await ingested([
        { feed: 'lab.live', labels: { tenant: 'other' }, v: 1 },
        { feed: 'lab.live', labels: { tenant: 'acme' }, v: 2 },
        { feed: 'lab.live', v: 3 },
      ]);
      const acme = 'lab.live{tenant="acme"}';
      await stream.untilPoints(acme, 1);
      await socket.untilValues(acme, 1);
      expect(Object.keys(((await polled).body as PollResponse).feeds)).toEqual([acme]);
      await suite.bystander.stillServes();
      expect(stream.named('points').flatMap((e) => Object.keys((JSON.parse(e.data) as PointsEvent).feeds))).toEqual([
        acme,
      ]);
      expect(socket.named('points').flatMap((e) => Object.keys(e.feeds))).toEqual([acme]);
    });

    it('resumes from a cursor only within the tenant’s label', async () => {
      const watcher = await suite.stream('/api/v1/stream?feeds=lab.r', bearer(admin));
      const both = (v: number) => [
        { feed: 'lab.r', labels: { tenant: 'acme' }, v },
        { feed: 'lab.r', labels: { tenant: 'other' }, v },
      ];
      const acme = 'lab.r{tenant="acme"}';
      const other = 'lab.r{tenant="other"}';
      await ingested(both(1));
      await watcher.untilPoints(other, 1);
      const cursor = watcher.lastId()!;
      expect(cursor).toBeDefined();
      await ingested(both(2));
      await watcher.untilPoints(other, 2);

      for (const feeds of ['lab.r', other, '>']) {
        const replay = await suite.stream(`/api/v1/stream?feeds=${enc(feeds)}`, {
          ...bearer(viewer),
          'last-event-id': cursor,
        });
        await replay.until((c) => c.ended, 10_000, 'the refusal to end');
        expect(replay.status, feeds).toBe(403);
        const poll = await get(`/api/v1/poll?feeds=${enc(feeds)}&cursor=${enc(cursor)}`, bearer(viewer));
        expect(poll.status, feeds).toBe(403);
      }

      const resumed = await suite.stream(`/api/v1/stream?feeds=${enc(ACME)}`, {
        ...bearer(viewer),
        'last-event-id': cursor,
      });
      expect(resumed.status).toBe(200);
      await resumed.untilPoints(acme, 1);
      const poll = await get(`/api/v1/poll?feeds=${enc(ACME)}&cursor=${enc(cursor)}`, bearer(viewer));
      expect((poll.body as PollResponse).feeds).toEqual({ [acme]: { t: [expect.any(Number)], v: [2] } });
      const socket = await suite.socket({ auth: { token: viewer } });
      expect(await socket.ack('subscribe', { feeds: [ACME], cursor })).toMatchObject({ ok: true });
      await socket.untilValues(acme, 1);
      await ingested(both(3));
      await resumed.untilPoints(acme, 2);
      await socket.untilValues(acme, 2);
      expect(resumed.points(acme).v).toEqual([2, 3]);
      expect(resumed.points(other).v).toEqual([]);
      expect(socket.values(acme)).toEqual([2, 3]);
      expect(socket.values(other)).toEqual([]);
      await suite.bystander.stillServes();
    });
  });

  describe('feed lists and points', () => {
    it('lists only the tenant’s series, with their keys, names and labels', async () => {
      await ingested([
        { feed: 'lab.list', labels: { tenant: 'acme', host: 'a' }, v: 1 },
        { feed: 'lab.list', labels: { tenant: 'other', host: 'a' }, v: 2 },
        { feed: 'lab.list', v: 3 },
      ]);
      const listed = await get('/api/v1/feeds?match=lab.list', bearer(viewer));
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual([
        expect.objectContaining({
          series: 'lab.list{host="a",tenant="acme"}',
          name: 'lab.list',
          labels: { host: 'a', tenant: 'acme' },
          retained: 1,
        }) as FeedInfo,
      ]);
      const other = await get(`/api/v1/feeds?match=${enc('lab.list{tenant="other"}')}`, bearer(viewer));
      expect(other.status).toBe(200);
      expect(other.body).toEqual([]);
      const all = await get(`/api/v1/feeds?match=lab.list`, bearer(admin));
      expect((all.body as FeedInfo[]).map((f) => f.series)).toEqual([
        'lab.list',
        'lab.list{host="a",tenant="acme"}',
        'lab.list{host="a",tenant="other"}',
      ]);
      await suite.bystander.stillServes();
    });

    it('refuses points of another tenant’s series with 403, whether or not it exists', async () => {
      await ingested([
        { feed: 'lab.secret', labels: { tenant: 'other' }, v: 1 },
        { feed: 'lab.secret', v: 2 },
      ]);
      for (const key of ['lab.secret{tenant="other"}', 'lab.secret', 'lab.nothing{tenant="other"}', 'lab.nothing']) {
        const res = await get(`/api/v1/feeds/${enc(key)}/points`, bearer(viewer));
        expect(res.status, key).toBe(403);
        expect(errorCode(res.body), key).toBe('forbidden');
      }
      const absent = await get(`/api/v1/feeds/${enc('lab.nothing{tenant="acme"}')}/points`, bearer(viewer));
      expect(absent.status).toBe(404);
      expect(errorCode(absent.body)).toBe('feed_not_found');
      await suite.bystander.stillServes();
    });

    it('reads a series’ points by its key URL-encoded, labels in any order and a / in a value', async () => {
      await ingested([{ feed: 'lab.path', labels: { tenant: 'acme', path: '/var/log', q: 'a,b="c"' }, v: 7 }]);
      for (const key of [
        'lab.path{path="/var/log",q="a,b=\\"c\\"",tenant="acme"}',
        'lab.path{tenant="acme",q="a,b=\\"c\\"",path="/var/log"}',
      ]) {
        const res = await get(`/api/v1/feeds/${enc(key)}/points`, bearer(viewer));
        expect(res.status, key).toBe(200);
        expect(res.body, key).toMatchObject({ v: [7] });
      }
      await suite.bystander.stillServes();
    });
  });

  describe('selectors that do not compile, and hostile regexes', () => {
    const bad = 'lab.cpu{host=~"("}';

    it('answers a regex that does not compile with 400 invalid_pattern before a stream opens', async () => {
      for (const path of [
        `/api/v1/stream?feeds=${enc(bad)}`,
        `/api/v1/stream?feeds=lab.ok,${enc(bad)}`,
        `/api/v1/feeds/${enc(bad)}/stream`,
        `/api/v1/poll?feeds=${enc(bad)}`,
        `/api/v1/feeds?match=${enc(bad)}`,
      ]) {
        const res = await get(path, bearer(admin));
        expect(res.status, path).toBe(400);
        expect(errorCode(res.body), path).toBe('invalid_pattern');
        expect(res.headers.get('content-type'), path).toContain('application/json');
      }
      const socket = await suite.socket({ auth: { token: admin } });
      for (const message of [{ feeds: [bad] }, { feeds: ['lab.ok', bad] }]) {
        expect(await socket.ack('subscribe', message)).toMatchObject({ ok: false, error: { code: 'invalid_pattern' } });
      }
      expect(await socket.ack('unsubscribe', { feeds: [bad] })).toMatchObject({
        ok: false,
        error: { code: 'invalid_pattern' },
      });
      expect(socket.disconnectReason).toBeUndefined();
      await suite.bystander.stillServes();
    });

    it('refuses a token whose feeds hold a regex that does not compile with 401 invalid_token', async () => {
      const res = await get('/api/v1/feeds', bearer(await token({ role: 'viewer', feeds: [bad] })));
      expect(res.status).toBe(401);
      expect(errorCode(res.body)).toBe('invalid_token');
      await suite.bystander.stillServes();
    });

    const hostile = 'lab.redos{host=~"(a+)+$"}';
    const long = 'a'.repeat(1000);

    it('answers a selector with a catastrophic-backtracking regex on every edge', async () => {
      await ingested([
        { feed: 'lab.redos', labels: { host: `${long}!` }, v: 1 },
        { feed: 'lab.redos', labels: { host: long }, v: 2 },
      ]);
      const listed = await get(`/api/v1/feeds?match=${enc(hostile)}`, bearer(admin));
      expect(listed.status).toBe(200);
      expect((listed.body as FeedInfo[]).map((f) => f.labels.host)).toEqual([long]);
      const stream = await suite.stream(`/api/v1/stream?feeds=${enc(hostile)}&history=60000`, bearer(admin));
      expect(stream.status).toBe(200);
      await stream.untilPoints(`lab.redos{host="${long}"}`, 1);
      const poll = await get(`/api/v1/poll?feeds=${enc(hostile)}`, bearer(admin));
      expect(poll.status).toBe(200);
      const socket = await suite.socket({ auth: { token: admin } });
      expect(await socket.ack('subscribe', { feeds: [hostile], history: 60_000 })).toMatchObject({ ok: true });
      await socket.untilValues(`lab.redos{host="${long}"}`, 1);
      await suite.bystander.stillServes();
    });

    it('judges access with a catastrophic-backtracking regex in a token against a long label value', async () => {
      const scoped = await token({ role: 'viewer', feeds: ['>{host=~"(a+)+$"}'] });
      const refused = await get(`/api/v1/feeds/${enc(`lab.redos{host="${long}!"}`)}/points`, bearer(scoped));
      expect(refused.status).toBe(403);
      expect(errorCode(refused.body)).toBe('forbidden');
      const allowed = await get(`/api/v1/feeds/${enc(`lab.none{host="${long}"}`)}/points`, bearer(scoped));
      expect(allowed.status).toBe(404);
      expect(errorCode(allowed.body)).toBe('feed_not_found');
      await suite.bystander.stillServes();
    });
  });
});
