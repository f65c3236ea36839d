import { ApiError } from '@pulseboard/api';
import type { Annotation, Dashboard, DashboardSummary } from '@pulseboard/protocol';
import { type Redis } from 'ioredis';
import type { AnnotationQuery, AnnotationStore, StoredAnnotation } from './annotation-store.js';
import type { DashboardStore } from './dashboard-store.js';

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

/**
 * Saved dashboards in Redis, for instances that share one: a hash
 * `<prefix>:dashboards` of id → the dashboard as JSON.
 */
export class RedisDashboardStore implements DashboardStore {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}:dashboards`;
  }

  async get(id: string): Promise<Dashboard | undefined> {
    const json = await reach(this.redis.hget(this.key, id));
    return json === null ? undefined : (JSON.parse(json) as Dashboard);
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

  async put(dashboard: Dashboard): Promise<void> {
    await reach(
      this.redis.hset(this.key, dashboard.id, JSON.stringify({ ...dashboard, owner: dashboard.owner ?? null })),
    );
  }

  async delete(id: string): Promise<boolean> {
    return (await reach(this.redis.hdel(this.key, id))) > 0;
  }
}

/**
 * Annotations in Redis, per dashboard: a sorted set `<prefix>:annotations:<dashboard>`
 * of ids scored by `t` (the time-window index), and a hash beside it of id →
 * the annotation as JSON. Both change in one transaction.
 */
export class RedisAnnotationStore implements AnnotationStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async add(annotation: Annotation, createdAt: number, authorId?: string | null): Promise<void> {
    const record: AnnotationRecord = { annotation, createdAt, authorId: authorId ?? null };
    const { byTime, byId } = this.keys(annotation.dashboard);
    await reach(
      this.redis
        .multi()
        .zadd(byTime, annotation.t, annotation.id)
        .hset(byId, annotation.id, JSON.stringify(record))
        .exec(),
    );
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
    const { byTime, byId } = this.keys(dashboard);
    const replies = await reach(this.redis.multi().zrem(byTime, id).hdel(byId, id).exec());
    return replies?.[1]?.[1] === 1;
  }

  async deleteForDashboard(dashboard: string): Promise<number> {
    const { byTime, byId } = this.keys(dashboard);
    const replies = await reach(this.redis.multi().zcard(byTime).del(byTime, byId).exec());
    const count = replies?.[0]?.[1];
    return typeof count === 'number' ? count : 0;
  }

  private keys(dashboard: string): { byTime: string; byId: string } {
    return { byTime: `${this.prefix}:annotations:${dashboard}`, byId: `${this.prefix}:annotation:${dashboard}` };
  }
}
