import type { Annotation } from '@pulseboard/protocol';

/** Which annotations of one dashboard to read. */
export interface AnnotationQuery {
  dashboard: string;
  /** Earliest `t` included (ms); no lower bound when absent. */
  from?: number;
  /** Latest `t` included (ms); no upper bound when absent. */
  to?: number;
  /** Most annotations answered. */
  limit: number;
}

/** A stored annotation with the token subject of its author (`null` when written in open mode). */
export interface StoredAnnotation {
  annotation: Annotation;
  authorId: string | null;
}

/** How many annotations are kept: in all, and of one user (see `AnnotationStore.usage`). */
export interface AnnotationUsage {
  total: number;
  own: number;
}

/**
 * An extension point: where annotations are kept. The built-in store is
 * SQLite; a shared store (e.g. Redis, for several server instances) provides
 * the same interface under `ANNOTATION_STORE`. Methods answer promises so a
 * networked store fits; callers always await them.
 */
export interface AnnotationStore {
  /**
   * Keeps `annotation` durably; `createdAt` (ms) orders annotations that mark
   * the same moment; `authorId` is the author's token subject; `quotaKey` is
   * the user whose quota it counts against (see {@link usage}).
   */
  add(annotation: Annotation, createdAt: number, authorId?: string | null, quotaKey?: string): Promise<void>;
  /** One annotation of a dashboard, with its author's subject. */
  get(dashboard: string, id: string): Promise<StoredAnnotation | undefined>;
  /** Deletes one annotation of a dashboard; `false` when there was none. */
  delete(dashboard: string, id: string): Promise<boolean>;
  /** Annotations of `query.dashboard` with `from <= t <= to`, by `t` then by creation, at most `query.limit`. */
  list(query: AnnotationQuery): Promise<Annotation[]>;
  /** Removes every annotation of `dashboard`; answers how many there were. */
  deleteForDashboard(dashboard: string): Promise<number>;
  /**
   * Annotations kept in all, and those added with `quotaKey`. Asked before
   * every write, so it must not read every annotation: stores keep counts.
   */
  usage(quotaKey: string): Promise<AnnotationUsage>;
  /** Releases what the store holds; called once when the application shuts down. */
  close?(): void | Promise<void>;
}

/** Injection token of the `AnnotationStore` in use. */
export const ANNOTATION_STORE = Symbol('pulseboard:annotation-store');
