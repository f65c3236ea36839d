import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ApiError, type Principal } from '@pulseboard/api';
import {
  annotationTextProblem,
  feedNameProblem,
  timestampProblem,
  type AnnotateMessage,
  type Annotation,
  type AnnotationRemovedEvent,
} from '@pulseboard/protocol';
import { ANNOTATION_STORE, type AnnotationStore } from './annotation-store.js';
import { checkDashboardId } from './dashboard-id.js';

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

/**
 * Writing and reading dashboard annotations. Input is checked here, not only
 * at the edge, because both the HTTP API and the socket gateway reach it.
 * Broadcasting a new annotation to the dashboard's viewers is the caller's job.
 */
/** Who writes an annotation: a display name, and the token subject (`null` in open mode). */
export interface AnnotationAuthor {
  name: string;
  id: string | null;
}

@Injectable()
export class AnnotationsService {
  private readonly removedListeners = new Set<(removed: AnnotationRemovedEvent) => void>();

  constructor(@Inject(ANNOTATION_STORE) private readonly store: AnnotationStore) {}

  /**
   * Stores a new annotation by `author` and answers it with its id. Text is
   * kept exactly as written. Throws a 400 `ApiError`: `invalid_dashboard`,
   * `invalid_feed_name`, or `bad_request` for `t` or `text`.
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
    await this.store.add(annotation, Date.now(), author.id);
    return annotation;
  }

  /**
   * Deletes one annotation of `dashboard`: its author (same token subject)
   * or an admin may. Tells the {@link removed} listeners, so that viewers of
   * the dashboard see it go. Throws a 400 `invalid_dashboard`, a 404
   * `annotation_not_found` or a 403 `forbidden` `ApiError`.
   */
  async delete(dashboard: string, id: string, caller: Principal): Promise<void> {
    checkDashboardId(dashboard);
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

/** The feed an annotation is about, or `null` for the whole dashboard. */
function checkFeed(feed: unknown): string | null {
  if (feed === undefined || feed === null) return null;
  const problem = feedNameProblem(feed);
  if (problem !== undefined) throw new ApiError(400, 'invalid_feed_name', problem);
  return feed as string;
}
