/** A page of the dashboard app, as the URL's hash names it. */
export type Route =
  | { name: 'dashboard'; id: string }
  | { name: 'dashboards' }
  | { name: 'explore' }
  | { name: 'feed'; feed: string }
  | { name: 'not-found'; path: string };

/** Where `#/` (and an empty hash) lead. */
export const HOME_HREF = '#/d/home';

/**
 * The page a hash names. A query after the path (`#/d/ops?window=5m`) is left to
 * the page; a trailing slash is tolerated. Anything else is `not-found`.
 */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').split('?')[0];
  const segments = path.replace(/^\//, '').replace(/\/$/, '').split('/');
  const [first, second] = segments.map(decodeSegment);
  const notFound: Route = { name: 'not-found', path: path || '/' };

  if (segments.length > 2) return notFound;
  if (segments.length === 1) {
    if (first === 'dashboards') return { name: 'dashboards' };
    if (first === 'explore') return { name: 'explore' };
    return notFound;
  }
  if (second === undefined || second === '') return notFound;
  if (first === 'd') return { name: 'dashboard', id: second };
  if (first === 'feed') return { name: 'feed', feed: second };
  return notFound;
}

/** The hash `#/`, an empty hash and a bare `#` redirect to; `undefined` when `hash` is a page of its own. */
export function redirectFor(hash: string): string | undefined {
  return hash === '' || hash === '#' || hash === '#/' ? HOME_HREF : undefined;
}

/** The link to a page. */
export function routeHref(route: Exclude<Route, { name: 'not-found' }>): string {
  switch (route.name) {
    case 'dashboard':
      return `#/d/${encodeURIComponent(route.id)}`;
    case 'dashboards':
      return '#/dashboards';
    case 'explore':
      return '#/explore';
    case 'feed':
      return `#/feed/${encodeURIComponent(route.feed)}`;
  }
}

/** Identifies the page a route shows, ignoring any query, so a page can tell a move from a query change. */
export function routeKey(route: Route): string {
  switch (route.name) {
    case 'dashboard':
      return `dashboard/${route.id}`;
    case 'feed':
      return `feed/${route.feed}`;
    case 'not-found':
      return `not-found/${route.path}`;
    default:
      return route.name;
  }
}

/** Goes to a page; the router hears the hash change. */
export function navigate(href: string): void {
  window.location.hash = href;
}

/** A segment that is not valid percent-encoding cannot name anything, so it routes nowhere. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The current page, following the URL's hash. */
export class Router {
  #route = $state.raw<Route>(parseRoute(''));
  readonly #location: Location;
  readonly #history: History;

  constructor(location: Location = window.location, history: History = window.history) {
    this.#location = location;
    this.#history = history;
    this.#route = parseRoute(this.#resolveHash());
  }

  get route(): Route {
    return this.#route;
  }

  /** Follows hash changes; returns the cleanup. */
  listen(): () => void {
    const onHashChange = () => {
      this.#route = parseRoute(this.#resolveHash());
    };
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }

  /** The hash after any redirect, which replaces the history entry so Back does not bounce through `#/`. */
  #resolveHash(): string {
    const target = redirectFor(this.#location.hash);
    if (target === undefined) return this.#location.hash;
    this.#history.replaceState(this.#history.state, '', target);
    return target;
  }
}
