import { ApiError } from '@pulseboard/api';
import type { Annotation, Dashboard, DashboardSummary } from '@pulseboard/protocol';
import { type Redis } from 'ioredis';
import type { AnnotationQuery, AnnotationStore, AnnotationUsage, StoredAnnotation } from './annotation-store.js';
import type { DashboardStore, DashboardUsage } from './dashboard-store.js';

/**
 * Redis could not be asked (it is away or the connection broke); answered
 * `503 store_unavailable`. The client is not told Redis's own reason (it
 * names addresses and internals); it stays on the error as `cause`.
 */
export class StoreUnavailableError extends ApiError {
  constructor(cause: unknown) {
    super(503, 'store_unavailable', 'dashboards and annotations cannot be reached right now; retry shortly', [], {
      'Retry-After': '1',
    });
    this.cause = cause;
  }
}

/** A Redis reply, or `StoreUnavailableError` when Redis could not be asked. */
async function reach<T>(command: Promise<T>): Promise<T> {
  try {
    return await command;
  } catch (error) {
    throw new StoreUnavailableError(error);
  }
}

/** An annotation as kept in Redis: the annotation, when it was made, and its author's subject. */
interface AnnotationRecord {
  annotation: Annotation;
  createdAt: number;
  authorId: string | null;
}

/** A number Redis answered (a reply of `GET`/`HGET` included), 0 for none. */
function count(reply: unknown): number {
  const value = Number(reply ?? 0);
  return Number.isFinite(value) ? value : 0;
}

/** The replies of a transaction, or `StoreUnavailableError` when one failed. */
function replies(results: [Error | null, unknown][] | null): unknown[] {
  if (results === null) throw new StoreUnavailableError(new Error('transaction aborted'));
  return results.map(([error, reply]) => {
    if (error !== null) throw new StoreUnavailableError(error);
    return reply;
  });
}

// A dashboard counts (against its quota key, and in the bytes) while it has an entry in the
// quota-key hash; the scripts below change both together, so the counts always match what is saved.
// KEYS: dashboards, quota keys (id → key), usage (key → count), bytes.

/** ARGV: id, JSON, quota key. A replaced dashboard keeps its key; one saved before quotas gains one. */
const PUT_DASHBOARD = `
local before = redis.call('HSTRLEN', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[3]) == 1 then
  redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
  redis.call('INCRBY', KEYS[4], #ARGV[2])
else
  redis.call('INCRBY', KEYS[4], #ARGV[2] - before)
end`;

/** ARGV: id. Answers 1 when there was a dashboard. */
const DELETE_DASHBOARD = `
local size = redis.call('HSTRLEN', KEYS[1], ARGV[1])
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
local key = redis.call('HGET', KEYS[2], ARGV[1])
if key then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('DECRBY', KEYS[4], size)
  if redis.call('HINCRBY', KEYS[3], key, -1) <= 0 then redis.call('HDEL', KEYS[3], key) end
end
return 1`;

/** ARGV: id, key, id, key, …: dashboards saved before quotas, counted once against their owner ('' for none). */
const COUNT_DASHBOARDS = `
for i = 1, #ARGV, 2 do
  local id, key = ARGV[i], ARGV[i + 1]
  if redis.call('HEXISTS', KEYS[1], id) == 1 and redis.call('HSETNX', KEYS[2], id, key) == 1 then
    if key ~= '' then redis.call('HINCRBY', KEYS[3], key, 1) end
    redis.call('INCRBY', KEYS[4], redis.call('HSTRLEN', KEYS[1], id))
  end
end`;

/**
 * Saved dashboards in Redis, for instances that share one: a hash
 * `<prefix>:dashboards` of id → the dashboard as JSON; for quotas, a hash
 * `<prefix>:dashboard-quota-keys` of id → the user it counts against,
 * `<prefix>:dashboard-usage` of user → count, and `<prefix>:dashboard-bytes`.
 */
export class RedisDashboardStore implements DashboardStore {
  private readonly key: string;
  private readonly countKeys: string[];

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}:dashboards`;
    this.countKeys = [
      this.key,
      `${prefix}:dashboard-quota-keys`,
      `${prefix}:dashboard-usage`,
      `${prefix}:dashboard-bytes`,
    ];
  }

  /**
   * Counts the dashboards saved before this server kept counts (by an older
   * version). Called when the store opens; a dashboard already counted is
   * skipped, so instances starting together do no harm.
   */
  async countExisting(): Promise<void> {
    const [, quotaKeys] = this.countKeys;
    const [ids, counted] = await Promise.all([
      reach(this.redis.hkeys(this.key)),
      reach(this.redis.hkeys(quotaKeys)).then((keys) => new Set(keys)),
    ]);
    const uncounted = ids.filter((id) => !counted.has(id));
    if (uncounted.length === 0) return;
    const documents = await reach(this.redis.hmget(this.key, ...uncounted));
    const pairs = uncounted.flatMap((id, i) => {
      const json = documents[i];
      return json === null ? [] : [id, (JSON.parse(json) as Dashboard).owner ?? ''];
    });
    if (pairs.length > 0) await reach(this.redis.eval(COUNT_DASHBOARDS, 4, ...this.countKeys, ...pairs));
  }

  async get(id: string): Promise<Dashboard | undefined> {
    const json = await reach(this.redis.hget(this.key, id));
    return json === null ? undefined : (JSON.parse(json) as Dashboard);
  }

  async has(id: string): Promise<boolean> {
    return (await reach(this.redis.hexists(this.key, id))) === 1;
  }

  async list(): Promise<DashboardSummary[]> {
    const all = await reach(this.redis.hgetall(this.key));
    return Object.values(all).map((json) => {
      const dashboard = JSON.parse(json) as Dashboard;
      return {
        id: dashboard.id,
        title: dashboard.title,
        panels: dashboard.panels.length,
        updatedAt: dashboard.updatedAt,
      };
    });
  }

  async put(dashboard: Dashboard, quotaKey: string): Promise<void> {
    const json = JSON.stringify({ ...dashboard, owner: dashboard.owner ?? null });
    await reach(this.redis.eval(PUT_DASHBOARD, 4, ...this.countKeys, dashboard.id, json, quotaKey));
  }

  async delete(id: string): Promise<boolean> {
    return (await reach(this.redis.eval(DELETE_DASHBOARD, 4, ...this.countKeys, id))) === 1;
  }

  async usage(quotaKey: string): Promise<DashboardUsage> {
    const [dashboards, , usage, bytes] = this.countKeys;
    const [total, own, size] = replies(
      await reach(this.redis.multi().hlen(dashboards).hget(usage, quotaKey).get(bytes).exec()),
    );
    return { total: count(total), own: count(own), bytes: count(size) };
  }
}

// An annotation counts (in the total, and against its quota key unless that is '') while it has an
// entry in its dashboard's quota-key hash; the scripts change both together.
// KEYS: by time, by id, quota keys (id → key) of one dashboard; usage (key → count), total.

/** ARGV: id. Answers 1 when there was an annotation. */
const DELETE_ANNOTATION = `
if redis.call('HDEL', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
local key = redis.call('HGET', KEYS[3], ARGV[1])
if key then
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('DECR', KEYS[5])
  if key ~= '' and redis.call('HINCRBY', KEYS[4], key, -1) <= 0 then redis.call('HDEL', KEYS[4], key) end
end
return 1`;

/** Answers how many annotations the dashboard had. */
const DELETE_DASHBOARD_ANNOTATIONS = `
local had = redis.call('ZCARD', KEYS[1])
local keys = redis.call('HVALS', KEYS[3])
local per = {}
for _, key in ipairs(keys) do
  if key ~= '' then per[key] = (per[key] or 0) + 1 end
end
for key, n in pairs(per) do
  if redis.call('HINCRBY', KEYS[4], key, -n) <= 0 then redis.call('HDEL', KEYS[4], key) end
end
if #keys > 0 then redis.call('DECRBY', KEYS[5], #keys) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return had`;

/** ARGV: id, key, id, key, …: annotations written before quotas, counted once against their author ('' for none). */
const COUNT_ANNOTATIONS = `
for i = 1, #ARGV, 2 do
  local id, key = ARGV[i], ARGV[i + 1]
  if redis.call('HEXISTS', KEYS[2], id) == 1 and redis.call('HSETNX', KEYS[3], id, key) == 1 then
    redis.call('INCR', KEYS[5])
    if key ~= '' then redis.call('HINCRBY', KEYS[4], key, 1) end
  end
end`;

/**
 * Annotations in Redis, per dashboard: a sorted set `<prefix>:annotations:<dashboard>`
 * of ids scored by `t` (the time-window index), and a hash beside it of id →
 * the annotation as JSON. For quotas: a hash `<prefix>:annotation-quota-keys:<dashboard>`
 * of id → the user it counts against, `<prefix>:annotation-usage` of user →
 * count, and the total `<prefix>:annotation-count`. They change together, in
 * one transaction or script.
 */
export class RedisAnnotationStore implements AnnotationStore {
  private readonly usageKey: string;
  private readonly totalKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.usageKey = `${prefix}:annotation-usage`;
    this.totalKey = `${prefix}:annotation-count`;
  }

  /**
   * Counts the annotations written before this server kept counts (by an
   * older version), once per Redis. Called when the store opens; one already
   * counted is skipped, so instances starting together do no harm.
   */
  async countExisting(): Promise<void> {
    const done = `${this.prefix}:annotations-counted`;
    if ((await reach(this.redis.exists(done))) === 1) return;
    const byIdPrefix = `${this.prefix}:annotation:`;
    let cursor = '0';
    do {
      const [next, found] = await reach(this.redis.scan(cursor, 'MATCH', `${byIdPrefix}*`, 'COUNT', 100));
      cursor = next;
      for (const key of found) await this.countDashboard(key.slice(byIdPrefix.length));
    } while (cursor !== '0');
    await reach(this.redis.set(done, '1'));
  }

  async add(annotation: Annotation, createdAt: number, authorId?: string | null, quotaKey = ''): Promise<void> {
    const record: AnnotationRecord = { annotation, createdAt, authorId: authorId ?? null };
    const { byTime, byId, quotaKeys } = this.keys(annotation.dashboard);
    const add = this.redis
      .multi()
      .zadd(byTime, annotation.t, annotation.id)
      .hset(byId, annotation.id, JSON.stringify(record))
      .hset(quotaKeys, annotation.id, quotaKey)
      .incr(this.totalKey);
    if (quotaKey !== '') add.hincrby(this.usageKey, quotaKey, 1);
    replies(await reach(add.exec()));
  }

  async list(query: AnnotationQuery): Promise<Annotation[]> {
    const { byTime, byId } = this.keys(query.dashboard);
    const from = query.from === undefined ? '-inf' : String(query.from);
    const to = query.to === undefined ? '+inf' : String(query.to);
    const ids = await reach(this.redis.zrangebyscore(byTime, from, to, 'LIMIT', 0, query.limit));
    if (ids.length === 0) return [];
    const records = (await reach(this.redis.hmget(byId, ...ids)))
      .filter((json): json is string => json !== null)
      .map((json) => JSON.parse(json) as AnnotationRecord);
    // by time, then in the order they were made
    records.sort((x, y) => x.annotation.t - y.annotation.t || x.createdAt - y.createdAt);
    return records.map((record) => record.annotation);
  }

  async get(dashboard: string, id: string): Promise<StoredAnnotation | undefined> {
    const json = await reach(this.redis.hget(this.keys(dashboard).byId, id));
    if (json === null) return undefined;
    const record = JSON.parse(json) as AnnotationRecord;
    return { annotation: record.annotation, authorId: record.authorId };
  }

  async delete(dashboard: string, id: string): Promise<boolean> {
    return (await reach(this.redis.eval(DELETE_ANNOTATION, 5, ...this.scriptKeys(dashboard), id))) === 1;
  }

  async deleteForDashboard(dashboard: string): Promise<number> {
    return count(await reach(this.redis.eval(DELETE_DASHBOARD_ANNOTATIONS, 5, ...this.scriptKeys(dashboard))));
  }

  async usage(quotaKey: string): Promise<AnnotationUsage> {
    const [total, own] = replies(
      await reach(this.redis.multi().get(this.totalKey).hget(this.usageKey, quotaKey).exec()),
    );
    return { total: count(total), own: count(own) };
  }

  /** Counts the annotations of one dashboard that are not counted yet, against their author. */
  private async countDashboard(dashboard: string): Promise<void> {
    const { byId, quotaKeys } = this.keys(dashboard);
    const [ids, counted] = await Promise.all([
      reach(this.redis.hkeys(byId)),
      reach(this.redis.hkeys(quotaKeys)).then((keys) => new Set(keys)),
    ]);
    const uncounted = ids.filter((id) => !counted.has(id));
    if (uncounted.length === 0) return;
    const records = await reach(this.redis.hmget(byId, ...uncounted));
    const pairs = uncounted.flatMap((id, i) => {
      const json = records[i];
      return json === null ? [] : [id, (JSON.parse(json) as AnnotationRecord).authorId ?? ''];
    });
    if (pairs.length > 0) await reach(this.redis.eval(COUNT_ANNOTATIONS, 5, ...this.scriptKeys(dashboard), ...pairs));
  }

  private keys(dashboard: string): { byTime: string; byId: string; quotaKeys: string } {
    return {
      byTime: `${this.prefix}:annotations:${dashboard}`,
      byId: `${this.prefix}:annotation:${dashboard}`,
      quotaKeys: `${this.prefix}:annotation-quota-keys:${dashboard}`,
    };
  }

  /** The KEYS of the scripts above, for `dashboard`. */
  private scriptKeys(dashboard: string): string[] {
    const { byTime, byId, quotaKeys } = this.keys(dashboard);
    return [byTime, byId, quotaKeys, this.usageKey, this.totalKey];
  }
}
