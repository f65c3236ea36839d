import { TIME_WINDOW_MS, type Annotation } from '@pulseboard/protocol';
import type { PulseboardApi } from './api';
import { uniqueById } from './feed-registry';

/** The part of the live client an annotation list uses. */
export interface AnnotationSource {
  readonly api: PulseboardApi;
  onAnnotation(listener: (annotation: Annotation) => void): () => void;
  onControlConnect(listener: () => void): () => void;
}

/** Annotations kept per dashboard: the longest window's worth is far below this. */
const MAX_ANNOTATIONS = 1_000;
/** History loaded: the longest time window a dashboard shows. */
const LOOKBACK_MS = TIME_WINDOW_MS['1h'];

/**
 * One dashboard's annotations, ordered by time: the last hour loaded over
 * HTTP, then every new one as the control socket announces it (the page must
 * have joined the dashboard for that). Reloaded when the socket reconnects,
 * since announcements made while it was away are not replayed.
 */
export class AnnotationList {
  #items = $state.raw<Annotation[]>([]);
  readonly #source: AnnotationSource;
  readonly #dashboard: string;
  #controller = new AbortController();

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
    if (this.#items.some((item) => item.id === annotation.id)) return;
    this.#items = merge(this.#items, [annotation]);
  }

  async #load(signal: AbortSignal): Promise<void> {
    try {
      const loaded = await this.#source.api.annotations(this.#dashboard, Date.now() - LOOKBACK_MS, undefined, signal);
      if (signal.aborted) return;
      this.#items = merge(this.#items, loaded);
    } catch {
      // the markers are an extra: a chart without them is still right, and the next reconnect loads again
    }
  }
}

function merge(items: readonly Annotation[], added: readonly Annotation[]): Annotation[] {
  return uniqueById([...items, ...added])
    .sort((a, b) => a.t - b.t)
    .slice(-MAX_ANNOTATIONS);
}
