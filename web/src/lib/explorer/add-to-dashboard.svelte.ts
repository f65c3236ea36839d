import type { DashboardDocument, DashboardSummary } from '@pulseboard/protocol';
import type { SavedDashboards } from '../shell/saved-dashboards';
import { withFeedPanel } from './feed-panel';

/** A dashboard the feed can be added to. */
export interface DashboardChoice {
  id: string;
  /** The title, with the id where titles may repeat (every new dashboard starts as "New dashboard"). */
  label: string;
}

const HOME: DashboardChoice = { id: 'home', label: 'Home' };

/** "Add to dashboard" of the single-feed view: the saved dashboards to choose from, and the save. */
export class AddToDashboard {
  #choices = $state.raw<DashboardChoice[]>([HOME]);
  #saving = $state(false);
  #error = $state<string>();
  readonly #api: SavedDashboards;
  readonly #unsavedHome: () => Promise<DashboardDocument>;

  /**
   * `unsavedHome` is what `#/d/home` shows before anyone saved it, so a feed
   * added there joins the panels the operator saw rather than replacing them.
   */
  constructor(api: SavedDashboards, unsavedHome: () => Promise<DashboardDocument>) {
    this.#api = api;
    this.#unsavedHome = unsavedHome;
  }

  /** Saved dashboards by title, `home` first whether or not it was saved yet. */
  get choices(): readonly DashboardChoice[] {
    return this.#choices;
  }

  get saving(): boolean {
    return this.#saving;
  }

  get error(): string | undefined {
    return this.#error;
  }

  /** Loads the choices; returns the cleanup that drops an answer still on its way. */
  listen(): () => void {
    const controller = new AbortController();
    this.#api.list(controller.signal).then(
      (dashboards) => (this.#choices = choicesOf(dashboards)),
      (error: unknown) => {
        if (!controller.signal.aborted) this.#error = `Could not load the dashboards: ${message(error)}`;
      },
    );
    return () => controller.abort();
  }

  /**
   * Appends a chart of `feed` below the dashboard's panels and saves it. The
   * home dashboard may never have been saved (a fresh server): it starts from
   * what its page shows unsaved. Resolves with whether it was saved.
   */
  async add(feed: string, dashboardId: string): Promise<boolean> {
    this.#saving = true;
    this.#error = undefined;
    try {
      const saved = await this.#api.get(dashboardId);
      if (saved === undefined && dashboardId !== HOME.id) throw new Error('that dashboard was deleted meanwhile');
      const current: DashboardDocument = saved ?? (await this.#unsavedHome());
      await this.#api.save(dashboardId, withFeedPanel(current, feed));
      return true;
    } catch (error) {
      this.#error = `Could not add the feed: ${message(error)}`;
      return false;
    } finally {
      this.#saving = false;
    }
  }
}

function choicesOf(dashboards: readonly DashboardSummary[]): DashboardChoice[] {
  const saved = dashboards
    .toSorted((a, b) => a.title.localeCompare(b.title) || a.id.localeCompare(b.id))
    .map(({ id, title }) => ({ id, label: `${title} (${id})` }));
  const home = saved.find((choice) => choice.id === HOME.id) ?? HOME;
  return [home, ...saved.filter((choice) => choice.id !== HOME.id)];
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
