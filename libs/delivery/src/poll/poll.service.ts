import type { ServerResponse } from 'node:http';
import { Injectable } from '@nestjs/common';
import type { Principal } from '@pulseboard/api';
import { ConnectionLimits } from '@pulseboard/auth';
import { DeliveryScheduler } from '@pulseboard/core';
import type { PollResponse } from '@pulseboard/protocol';
import { refuseWhenShuttingDown, resumeCursor } from '../request-guards.js';
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

  /** Without a cursor, the answer is immediate: the current cursor and no points. */
  immediate(): PollResponse {
    return { cursor: this.scheduler.currentCursor(), feeds: {} };
  }

  /** Waits for points of feeds `caller` may read (checked by the caller); answers empty at the timeout or when the token expires. */
  wait(res: ServerResponse, caller: Principal, request: PollRequest & { cursor: string }): void {
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
