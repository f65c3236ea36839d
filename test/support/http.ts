import type { DashboardDocument, ErrorBody, Point } from '@pulseboard/protocol';

export interface JsonResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export async function getJson<T>(url: string, init: RequestInit = {}): Promise<JsonResponse<T>> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

/** POSTs a body to the ingest endpoint with a content type. */
export function post<T = unknown>(
  base: string,
  body: string | Uint8Array,
  contentType: string,
  query = '',
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  return getJson<T>(`${base}/api/v1/ingest${query}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : new Uint8Array(body),
    headers: { 'content-type': contentType, ...headers },
  });
}

/** Ingests points as JSON and expects them accepted. */
export async function ingest(base: string, points: Point[]): Promise<void> {
  const res = await post<{ accepted: number } | ErrorBody>(base, JSON.stringify({ points }), 'application/json');
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(res.body)}`);
}

/** Asserts the contract's error shape and returns the code. */
export function errorCode(body: unknown): string {
  const error = (body as ErrorBody).error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string' || !Array.isArray(error.details)) {
    throw new Error(`not a contract error body: ${JSON.stringify(body)}`);
  }
  return error.code;
}

/** Saves a dashboard document under `id` and expects it stored. */
export async function putDashboard(base: string, id: string, doc: DashboardDocument): Promise<void> {
  const res = await fetch(`${base}/api/v1/dashboards/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(doc),
  });
  if (res.status !== 200 && res.status !== 201) throw new Error(`PUT answered ${res.status}: ${await res.text()}`);
}
