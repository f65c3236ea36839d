import { HttpException } from '@nestjs/common';
import type { ErrorBody, ErrorCode, ErrorDetail } from '@pulseboard/protocol';

/**
 * An error the API answers with on purpose: an HTTP status, a stable code, a
 * message for humans and optional details. The exception filter turns it into
 * the contract's `{"error":{...}}` body.
 */
export class ApiError extends HttpException {
  constructor(
    status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Extra response headers, e.g. `Retry-After`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message, status);
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export function errorBody(code: ErrorCode, message: string, details: ErrorDetail[] = []): ErrorBody {
  return { error: { code, message, details } };
}
