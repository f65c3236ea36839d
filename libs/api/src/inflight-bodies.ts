import type { ServerResponse } from 'node:http';
import { ApiError } from './api-error.js';

export interface InflightBodyLimits {
  /** Body bytes all requests together may hold in memory at once (0: unlimited). */
  total: number;
  /** Body bytes the requests of one client address may hold at once (0: unlimited). */
  perAddress: number;
}

/**
 * Counts the request-body bytes the server holds in memory — read,
 * decompressed, then parsed — per client address and in total, so that many
 * small compressed bodies cannot together inflate into more memory than the
 * server has. Each request takes a {@link BodyAllowance}; its bytes are
 * reserved as they arrive (or at once, from `Content-Length`) and given back
 * when its response closes, however it ends.
 */
export class InflightBodies {
  private total = 0;
  private readonly byAddress = new Map<string, number>();

  constructor(private readonly limits: InflightBodyLimits) {}

  /** An allowance for the body of one request from `address`, given back when `res` closes. */
  open(address: string, res: ServerResponse): BodyAllowance {
    const allowance = new BodyAllowance(this, address);
    // a response that closed already (the client left before the handler ran) never emits 'close' again
    if (res.closed) allowance.release();
    else res.once('close', () => allowance.release());
    return allowance;
  }

  /** Bytes held now: of one address, or of everyone. */
  inflight(address?: string): number {
    return address === undefined ? this.total : (this.byAddress.get(address) ?? 0);
  }

  /** Reserves `bytes` for `address`, or throws 429 / 503 when that would pass a limit; nothing is reserved then. */
  reserve(address: string, bytes: number): void {
    const { total, perAddress } = this.limits;
    const held = this.byAddress.get(address) ?? 0;
    if (perAddress > 0 && held + bytes > perAddress) {
      throw refusal(
        429,
        'too_many_inflight_bytes',
        `this client address already has ${perAddress} bytes of request bodies in flight; retry shortly`,
      );
    }
    if (total > 0 && this.total + bytes > total) {
      throw refusal(
        503,
        'inflight_bytes_exhausted',
        `the server already holds ${total} bytes of request bodies in flight; retry shortly`,
      );
    }
    this.byAddress.set(address, held + bytes);
    this.total += bytes;
  }

  /** Gives back bytes reserved for `address`. */
  giveBack(address: string, bytes: number): void {
    const held = (this.byAddress.get(address) ?? 0) - bytes;
    if (held <= 0) this.byAddress.delete(address);
    else this.byAddress.set(address, held);
    this.total = Math.max(0, this.total - bytes);
  }
}

/** The bytes one request's body holds; {@link release} gives them all back (more than once is harmless). */
export class BodyAllowance {
  private held = 0;
  private released = false;

  constructor(
    private readonly bodies: InflightBodies,
    private readonly address: string,
  ) {}

  /** Reserves `bytes` more, or throws 429 `too_many_inflight_bytes` / 503 `inflight_bytes_exhausted`. */
  take(bytes: number): void {
    // released means the response closed: the client is gone and nothing of its body is wanted
    if (this.released) throw new ApiError(400, 'invalid_body', 'the request ended before its body was read');
    this.bodies.reserve(this.address, bytes);
    this.held += bytes;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.bodies.giveBack(this.address, this.held);
    this.held = 0;
  }
}

function refusal(status: number, code: 'too_many_inflight_bytes' | 'inflight_bytes_exhausted', message: string) {
  // the rest of the body is not wanted: the exception filter closes the connection once it has passed
  return new ApiError(status, code, message, [], { 'Retry-After': '1' });
}
