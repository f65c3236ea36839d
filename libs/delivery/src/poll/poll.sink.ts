import type { ServerResponse } from 'node:http';
import { errorBody } from '@pulseboard/api';
import type { CloseReason, Delivery, DeliverySink } from '@pulseboard/core';
import type { ErrorCode } from '@pulseboard/protocol';

/**
 * A pending long poll: answers once, with the first delivery after its
 * cursor, or with no points when its deadline passes.
 */
export class PollSink implements DeliverySink {
  readonly transport = 'poll';
  private answered = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly done: () => void,
  ) {}

  isWritable(): boolean {
    return !this.answered && !this.res.destroyed;
  }

  send(delivery: Delivery): number {
    const feeds = delivery.frame?.feedsJson() ?? '{}';
    const gap = delivery.gap === undefined ? '' : `,"gap":${JSON.stringify(delivery.gap)}`;
    return this.answer(`{"cursor":"${delivery.cursor}","feeds":${feeds}${gap}}`);
  }

  heartbeat(): void {
    // a poll answers at its deadline instead
  }

  close(reason: CloseReason, cursor: string): void {
    if (reason === 'expired') {
      this.answer(`{"cursor":"${cursor}","feeds":{}}`);
      return;
    }
    if (this.answered) return;
    this.answered = true;
    const [status, code, message]: [number, ErrorCode, string] =
      reason === 'error'
        ? [500, 'internal_error', 'internal server error']
        : [503, 'shutting_down', 'the server is shutting down'];
    this.res.writeHead(status, { 'Content-Type': 'application/json', 'Retry-After': '1' });
    this.res.end(JSON.stringify(errorBody(code, message)));
  }

  /** Answers the poll once; returns the bytes of the body written (0 if it was answered already). */
  private answer(body: string): number {
    if (this.answered) return 0;
    this.answered = true;
    this.res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    this.res.end(body);
    this.done();
    return Buffer.byteLength(body);
  }
}
