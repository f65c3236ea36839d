import type { ErrorBody, ErrorCode, ErrorDetail } from '@pulseboard/protocol';

/** Codes the SDK reports itself, beside the server's {@link ErrorCode}s. */
export type ClientErrorCode =
  /** A request failed or a connection broke before an answer. */
  | 'network_error'
  /** The server ended the stream without a reason (a restart, a deploy, a load balancer). */
  | 'stream_ended'
  /** Nothing arrived on the stream, not even a heartbeat, for `watchdogMs`. */
  | 'heartbeat_timeout'
  /** The token callback threw or rejected. */
  | 'token_unavailable'
  /** The control socket did not acknowledge a change in time. */
  | 'ack_timeout'
  /** An error answer without the contract's error body (a proxy's page, say). */
  | 'http_error'
  /** `push()` after `close()`. */
  | 'producer_closed';

/** Codes a stream's `event: error` or the control socket's `error` event carries. */
export type StreamErrorCode = 'token_expired';

/** Every code a {@link PulseboardError} is known to carry; servers may add codes, so unknown strings pass too. */
export type PulseboardErrorCode = ErrorCode | StreamErrorCode | ClientErrorCode;

export interface PulseboardErrorOptions {
  /** HTTP status of the answer, when the error is one. */
  status?: number;
  details?: ErrorDetail[];
  cause?: unknown;
}

/**
 * An error from the server (its stable `code`, the HTTP `status` when it came
 * as an answer, the `details` naming bad items) or from the client side.
 */
export class PulseboardError extends Error {
  readonly code: PulseboardErrorCode | (string & Record<never, never>);
  readonly status: number | undefined;
  readonly details: ErrorDetail[];

  constructor(code: string, message: string, options: PulseboardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PulseboardError';
    this.code = code;
    this.status = options.status;
    this.details = options.details ?? [];
  }
}

/**
 * What a refusal says about the token: `stale` when one was read but is
 * expired or not valid (a fresh one from the token callback may be good),
 * `missing` when none came with the request, `undefined` for any other code.
 */
export function tokenProblem(code: string): 'stale' | 'missing' | undefined {
  if (code === 'token_expired' || code === 'invalid_token') return 'stale';
  if (code === 'unauthorized') return 'missing';
  return undefined;
}

function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== 'object' || body === null) return false;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && typeof message === 'string';
}

/** Reads an error answer into a {@link PulseboardError}, keeping the contract's `code` and `details`. */
export async function errorFromResponse(res: Response): Promise<PulseboardError> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    // the body broke off: the status still says what happened
  }
  try {
    const body: unknown = JSON.parse(text);
    if (isErrorBody(body)) {
      const details = Array.isArray(body.error.details) ? body.error.details : [];
      return new PulseboardError(body.error.code, body.error.message, { status: res.status, details });
    }
  } catch {
    // not JSON: described below
  }
  const excerpt = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  return new PulseboardError('http_error', `HTTP ${res.status}${excerpt === '' ? '' : `: ${excerpt}`}`, {
    status: res.status,
  });
}

/** Wraps anything thrown by a network call. */
export function networkError(cause: unknown): PulseboardError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new PulseboardError('network_error', `network error: ${reason}`, { cause });
}
