import { TIME_WINDOW_MS, type Annotation, type AnnotationRemovedEvent } from '@pulseboard/protocol';
import { ApiError, type PulseboardApi } from './api';
import { uniqueById } from './feed-registry';

/** The part of the live client an annotation list uses. */
export interface AnnotationSource {
  readonly api: PulseboardApi;
  onAnnotation(listener: (annotation: Annotation) => void): () => void;
  onAnnotationRemoved(listener: (removed: AnnotationRemovedEvent) => void): () => void;
  onControlConnect(listener: () => void): () => void;
}

/** Annotations kept per dashboard: the longest window's worth is far below this. */
const MAX_ANNOTATIONS = 1_000;
/** History loaded: the longest time window a dashboard shows. */
const LOOKBACK_MS = TIME_WINDOW_MS['1h'];

/**
 * One dashboard's annotations, ordered by time: the last hour loaded over
 * HTTP, then every new one as the control socket announces it, less those it
 * announces deleted (the page must have joined the dashboard for that).
 * Reloaded when the socket reconnects, since announcements made while it was
 * away are not replayed: the reload adds what was made meanwhile and drops,
 * within the hour it covers, what was deleted meanwhile.
 */
export class AnnotationList {
  #items = $state.raw<Annotation[]>([]);
  readonly #source: AnnotationSource;
  readonly #dashboard: string;
  #controller = new AbortController();
  /**
   * Ids deleted while this list lives (bounded, oldest forgotten first): a
   * load answered before a deletion must not bring the annotation back.
   */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping only: nothing renders from it
  readonly #removed = new Set<string>();
  /** Per load on its way, the ids announced meanwhile: its answer may predate them. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping only: nothing renders from it
  readonly #announcedDuringLoads = new Set<Set<string>>();

  constructor(source: AnnotationSource, dashboard: string) {
    this.#source = source;
    this.#dashboard = dashboard;
  }

  get items(): readonly Annotation[] {
    return this.#items;
  }

  listen(): () => void {
    const controller = new AbortController();
    this.#controller = controller;
    const load = () => void this.#load(controller.signal);
    const stops = [
      this.#source.onAnnotation((annotation) => {
        if (annotation.dashboard === this.#dashboard) this.add(annotation);
      }),
      this.#source.onAnnotationRemoved((removed) => {
        if (removed.dashboard === this.#dashboard) this.remove(removed.id);
      }),
      this.#source.onControlConnect(load),
    ];
    load();
    return () => {
      controller.abort();
      for (const stop of stops) stop();
    };
  }

  /** Loads again (for an annotation this page made without being in the dashboard's room). */
  refresh(): void {
    void this.#load(this.#controller.signal);
  }

  /** Adds one (a no-op for an id already held). */
  add(annotation: Annotation): void {
    for (const announced of this.#announcedDuringLoads) announced.add(annotation.id);
    if (this.#items.some((item) => item.id === annotation.id)) return;
    this.#items = this.#merge(this.#items, [annotation]);
  }

  /** Drops one (a no-op for an id not held). */
  remove(id: string): void {
    this.#removed.add(id);
    // a Set iterates in insertion order: the first is the oldest
    for (const old of this.#removed) {
      if (this.#removed.size <= MAX_ANNOTATIONS) break;
      this.#removed.delete(old);
    }
    if (this.#items.some((item) => item.id === id)) this.#items = this.#items.filter((item) => item.id !== id);
  }

  /**
   * Deletes one on the server, then drops it here without waiting for the
   * announcement. Rejects with the server's {@link ApiError} (a 403
   * `forbidden` when the page is neither its author nor an admin) and keeps it.
   */
  async delete(id: string): Promise<void> {
    try {
      await this.#source.api.deleteAnnotation(this.#dashboard, id);
    } catch (error) {
      // deleted elsewhere already, and its announcement missed: gone all the same
      if (!(error instanceof ApiError && error.code === 'annotation_not_found')) throw error;
    }
    this.remove(id);
  }

  async #load(signal: AbortSignal): Promise<void> {
    const from = Date.now() - LOOKBACK_MS;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping only: nothing renders from it
    const announced = new Set<string>();
    this.#announcedDuringLoads.add(announced);
    try {
      const loaded = await this.#source.api.annotations(this.#dashboard, { from, limit: MAX_ANNOTATIONS, signal });
      if (signal.aborted) return;
      // fewer than asked for is all of the window: one held here of that window, neither in the answer nor
      // announced since it was asked for, was deleted while the socket was away
      const whole = loaded.length < MAX_ANNOTATIONS;
      const listed = loaded.map((annotation) => annotation.id);
      const kept = whole
        ? this.#items.filter((item) => item.t < from || listed.includes(item.id) || announced.has(item.id))
        : this.#items;
      this.#items = this.#merge(kept, loaded);
    } catch {
      // the markers are an extra: a chart without them is still right, and the next reconnect loads again
    } finally {
      this.#announcedDuringLoads.delete(announced);
    }
  }

  #merge(held: readonly Annotation[], added: readonly Annotation[]): Annotation[] {
    return uniqueById([...held, ...added.filter((annotation) => !this.#removed.has(annotation.id))])
      .sort((a, b) => a.t - b.t)
      .slice(-MAX_ANNOTATIONS);
  }
}
