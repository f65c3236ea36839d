/** The query parameter a token may travel in, for `EventSource`, which cannot send headers. */
export const TOKEN_PARAMETER = 'access_token';

const REDACTED = '[redacted]';
/** Three base64url segments, the first a JSON object (`{"` is `eyJ`): a JWT, whatever parameter carries it. */
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

/**
 * One `name=value` pair of a query (or a `;` path parameter), its name
 * decoded as the server reads it: the WHATWG form decoding of
 * `URLSearchParams` (`+` as a space, percent-decoding), which is what reads
 * the token. The token's reader and the log's redaction both go through
 * here, so they cannot disagree about a spelling (`access%5Ftoken` is
 * `access_token`).
 */
interface Pair {
  /** The pair as it was sent. */
  raw: string;
  /** Its decoded name. */
  name: string;
  /** Its value as sent; `undefined` for a pair without `=`. */
  value: string | undefined;
}

function parsePair(raw: string, first = false): Pair {
  const eq = raw.indexOf('=');
  // URLSearchParams drops one `?` before the first pair (`??access_token=…`)
  const name = (eq === -1 ? raw : raw.slice(0, eq)).slice(first && raw.startsWith('?') ? 1 : 0);
  return { raw, name: decoded(name), value: eq === -1 ? undefined : raw.slice(eq + 1) };
}

/** `raw` form-decoded, exactly as `URLSearchParams` decodes names and values. */
function decoded(raw: string): string {
  if (!raw.includes('%') && !raw.includes('+')) return raw;
  return new URLSearchParams(`x=${raw}`).get('x') ?? raw;
}

/** A URL's path and its query's pairs (`undefined` without a query). */
function parseUrl(url: string): { path: string; pairs: Pair[] | undefined } {
  const q = url.indexOf('?');
  if (q === -1) return { path: url, pairs: undefined };
  return {
    path: url.slice(0, q),
    pairs: url
      .slice(q + 1)
      .split('&')
      .map((raw, i) => parsePair(raw, i === 0)),
  };
}

/**
 * Whether a parameter may carry a token for some reader: the exact name the
 * server reads, and — for the log — its case variants and the bracket forms
 * (`access_token[]`) other query parsers make arrays of.
 */
function mayCarryToken(pair: Pair): boolean {
  return pair.value !== undefined && pair.name.toLowerCase().replace(/\[[^\]]*\]$/, '') === TOKEN_PARAMETER;
}

/**
 * The token a URL's query carries and the URL without it, `undefined` when
 * the query has no token parameter. Every pair whose name decodes to
 * `access_token` is taken out (the first one's value is the token); the other
 * pairs are kept exactly as they were sent.
 */
export function splitQueryToken(url: string): { token: string | undefined; url: string } | undefined {
  const { path, pairs } = parseUrl(url);
  const tokens = pairs?.filter((pair) => pair.name === TOKEN_PARAMETER) ?? [];
  if (pairs === undefined || tokens.length === 0) return undefined;
  const rest = pairs
    .filter((pair) => pair.name !== TOKEN_PARAMETER)
    .map((pair) => pair.raw)
    .join('&');
  return { token: decoded(tokens[0].value ?? ''), url: rest === '' ? path : `${path}?${rest}` };
}

/**
 * A URL fit for a log line: the value of every parameter that may carry a
 * token — in the query, and as a `;name=value` path parameter — is replaced
 * by `[redacted]`, whatever its spelling (percent-encoded, any case, with
 * brackets), and so is anything shaped like a JWT anywhere else.
 */
export function redactUrl(url: string): string {
  const { path, pairs } = parseUrl(url);
  const redactedPath = path.includes(';') ? path.split('/').map(redactPathParameters).join('/') : path;
  const redacted = pairs === undefined ? redactedPath : `${redactedPath}?${pairs.map(redactPair).join('&')}`;
  return redacted.replace(JWT_SHAPE, REDACTED);
}

function redactPair(pair: Pair): string {
  if (!mayCarryToken(pair)) return pair.raw;
  return `${pair.raw.slice(0, pair.raw.length - (pair.value ?? '').length)}${REDACTED}`;
}

/** A path segment's `;name=value` parameters (`feeds;access_token=…`), redacted like query pairs. */
function redactPathParameters(segment: string): string {
  const [head, ...parameters] = segment.split(';');
  return [head, ...parameters.map((raw) => redactPair(parsePair(raw)))].join(';');
}
