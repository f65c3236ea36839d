import type { ServerResponse } from 'node:http';
import { Injectable } from '@nestjs/common';
import type { Principal } from '@pulseboard/api';
import { ConnectionLimits } from '@pulseboard/auth';
import { DeliveryScheduler } from '@pulseboard/core';
import type { PollResponse } from '@pulseboard/protocol';
import { refuseWhenShuttingDown, resumeCursor } from '@pulseboard/streaming';
import { PollSink } from './poll.sink.js';

export interface PollRequest {
  feeds: string[];
  cursor?: string;
  timeoutMs: number;
  maxRate?: number;
}

/**
 * Long polling for clients that cannot hold a stream: a poll is a connection
 * of the same scheduler that lives until its first delivery or its deadline.
 */
@Injectable()
export class PollService {
  constructor(
    private readonly scheduler: DeliveryScheduler,
    private readonly limits: ConnectionLimits,
  ) {}

  /**
   * Answers a poll of feeds `caller` may read (a 403 otherwise, as for a
   * stream). Without a cursor at once, with the current cursor and no
   * points; with one, at the first points after it, or empty at the timeout
   * or when the token expires.
   */
  poll(res: ServerResponse, caller: Principal, request: PollRequest): void {
    caller.feeds.checkSubscription(request.feeds);
    // a HEAD has no body to wait for: it is answered at once, like a poll without a cursor
    if (request.cursor === undefined || request.cursor === '' || res.req.method === 'HEAD') {
      const answer: PollResponse = { cursor: this.scheduler.currentCursor(), feeds: {} };
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify(answer));
      return;
    }
    refuseWhenShuttingDown(this.scheduler);
    const resume = resumeCursor(request.cursor, 'cursor');
    res.once('close', this.limits.acquire(caller));
    const connection = this.scheduler.open(new PollSink(res, () => this.scheduler.close(connection)), {
      feeds: request.feeds,
      maxRate: request.maxRate,
      resume,
      expiresAt: Math.min(Date.now() + request.timeoutMs, caller.expiresAt ?? Infinity),
    });
    res.on('close', () => this.scheduler.close(connection));
  }
}
