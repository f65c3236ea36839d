import { HOME_DASHBOARD_ID, type Dashboard, type DashboardDocument, type DashboardSummary } from '@pulseboard/protocol';
import { ApiError, type FetchLike, type PulseboardApi } from '../data/api';

const BASE = '/api/v1/dashboards';

/**
 * The saved dashboards as the list page and "Add to dashboard" use them:
 * listing, reading, saving and creating go through the page's
 * {@link PulseboardApi}; deleting, which only the list page needs, is here.
 */
export class SavedDashboards {
  readonly #api: PulseboardApi;
  readonly #fetch: FetchLike;

  /** `fetcher`: the api's own by default, so a 401 here signs the page out like any other. */
  constructor(api: PulseboardApi, fetcher: FetchLike = api.fetch) {
    this.#api = api;
    this.#fetch = fetcher;
  }

  list(signal?: AbortSignal): Promise<DashboardSummary[]> {
    return this.#api.dashboards(signal);
  }

  /** The dashboard, or `undefined` when none is saved under `id` (`home` is looked up in the list first: no 404). */
  get(id: string, signal?: AbortSignal): Promise<Dashboard | undefined> {
    return id === HOME_DASHBOARD_ID ? this.#api.listedDashboard(id, signal) : this.#api.dashboard(id, signal);
  }

  /** Saves `document` under `id`, replacing what was there. */
  save(id: string, document: DashboardDocument): Promise<Dashboard> {
    return this.#api.saveDashboard(id, document);
  }

  create(document: DashboardDocument): Promise<Dashboard> {
    return this.#api.createDashboard(document);
  }

  async delete(id: string): Promise<void> {
    const response = await this.#fetch(`${BASE}/${encodeURIComponent(id)}`, { method: 'DELETE' });
    // Already gone is what the caller wanted.
    if (!response.ok && response.status !== 404) throw await apiError(response);
  }
}

async function apiError(response: Response): Promise<ApiError> {
  const fallback = `the server answered ${response.status}`;
  try {
    const { error } = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    return new ApiError(
      response.status,
      typeof error?.code === 'string' ? error.code : 'http_error',
      typeof error?.message === 'string' ? error.message : fallback,
    );
  } catch {
    return new ApiError(response.status, 'http_error', fallback);
  }
}
