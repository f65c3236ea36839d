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

/**
 * An extension point: where annotations are kept. The built-in store is
 * SQLite; a shared store (e.g. Redis, for several server instances) provides
 * the same interface under `ANNOTATION_STORE`. Methods answer promises so a
 * networked store fits; callers always await them.
 */
export interface AnnotationStore {
  /** Keeps `annotation` durably; `createdAt` (ms) orders annotations that mark the same moment. */
  add(annotation: Annotation, createdAt: number): Promise<void>;
  /** Annotations of `query.dashboard` with `from <= t <= to`, by `t` then by creation, at most `query.limit`. */
  list(query: AnnotationQuery): Promise<Annotation[]>;
  /** Removes every annotation of `dashboard`; answers how many there were. */
  deleteForDashboard(dashboard: string): Promise<number>;
  /** Releases what the store holds; called once when the application shuts down. */
  close?(): void | Promise<void>;
}

/** Injection token of the `AnnotationStore` in use. */
export const ANNOTATION_STORE = Symbol('pulseboard:annotation-store');
