/**
 * The server's base URL with a trailing slash, resolved against the page's
 * address in a browser (so `'/'` or `'/pulse/'` work there).
 */
export function serverBase(url: string): URL {
  const location = (globalThis as { location?: { href?: string } }).location;
  const base = new URL(url, location?.href);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  base.search = '';
  base.hash = '';
  return base;
}

/** What shapes a stream: its feeds and its resolution. */
export interface StreamQuery {
  feeds: readonly string[];
  history?: number;
  maxRate?: number;
}

/** `GET /api/v1/stream?feeds=...&history=...&maxRate=...` under the base; resume and token are the connector's part. */
export function streamUrl(base: URL, query: StreamQuery): string {
  const url = new URL('api/v1/stream', base);
  url.searchParams.set('feeds', query.feeds.join(','));
  if (query.history !== undefined && query.history > 0) url.searchParams.set('history', String(query.history));
  if (query.maxRate !== undefined) url.searchParams.set('maxRate', String(query.maxRate));
  return url.toString();
}

/** `POST /api/v1/ingest` under the base. */
export function ingestUrl(base: URL): string {
  return new URL('api/v1/ingest', base).toString();
}

/**
 * Where the Socket.IO control socket connects. Socket.IO reads a URL's path
 * as a namespace, so the server's origin is the URL and the base path goes
 * into the engine path (`/socket.io`, or `/pulse/socket.io` behind a prefix).
 */
export function controlSocketLocation(base: URL): { url: string; path: string } {
  return { url: base.origin, path: `${base.pathname}socket.io` };
}
