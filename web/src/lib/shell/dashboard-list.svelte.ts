import type { DashboardDocument, DashboardSummary } from '@pulseboard/protocol';
import type { SavedDashboards } from './saved-dashboards';

/** What "New dashboard" saves before the operator adds anything. */
export const NEW_DASHBOARD: DashboardDocument = { title: 'New dashboard', window: '5m', panels: [] };

/** The saved dashboards, newest change first, with create and delete. */
export class DashboardList {
  #dashboards = $state.raw<DashboardSummary[]>([]);
  #loaded = $state(false);
  #error = $state<string>();
  #busy = $state(false);
  readonly #api: SavedDashboards;

  constructor(api: SavedDashboards) {
    this.#api = api;
  }

  get dashboards(): readonly DashboardSummary[] {
    return this.#dashboards;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  get error(): string | undefined {
    return this.#error;
  }

  /** A create or delete is in flight. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Loads the list; returns the cleanup that drops an answer still on its way. */
  listen(): () => void {
    const controller = new AbortController();
    void this.#load(controller.signal);
    return () => controller.abort();
  }

  /** Creates an empty dashboard; resolves with its id, or `undefined` when the server refused. */
  async create(): Promise<string | undefined> {
    return this.#run(async () => (await this.#api.create(NEW_DASHBOARD)).id);
  }

  async remove(id: string): Promise<void> {
    await this.#run(async () => {
      await this.#api.delete(id);
      this.#dashboards = this.#dashboards.filter((dashboard) => dashboard.id !== id);
    });
  }

  async #load(signal: AbortSignal): Promise<void> {
    try {
      const dashboards = await this.#api.list(signal);
      this.#dashboards = dashboards.toSorted((a, b) => b.updatedAt - a.updatedAt);
      this.#loaded = true;
      this.#error = undefined;
    } catch (error) {
      if (!signal.aborted) this.#error = `Could not load the dashboards: ${message(error)}`;
    }
  }

  async #run<T>(action: () => Promise<T>): Promise<T | undefined> {
    this.#busy = true;
    this.#error = undefined;
    try {
      return await action();
    } catch (error) {
      this.#error = message(error);
      return undefined;
    } finally {
      this.#busy = false;
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
