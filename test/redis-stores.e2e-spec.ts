import { RedisAnnotationStore, RedisDashboardStore } from '@pulseboard/dashboards';
import type { Annotation, Dashboard, Panel } from '@pulseboard/protocol';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer, redisServerAvailable } from './support/redis.js';

function dashboard(id: string, owner: string | null, panels = 0): Dashboard {
  const panel: Omit<Panel, 'id'> = {
    kind: 'stat',
    title: 'CPU ✓',
    unit: '%',
    feeds: ['host1.cpu'],
    x: 0,
    y: 0,
    w: 1,
    h: 1,
  };
  return {
    id,
    title: id,
    window: '5m',
    panels: Array.from({ length: panels }, (_, i) => ({ ...panel, id: `p${i}`, y: i })),
    createdAt: 1,
    updatedAt: 1,
    owner,
  };
}

function annotation(id: string, dashboard: string): Annotation {
  return { id, dashboard, t: 1, text: 'deploy ✓', feed: null, author: 'ada' };
}

/** Bytes of a dashboard as the Redis store keeps it. */
const bytes = (d: Dashboard): number => Buffer.byteLength(JSON.stringify(d));

// the counts the quotas read are kept by scripts inside Redis; these check them against a real one
describe.runIf(redisServerAvailable())('Redis stores: counts for quotas', () => {
  let server: RedisServer;
  let redis: Redis;
  let prefixes = 0;
  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    await redis?.quit();
    await server?.destroy();
  });

  it('counts dashboards in all, per quota key and in bytes as they are saved, replaced and deleted', async () => {
    const store = new RedisDashboardStore(redis, `stores${++prefixes}`);
    const [ops, sales] = [dashboard('ops', 'ada', 2), dashboard('sales', null)];
    await store.put(ops, 'ada');
    await store.put(sales, 'address:10.0.0.1');
    expect(await store.has('ops')).toBe(true);
    expect(await store.has('nope')).toBe(false);
    expect(await store.usage('ada')).toEqual({ total: 2, own: 1, bytes: bytes(ops) + bytes(sales) });
    // replaced by an admin, it still counts against its creator
    const bigger = dashboard('ops', 'ada', 5);
    await store.put(bigger, 'root');
    expect(await store.usage('ada')).toEqual({ total: 2, own: 1, bytes: bytes(bigger) + bytes(sales) });
    expect((await store.usage('root')).own).toBe(0);
    expect(await store.delete('ops')).toBe(true);
    expect(await store.delete('ops')).toBe(false);
    expect(await store.usage('ada')).toEqual({ total: 1, own: 0, bytes: bytes(sales) });
    expect(await store.usage('address:10.0.0.1')).toEqual({ total: 1, own: 1, bytes: bytes(sales) });
  });

  it('counts annotations in all and per quota key, down again when one or a dashboard’s are deleted', async () => {
    const store = new RedisAnnotationStore(redis, `stores${++prefixes}`);
    await store.add(annotation('a', 'ops'), 1, 'ada', 'ada');
    await store.add(annotation('b', 'ops'), 2, 'ada', 'ada');
    await store.add(annotation('c', 'ops'), 3, null, 'address:10.0.0.1');
    await store.add(annotation('d', 'sales'), 4, 'ada', 'ada');
    expect(await store.usage('ada')).toEqual({ total: 4, own: 3 });
    expect(await store.delete('ops', 'a')).toBe(true);
    expect(await store.delete('ops', 'a')).toBe(false);
    expect(await store.usage('ada')).toEqual({ total: 3, own: 2 });
    expect(await store.deleteForDashboard('ops')).toBe(2);
    expect(await store.usage('ada')).toEqual({ total: 1, own: 1 });
    expect(await store.usage('address:10.0.0.1')).toEqual({ total: 1, own: 0 });
  });

  it('counts what an older version stored, once, against its owners and authors', async () => {
    const prefix = `stores${++prefixes}`;
    // as the stores wrote them before they kept counts
    const [ops, open] = [dashboard('ops', 'ada', 3), dashboard('open', null)];
    await redis.hset(`${prefix}:dashboards`, 'ops', JSON.stringify(ops), 'open', JSON.stringify(open));
    for (const [id, authorId] of [
      ['a', 'ada'],
      ['b', null],
    ] as const) {
      await redis.zadd(`${prefix}:annotations:ops`, 1, id);
      const record = { annotation: annotation(id, 'ops'), createdAt: 1, authorId };
      await redis.hset(`${prefix}:annotation:ops`, id, JSON.stringify(record));
    }
    const dashboards = new RedisDashboardStore(redis, prefix);
    const annotations = new RedisAnnotationStore(redis, prefix);
    for (let start = 0; start < 2; start++) {
      await dashboards.countExisting();
      await annotations.countExisting();
    }
    expect(await dashboards.usage('ada')).toEqual({ total: 2, own: 1, bytes: bytes(ops) + bytes(open) });
    expect(await annotations.usage('ada')).toEqual({ total: 2, own: 1 });

    expect(await annotations.delete('ops', 'b')).toBe(true);
    expect(await dashboards.delete('ops')).toBe(true);
    expect(await annotations.deleteForDashboard('ops')).toBe(1);
    expect(await dashboards.usage('ada')).toEqual({ total: 1, own: 0, bytes: bytes(open) });
    expect(await annotations.usage('ada')).toEqual({ total: 0, own: 0 });
  });
});
