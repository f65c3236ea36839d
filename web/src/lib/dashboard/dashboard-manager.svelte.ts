import {
  DEFAULT_PANEL_AGGREGATE,
  HOME_DASHBOARD_ID,
  type DashboardDocument,
  type Panel,
  type PanelAggregate,
  type PanelKind,
  type TimeWindow,
} from '@pulseboard/protocol';
import { ApiError, type PulseboardApi, type SeriesInfo } from '../data/api';
import { defaultDashboard } from './default-dashboard';
import { bottomRow, movePanel, placePanel, resizePanel, type Placement } from './grid-layout';
import type { Grouping } from './panel-lines';

/** Whether the server holds what the page shows. */
export type SaveState = 'saved' | 'saving' | 'unsaved';

/**
 * - `loading`: the first answer has not come;
 * - `ready`: a dashboard to show (saved, or the default home not saved yet);
 * - `no-feeds`: the default home has nothing to show: no feed exists yet;
 * - `missing`: no dashboard is saved under this id;
 * - `error`: the server could not be asked.
 */
export type DashboardStatus = 'loading' | 'ready' | 'no-feeds' | 'missing' | 'error';

/** A panel as the add form describes it; the grid places it. */
export interface PanelDraft {
  kind: PanelKind;
  title: string;
  unit: string;
  /** Selectors. */
  feeds: string[];
  groupBy?: string;
  aggregate?: PanelAggregate;
}

export interface DashboardManagerOptions {
  /** How long continuous edits (dragging, arrow keys) wait for more before they are saved. */
  saveDelayMs?: number;
  /** How often the feed list is asked again while there is no feed at all. */
  feedPollMs?: number;
}

/** The id whose default ("Overview") is built from the feed list when it was never saved. */
export const HOME_DASHBOARD = HOME_DASHBOARD_ID;

/** What a refused save (403) means to the one editing. */
const FORBIDDEN_MESSAGE = 'You can view this dashboard but not change it';

/**
 * One dashboard as the page edits it: loaded from the server (or built as
 * the default home), changed by the header and the grid, and saved with a
 * PUT. Discrete changes (title, window, adding or removing a panel) save at
 * once; continuous ones (moves, resizes) are debounced. Saves never overlap:
 * a change made during one is saved right after it.
 */
export class DashboardManager {
  readonly id: string;
  #status = $state<DashboardStatus>('loading');
  #document = $state.raw<DashboardDocument>({ title: '', window: '5m', panels: [] });
  #saveState = $state<SaveState>('saved');
  #problem = $state<string>();
  #forbidden = $state(false);
  #feedNames = $state.raw<string[]>([]);
  readonly #api: PulseboardApi;
  readonly #saveDelayMs: number;
  readonly #feedPollMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #saving: Promise<void> | undefined;
  /** A change came while a save was in flight. */
  #queued = false;
  #controller = new AbortController();

  constructor(api: PulseboardApi, id: string, options: DashboardManagerOptions = {}) {
    this.#api = api;
    this.id = id;
    this.#saveDelayMs = options.saveDelayMs ?? 600;
    this.#feedPollMs = options.feedPollMs ?? 3_000;
  }

  get status(): DashboardStatus {
    return this.#status;
  }

  get document(): DashboardDocument {
    return this.#document;
  }

  get saveState(): SaveState {
    return this.#saveState;
  }

  /** Why the last load or save failed, until one succeeds. */
  get problem(): string | undefined {
    return this.#problem;
  }

  /**
   * The server refused the last save for lack of rights (a viewer on someone
   * else's dashboard): changes stay on this page only, until a save succeeds.
   */
  get forbidden(): boolean {
    return this.#forbidden;
  }

  /** Feed names the server knows (each once, however many series it has), for the add form's suggestions. */
  get feedNames(): readonly string[] {
    return this.#feedNames;
  }

  /** Loads the dashboard; returns the cleanup, which saves a pending change at once. */
  listen(): () => void {
    const controller = new AbortController();
    this.#controller = controller;
    void this.#load(controller.signal);
    // a change still waiting for its debounce would be lost with the page
    const flush = () => {
      if (this.#timer !== undefined) void this.#save(true);
    };
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      controller.abort();
      flush();
    };
  }

  /** Asks the server for its feeds again (the add form's suggestions). */
  async refreshFeeds(): Promise<void> {
    try {
      this.#feedNames = namesOf(await this.#api.feeds(undefined, this.#controller.signal));
    } catch {
      // suggestions are a convenience; typing a name works without them
    }
  }

  setTitle(title: string): void {
    const clean = title.trim();
    if (clean === '' || clean === this.#document.title) return;
    this.#edit({ ...this.#document, title: clean }, true);
  }

  setWindow(window: TimeWindow): void {
    if (window === this.#document.window) return;
    this.#edit({ ...this.#document, window }, true);
  }

  /** Adds a panel below all others; returns its id. */
  addPanel(draft: PanelDraft): string {
    const panels = this.#document.panels;
    const id = freePanelId(panels);
    const size = draft.kind === 'stat' ? { w: 3, h: 2 } : { w: 6, h: 4 };
    const { groupBy, aggregate, ...rest } = draft;
    const panel = withGrouping(
      { id, ...rest, x: 0, y: bottomRow(panels), ...size },
      { groupBy, aggregate: aggregate ?? DEFAULT_PANEL_AGGREGATE },
    );
    this.#edit({ ...this.#document, panels: [...panels, panel] }, true);
    return id;
  }

  /** Draws a chart's lines per series, or per value of a label; saved at once. */
  setGrouping(id: string, grouping: Grouping): void {
    const panels = this.#document.panels.map((panel) => (panel.id === id ? withGrouping(panel, grouping) : panel));
    if (panels.some((panel, i) => panel !== this.#document.panels[i])) this.#edit({ ...this.#document, panels }, true);
  }

  removePanel(id: string): void {
    const panels = this.#document.panels.filter((panel) => panel.id !== id);
    if (panels.length !== this.#document.panels.length) this.#edit({ ...this.#document, panels }, true);
  }

  movePanel(id: string, dx: number, dy: number): void {
    this.#editPanels(movePanel(this.#document.panels, id, dx, dy));
  }

  resizePanel(id: string, dw: number, dh: number): void {
    this.#editPanels(resizePanel(this.#document.panels, id, dw, dh));
  }

  placePanel(id: string, placement: Placement): void {
    this.#editPanels(placePanel(this.#document.panels, id, placement));
  }

  /** Saves now (after a failed save, or to skip the debounce). */
  saveNow(): Promise<void> {
    return this.#save();
  }

  /** Saves a copy under a new id; resolves with that id. */
  async saveAsNew(title: string): Promise<string> {
    const copy = await this.#api.createDashboard({ ...this.#document, title: title.trim() || this.#document.title });
    return copy.id;
  }

  /** Creates the missing dashboard under this id, empty. */
  create(): void {
    this.#status = 'ready';
    this.#edit({ title: this.id, window: '5m', panels: [] }, true);
  }

  async #load(signal: AbortSignal): Promise<void> {
    try {
      // the default home is usually not saved yet: looked up in the list, so that a first visit logs no 404
      const saved =
        this.id === HOME_DASHBOARD
          ? await this.#api.listedDashboard(this.id, signal)
          : await this.#api.dashboard(this.id, signal);
      if (signal.aborted) return;
      if (saved !== undefined) {
        void this.refreshFeeds();
        this.#document = { title: saved.title, window: saved.window, panels: saved.panels };
        this.#saveState = 'saved';
        this.#status = 'ready';
      } else if (this.id === HOME_DASHBOARD) {
        await this.#buildDefault(signal);
      } else {
        this.#status = 'missing';
      }
      this.#problem = undefined;
    } catch (error) {
      if (signal.aborted) return;
      this.#status = 'error';
      this.#problem = messageOf(error);
    }
  }

  /**
   * The default home, from the feed list. The server's own metrics
   * (`pulseboard.>`) are always there, so they do not count as feeds of one's
   * own: while there are no others the page says how to push one (or shows
   * the server's metrics on request), asking again every `feedPollMs`.
   */
  async #buildDefault(signal: AbortSignal): Promise<void> {
    for (;;) {
      const names = namesOf(await this.#api.feeds(undefined, signal));
      if (signal.aborted || this.#shown()) return;
      this.#feedNames = names;
      const own = names.filter((name) => !isServerMetric(name));
      if (own.length > 0) {
        this.#showDefault(own);
        return;
      }
      this.#status = 'no-feeds';
      await new Promise((resolve) => setTimeout(resolve, this.#feedPollMs));
      if (signal.aborted || this.#shown()) return;
    }
  }

  /** Something is on screen already (e.g. the server's metrics, chosen meanwhile). */
  #shown(): boolean {
    return this.#status === 'ready';
  }

  /** Charts the server's own metrics while there are no other feeds. */
  showServerMetrics(): void {
    this.#showDefault(this.#feedNames.filter(isServerMetric));
  }

  /** The server's own metrics, offered while there is nothing else. */
  get serverMetrics(): readonly string[] {
    return this.#feedNames.filter(isServerMetric);
  }

  #showDefault(feeds: readonly string[]): void {
    this.#document = defaultDashboard(feeds);
    // shown, not stored: the first edit saves it
    this.#saveState = 'unsaved';
    this.#status = 'ready';
  }

  #editPanels(panels: Panel[]): void {
    const before = this.#document.panels;
    if (panels.every((panel, i) => panel === before[i])) return;
    this.#edit({ ...this.#document, panels }, false);
  }

  #edit(next: DashboardDocument, immediate: boolean): void {
    this.#document = next;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (immediate) {
      void this.#save();
      return;
    }
    this.#saveState = 'unsaved';
    this.#timer = setTimeout(() => void this.#save(), this.#saveDelayMs);
  }

  #save(keepalive = false): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#saving !== undefined) {
      // one save at a time: this change goes right after the one in flight
      this.#queued = true;
      this.#saveState = 'saving';
      return this.#saving;
    }
    this.#saving = this.#run(keepalive).finally(() => {
      this.#saving = undefined;
    });
    return this.#saving;
  }

  async #run(keepalive: boolean): Promise<void> {
    let saved: DashboardDocument;
    do {
      this.#queued = false;
      saved = this.#document;
      this.#saveState = 'saving';
      try {
        await this.#api.saveDashboard(this.id, saved, undefined, keepalive);
      } catch (error) {
        this.#forbidden = error instanceof ApiError && error.code === 'forbidden';
        this.#problem = this.#forbidden ? FORBIDDEN_MESSAGE : `Not saved: ${messageOf(error)}`;
        this.#saveState = 'unsaved';
        return;
      }
      this.#problem = undefined;
      this.#forbidden = false;
    } while (this.#queued);
    // a debounced change may be waiting already
    this.#saveState = this.#timer === undefined && this.#document === saved ? 'saved' : 'unsaved';
  }
}

/**
 * `panel` with `grouping`, the default aggregate left out, so a panel nobody
 * grouped is saved as it always was. Answers `panel` itself when nothing changes.
 */
function withGrouping(panel: Panel, grouping: Grouping): Panel {
  const aggregate = grouping.aggregate === DEFAULT_PANEL_AGGREGATE ? undefined : grouping.aggregate;
  if (panel.groupBy === grouping.groupBy && panel.aggregate === aggregate) return panel;
  const { groupBy: _groupBy, aggregate: _aggregate, ...rest } = panel;
  return {
    ...rest,
    ...(grouping.groupBy === undefined ? {} : { groupBy: grouping.groupBy }),
    ...(aggregate === undefined ? {} : { aggregate }),
  };
}

/** The feed names of a feed list, each once, in order. */
function namesOf(feeds: readonly SeriesInfo[]): string[] {
  return [...new Set(feeds.map((feed) => feed.name))];
}

/** The server writes its own metrics as feeds under `pulseboard.>`. */
function isServerMetric(feed: string): boolean {
  return feed.startsWith('pulseboard.');
}

/** The first free `p<n>` (panel ids are `A-Z a-z 0-9 _ -`). */
function freePanelId(panels: readonly Panel[]): string {
  const ids = new Set(panels.map((panel) => panel.id));
  let n = panels.length + 1;
  while (ids.has(`p${n}`)) n++;
  return `p${n}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
