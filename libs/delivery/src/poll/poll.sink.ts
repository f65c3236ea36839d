import type { ServerResponse } from 'node:http';
import type { CloseReason, Delivery, DeliverySink } from '@pulseboard/core';

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

  send(delivery: Delivery): void {
    const feeds = delivery.frame?.feedsJson() ?? '{}';
    const gap = delivery.gap === undefined ? '' : `,"gap":${JSON.stringify(delivery.gap)}`;
    this.answer(`{"cursor":"${delivery.cursor}","feeds":${feeds}${gap}}`);
  }

  heartbeat(): void {
    // a poll answers at its deadline instead
  }

  close(reason: CloseReason, cursor: string): void {
    if (reason === 'expired') this.answer(`{"cursor":"${cursor}","feeds":{}}`);
    else if (!this.answered) {
      this.answered = true;
      this.res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '1' });
      this.res.end(
        JSON.stringify({ error: { code: 'shutting_down', message: 'the server is shutting down', details: [] } }),
      );
    }
  }

  private answer(body: string): void {
    if (this.answered) return;
    this.answered = true;
    this.res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    this.res.end(body);
    this.done();
  }
}
