import { Injectable, Logger } from '@nestjs/common';
import { ApiError, parseWithSchema, Refusals } from '@pulseboard/api';
import type { Ack, AckFailure, ErrorCode } from '@pulseboard/protocol';
import type { z } from 'zod';

/** A refused message's acknowledgement. */
export function ackFailure(code: ErrorCode, message: string): AckFailure {
  return { ok: false, error: { code, message } };
}

/**
 * How every control message is answered: validated against its schema, run,
 * and its outcome turned into an acknowledgement — `{ok:true,…}`, or the
 * refusal's stable code (counted in `/metrics`). Nothing a client sends can
 * throw out of a handler; an unexpected error is logged and answered
 * `internal_error`.
 */
@Injectable()
export class ControlAcks {
  private readonly logger = new Logger('Control');

  constructor(private readonly refusals: Refusals) {}

  async answer<S extends z.ZodType, R extends object>(
    schema: S,
    payload: unknown,
    run: (message: z.output<S>) => R | Promise<R>,
  ): Promise<Ack<R>> {
    try {
      const message = parseWithSchema(schema, payload, 'invalid_message') as z.output<S>;
      return { ok: true, ...(await run(message)) };
    } catch (error) {
      return this.failed(error);
    }
  }

  /** The acknowledgement of a refusal (or of an unexpected error), counted. */
  failed(error: unknown): AckFailure {
    const answer =
      error instanceof ApiError
        ? ackFailure(error.code, error.message)
        : ackFailure('internal_error', 'the server could not handle this message');
    if (!(error instanceof ApiError)) this.logger.error(error);
    this.refusals.count(answer.error.code);
    return answer;
  }
}
