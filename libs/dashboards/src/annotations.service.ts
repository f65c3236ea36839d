import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ApiError, type Principal } from '@pulseboard/api';
import {
  annotationTextProblem,
  canonicalSeriesKey,
  seriesKeyProblem,
  HOME_DASHBOARD_ID,
  timestampProblem,
  type AnnotateMessage,
  type Annotation,
  type AnnotationRemovedEvent,
} from '@pulseboard/protocol';
import { ANNOTATION_STORE, type AnnotationStore } from './annotation-store.js';
import { checkDashboardId } from './dashboard-id.js';
import { DASHBOARD_STORE, type DashboardStore } from './dashboard-store.js';
import { WriteLimits } from './write-limits.js';

/** Annotations answered when a listing names no limit. */
export const ANNOTATION_LIST_DEFAULT_LIMIT = 1000;
/** Most annotations one listing answers. */
export const ANNOTATION_LIST_MAX_LIMIT = 10_000;

/** Which annotations of a dashboard to list; bounds are inclusive ms. */
export interface AnnotationListQuery {
  from?: number;
  to?: number;
  /** At most `ANNOTATION_LIST_MAX_LIMIT`; `ANNOTATION_LIST_DEFAULT_LIMIT` when absent. */
  limit?: number;
}

/** Who writes an annotation. */
export interface AnnotationAuthor {
  /** Display name. */
  name: string;
  /** Token subject, `null` in open mode: who may delete it besides admins. */
  id: string | null;
  /** `Principal.id` (the token subject, or `address:<ip>` in open mode): whose quota and write rate it takes. */
  quotaKey: string;
}

/**
 * Writing and reading dashboard annotations. Input, quotas and the write
 * rate are checked here, not only at the edge, because both the HTTP API and
 * the socket gateway reach it. Broadcasting a new annotation to the
 * dashboard's viewers is the caller's job.
 */
@Injectable()
export class AnnotationsService {
  private readonly removedListeners = new Set<(removed: AnnotationRemovedEvent) => void>();

  constructor(
    @Inject(ANNOTATION_STORE) private readonly store: AnnotationStore,
    @Inject(DASHBOARD_STORE) private readonly dashboards: DashboardStore,
    private readonly limits: WriteLimits,
  ) {}

  /**
   * Stores a new annotation by `author` on a saved dashboard (or `home`,
   * which the dashboard UI shows before it is saved) and answers it with its
   * id. Text is kept exactly as written. Throws an `ApiError`: 400
   * `invalid_dashboard`, `invalid_feed_name`, or `bad_request` for `t` or
   * `text`; 429 `rate_limited`; 404 `dashboard_not_found`; 403
   * `annotation_quota_exceeded`; 507 `too_many_annotations`.
   */
  async create(input: AnnotateMessage, author: AnnotationAuthor): Promise<Annotation> {
    const annotation: Annotation = {
      id: randomUUID(),
      dashboard: checkDashboardId(input.dashboard),
      t: checkTime(input.t),
      text: checkText(input.text),
      feed: checkFeed(input.feed),
      author: author.name,
    };
    this.limits.takeWrite(author.quotaKey);
    if (annotation.dashboard !== HOME_DASHBOARD_ID && !(await this.dashboards.has(annotation.dashboard))) {
      throw new ApiError(
        404,
        'dashboard_not_found',
        `no dashboard ${JSON.stringify(annotation.dashboard)} to annotate`,
      );
    }
    this.limits.checkAnnotation(await this.store.usage(author.quotaKey));
    await this.store.add(annotation, Date.now(), author.id, author.quotaKey);
    return annotation;
  }

  /**
   * Deletes one annotation of `dashboard`: its author (same token subject)
   * or an admin may. Tells the {@link removed} listeners, so that viewers of
   * the dashboard see it go. Throws a 400 `invalid_dashboard`, a 429
   * `rate_limited`, a 404 `annotation_not_found` or a 403 `forbidden` `ApiError`.
   */
  async delete(dashboard: string, id: string, caller: Principal): Promise<void> {
    checkDashboardId(dashboard);
    this.limits.takeWrite(caller.id);
    const stored = await this.store.get(dashboard, id);
    if (stored === undefined) {
      throw new ApiError(404, 'annotation_not_found', `no annotation ${JSON.stringify(id)} on this dashboard`);
    }
    const own = stored.authorId !== null && !caller.anonymous && stored.authorId === caller.id;
    if (caller.role !== 'admin' && !own) {
      throw new ApiError(403, 'forbidden', 'only its author or an admin may delete an annotation');
    }
    if (!(await this.store.delete(dashboard, id))) {
      throw new ApiError(404, 'annotation_not_found', `no annotation ${JSON.stringify(id)} on this dashboard`);
    }
    for (const listener of this.removedListeners) listener({ dashboard, id });
  }

  /** Calls `listener` after each deletion; returns a function that stops it. */
  onRemoved(listener: (removed: AnnotationRemovedEvent) => void): () => void {
    this.removedListeners.add(listener);
    return () => this.removedListeners.delete(listener);
  }

  /**
   * Annotations of `dashboard` with `from <= t <= to`, ordered by `t` then by
   * creation; the earliest ones when there are more than the limit. A
   * dashboard nobody annotated answers `[]`. Throws a 400 `ApiError`:
   * `invalid_dashboard`, or `invalid_query` when `from` is after `to`.
   */
  async list(dashboard: string, query: AnnotationListQuery = {}): Promise<Annotation[]> {
    checkDashboardId(dashboard);
    if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
      throw new ApiError(400, 'invalid_query', 'from must not be after to', [
        { field: 'from', reason: 'must not be after to' },
      ]);
    }
    const limit = Math.min(query.limit ?? ANNOTATION_LIST_DEFAULT_LIMIT, ANNOTATION_LIST_MAX_LIMIT);
    return await this.store.list({ dashboard, from: query.from, to: query.to, limit });
  }
}

function checkTime(t: unknown): number {
  const problem = timestampProblem(t);
  if (problem !== undefined) throw new ApiError(400, 'bad_request', problem);
  return t as number;
}

function checkText(text: unknown): string {
  const problem = annotationTextProblem(text);
  if (problem !== undefined) throw new ApiError(400, 'bad_request', problem);
  return text as string;
}

/** The series (its key, canonical) an annotation is about, or `null` for the whole dashboard. */
function checkFeed(feed: unknown): string | null {
  if (feed === undefined || feed === null) return null;
  const problem = seriesKeyProblem(feed);
  if (problem !== undefined) throw new ApiError(400, 'invalid_feed_name', problem);
  return canonicalSeriesKey(feed as string);
}
