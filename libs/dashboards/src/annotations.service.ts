import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '@pulseboard/api';
import {
  ANNOTATION_TEXT_MAX_LENGTH,
  feedNameProblem,
  timestampProblem,
  type AnnotateMessage,
  type Annotation,
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
@Injectable()
export class AnnotationsService {
  constructor(@Inject(ANNOTATION_STORE) private readonly store: AnnotationStore) {}

  /**
   * Stores a new annotation by `author` and answers it with its id. Text is
   * kept exactly as written. Throws a 400 `ApiError`: `invalid_dashboard`,
   * `invalid_feed_name`, or `bad_request` for `t` or `text`.
   */
  async create(input: AnnotateMessage, author: string): Promise<Annotation> {
    const annotation: Annotation = {
      id: randomUUID(),
      dashboard: checkDashboardId(input.dashboard),
      t: checkTime(input.t),
      text: checkText(input.text),
      feed: checkFeed(input.feed),
      author,
    };
    await this.store.add(annotation, Date.now());
    return annotation;
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
  if (typeof text !== 'string') throw new ApiError(400, 'bad_request', 'text must be a string');
  if (text.length === 0) throw new ApiError(400, 'bad_request', 'text must not be empty');
  if (text.length > ANNOTATION_TEXT_MAX_LENGTH) {
    throw new ApiError(400, 'bad_request', `text must be at most ${ANNOTATION_TEXT_MAX_LENGTH} characters`);
  }
  // NUL ends strings in many consumers (C clients, some terminals and log pipelines)
  if (text.includes('\0')) throw new ApiError(400, 'bad_request', 'text must not contain NUL characters');
  return text;
}

/** The feed an annotation is about, or `null` for the whole dashboard. */
function checkFeed(feed: unknown): string | null {
  if (feed === undefined || feed === null) return null;
  const problem = feedNameProblem(feed);
  if (problem !== undefined) throw new ApiError(400, 'invalid_feed_name', problem);
  return feed as string;
}
