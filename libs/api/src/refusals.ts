import { Injectable } from '@nestjs/common';
import type { ErrorCode } from '@pulseboard/protocol';

/**
 * How often the server refused something, by the stable error code it
 * answered with: every limit has its own code, so this is the count of each
 * limit's refusals (`pulseboard_refusals_total{code}` in `/metrics`). HTTP
 * errors are counted by the exception filter, socket acknowledgements by the
 * gateway, and answers written before Nest routes (origins, hosts) where they
 * are written.
 */
@Injectable()
export class Refusals {
  private readonly counts = new Map<ErrorCode, number>();

  count(code: ErrorCode): void {
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
  }

  /** Refusals so far, by code. */
  byCode(): ReadonlyMap<ErrorCode, number> {
    return this.counts;
  }
}
