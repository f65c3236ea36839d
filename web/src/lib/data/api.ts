import type { Annotation, Dashboard, DashboardDocument, FeedChunk, FeedInfo } from '@pulseboard/protocol';

/** An HTTP answer other than success, with the contract's stable error `code`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** `from`/`to` (inclusive ms) and an optional pixel budget. */
export interface PointsQuery {
  from?: number;
  to?: number;
  maxPoints?: number;
}

/**
 * The REST side of the server (docs/API.md): dashboards, annotations, the
 * feed list and a feed's retained points. The stream and the control socket
 * are the SDK's part ({@link LiveClient}).
 */
export class PulseboardApi {
  readonly #base: string;
  readonly #fetch: FetchLike;

  constructor(base: string, fetchImpl: FetchLike = (input, init) => fetch(input, init)) {
    this.#base = base.replace(/\/+$/, '');
    this.#fetch = fetchImpl;
  }

  /** The saved dashboard, or `undefined` when there is none under `id`. */
  async dashboard(id: string, signal?: AbortSignal): Promise<Dashboard | undefined> {
    try {
      return await this.#json<Dashboard>(`/api/v1/dashboards/${encodeURIComponent(id)}`, { signal });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /**
   * Creates or replaces the dashboard under `id`. `keepalive` lets the
   * request finish after the page is gone (a save flushed at `pagehide`).
   */
  saveDashboard(id: string, document: DashboardDocument, signal?: AbortSignal, keepalive = false): Promise<Dashboard> {
    return this.#json<Dashboard>(`/api/v1/dashboards/${encodeURIComponent(id)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(document),
      signal,
      keepalive,
    });
  }

  /** Creates a dashboard under an id the server picks. */
  createDashboard(document: DashboardDocument): Promise<Dashboard> {
    return this.#json<Dashboard>('/api/v1/dashboards', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(document),
    });
  }

  /** Feeds the server retains, sorted by name; `match` is a name or pattern. */
  feeds(match?: string, signal?: AbortSignal): Promise<FeedInfo[]> {
    const query = match === undefined || match === '' ? '' : `?${new URLSearchParams({ match })}`;
    return this.#json<FeedInfo[]>(`/api/v1/feeds${query}`, { signal });
  }

  /** A feed's retained points in `[from, to]`; no points (not an error) when the feed is unknown. */
  async points(feed: string, query: PointsQuery, signal?: AbortSignal): Promise<FeedChunk> {
    const params = new URLSearchParams();
    if (query.from !== undefined) params.set('from', String(Math.floor(query.from)));
    if (query.to !== undefined) params.set('to', String(Math.ceil(query.to)));
    if (query.maxPoints !== undefined) params.set('maxPoints', String(Math.max(2, Math.round(query.maxPoints))));
    try {
      return await this.#json<FeedChunk>(`/api/v1/feeds/${encodeURIComponent(feed)}/points?${params}`, { signal });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'feed_not_found') return { t: [], v: [] };
      throw error;
    }
  }

  /** A dashboard's annotations with `from ≤ t ≤ to`, ordered by time. */
  annotations(dashboard: string, from?: number, to?: number, signal?: AbortSignal): Promise<Annotation[]> {
    const params = new URLSearchParams();
    if (from !== undefined) params.set('from', String(Math.floor(from)));
    if (to !== undefined) params.set('to', String(Math.ceil(to)));
    const query = params.size > 0 ? `?${params}` : '';
    return this.#json<Annotation[]>(`/api/v1/dashboards/${encodeURIComponent(dashboard)}/annotations${query}`, {
      signal,
    });
  }

  async #json<T>(path: string, init: RequestInit): Promise<T> {
    const response = await this.#fetch(`${this.#base}${path}`, {
      ...init,
      headers: { accept: 'application/json', ...init.headers },
    });
    if (!response.ok) throw await apiError(response);
    return (await response.json()) as T;
  }
}

async function apiError(response: Response): Promise<ApiError> {
  let code = 'http_error';
  let message = `the server answered ${response.status}`;
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // not the contract's error body (a proxy's page): the status says enough
  }
  return new ApiError(response.status, code, message);
}
