import {
  TOKEN_ERROR_CODES,
  type Annotation,
  type Dashboard,
  type DashboardDocument,
  type DashboardSummary,
  type FeedChunk,
  type FeedInfo,
  type SessionInfo,
} from '@pulseboard/protocol';

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

/** A refusal of the page's token (an {@link ApiError}, or the stream's error): the server's code and message. */
export interface TokenRefusal {
  readonly code: string;
  readonly message: string;
}

const TOKEN_CODES: ReadonlySet<string> = new Set(TOKEN_ERROR_CODES);

/** Whether `code` says the page's token is missing, not valid or expired. */
export function isTokenError(code: string): boolean {
  return TOKEN_CODES.has(code);
}

/** One series the server retains, as `GET /api/v1/feeds` lists it: its key, name and labels, and its stats. */
export type SeriesInfo = FeedInfo;

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
  readonly #unauthorized = new Set<(error: ApiError) => void>();

  /**
   * `fetch` for requests made outside this class: a 401 answer reaches
   * {@link onUnauthorized} like one of this class's own.
   */
  readonly fetch: FetchLike = async (input, init) => {
    const response = await this.#fetch(input, init);
    if (response.status === 401 && this.#unauthorized.size > 0) this.#refused(await apiError(response.clone()));
    return response;
  };

  constructor(base: string, fetchImpl: FetchLike = (input, init) => fetch(input, init)) {
    this.#base = base.replace(/\/+$/, '');
    this.#fetch = fetchImpl;
  }

  /**
   * Hears every 401 (the token is missing, not valid or expired) of every
   * call but the session's own; returns the function that stops listening.
   */
  onUnauthorized(listener: (error: ApiError) => void): () => void {
    this.#unauthorized.add(listener);
    return () => this.#unauthorized.delete(listener);
  }

  /** Who the page acts as; rejects with a 401 {@link ApiError} when the server wants a token. */
  session(signal?: AbortSignal): Promise<SessionInfo> {
    return this.#json<SessionInfo>('/api/v1/session', { signal }, false);
  }

  /** Trades a token for the session cookie the stream, the socket and later calls carry. */
  signIn(token: string): Promise<SessionInfo> {
    return this.#json<SessionInfo>(
      '/api/v1/session',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) },
      false,
    );
  }

  /** Clears the session cookie. */
  async signOut(): Promise<void> {
    const response = await this.#fetch(`${this.#base}/api/v1/session`, { method: 'DELETE' });
    if (!response.ok) throw await apiError(response);
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

  /** Every saved dashboard's summary, by title, then id. */
  dashboards(signal?: AbortSignal): Promise<DashboardSummary[]> {
    return this.#json<DashboardSummary[]>('/api/v1/dashboards', { signal });
  }

  /**
   * The saved dashboard, or `undefined` when there is none under `id`, asked
   * for only once the list names it. For an id that is often not saved
   * (`home` on a fresh server): the browser logs a 404 as an error in the
   * console whatever the page makes of it, and the list answers 200 either way.
   */
  async listedDashboard(id: string, signal?: AbortSignal): Promise<Dashboard | undefined> {
    const listed = await this.dashboards(signal);
    return listed.some((summary) => summary.id === id) ? this.dashboard(id, signal) : undefined;
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

  /** Series the server retains, sorted by key; `match` is a selector (a name, a pattern, label matchers). */
  async feeds(match?: string, signal?: AbortSignal): Promise<SeriesInfo[]> {
    const query = match === undefined || match === '' ? '' : `?${new URLSearchParams({ match })}`;
    const listed = await this.#json<unknown>(`/api/v1/feeds${query}`, { signal });
    if (!Array.isArray(listed)) throw new Error('the feed list is not a list');
    return listed as FeedInfo[];
  }

  /** A series' retained points in `[from, to]` (by series key); no points (not an error) when it is unknown. */
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

  /** A dashboard's annotations with `from ≤ t ≤ to`, ordered by time: the first `limit` of them. */
  annotations(
    dashboard: string,
    { from, to, limit, signal }: { from?: number; to?: number; limit?: number; signal?: AbortSignal } = {},
  ): Promise<Annotation[]> {
    const params = new URLSearchParams();
    if (from !== undefined) params.set('from', String(Math.floor(from)));
    if (to !== undefined) params.set('to', String(Math.ceil(to)));
    if (limit !== undefined) params.set('limit', String(limit));
    const query = params.size > 0 ? `?${params}` : '';
    return this.#json<Annotation[]>(`/api/v1/dashboards/${encodeURIComponent(dashboard)}/annotations${query}`, {
      signal,
    });
  }

  /**
   * Deletes one of a dashboard's annotations (its author or an admin may);
   * rejects with a 403 `forbidden` or a 404 `annotation_not_found` {@link ApiError}.
   */
  async deleteAnnotation(dashboard: string, id: string): Promise<void> {
    await this.#request(`/api/v1/dashboards/${encodeURIComponent(dashboard)}/annotations/${encodeURIComponent(id)}`, {
      method: 'DELETE',
    });
  }

  async #json<T>(path: string, init: RequestInit, reportUnauthorized = true): Promise<T> {
    const response = await this.#request(path, init, reportUnauthorized);
    return (await response.json()) as T;
  }

  /** `reportUnauthorized`: false for the session's own calls, whose 401 is their answer rather than news. */
  async #request(path: string, init: RequestInit, reportUnauthorized = true): Promise<Response> {
    const response = await this.#fetch(`${this.#base}${path}`, {
      ...init,
      headers: { accept: 'application/json', ...init.headers },
    });
    if (!response.ok) {
      const error = await apiError(response);
      if (reportUnauthorized && error.status === 401) this.#refused(error);
      throw error;
    }
    return response;
  }

  #refused(error: ApiError): void {
    for (const listener of [...this.#unauthorized]) listener(error);
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
