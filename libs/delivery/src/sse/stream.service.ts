import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Principal } from '@pulseboard/api';
import { ConnectionLimits } from '@pulseboard/auth';
import { DeliveryScheduler } from '@pulseboard/core';
import { refuseWhenShuttingDown, resumeCursor, StreamSessions } from '@pulseboard/streaming';
import { sseOpening } from './sse-encoding.js';
import { DELIVERY_OPTIONS, type DeliveryModuleOptions } from '../delivery.options.js';
import { SSE_HEADERS, SseSink } from './sse.sink.js';

export interface StreamRequest {
  feeds: string[];
  historyMs?: number;
  maxRate?: number;
  /** `Last-Event-ID` header; wins over the query parameter because EventSource updates it on reconnect. */
  lastEventIdHeader?: string;
  lastEventIdQuery?: string;
}

/**
 * Opens SSE streams and keeps their sessions, so that a control socket can
 * later find a stream by the session id its `hello` announced.
 */
@Injectable()
export class StreamService {
  private readonly logger = new Logger('Streams');

  constructor(
    private readonly scheduler: DeliveryScheduler,
    private readonly sessions: StreamSessions,
    private readonly limits: ConnectionLimits,
    @Inject(DELIVERY_OPTIONS) private readonly options: DeliveryModuleOptions,
  ) {}

  /**
   * Validates the request (throwing before any byte is sent), then starts the
   * stream. Its feeds must be within what `owner` may read — a resumed stream
   * is authorized again like a new one, so replayed points are only ever
   * those of allowed feeds — and it ends with `token_expired` when the
   * owner's token does. `HEAD` is answered with the stream's head alone.
   */
  start(res: ServerResponse, request: StreamRequest, owner: Principal): void {
    refuseWhenShuttingDown(this.scheduler);
    owner.feeds.checkSubscription(request.feeds);
    const resume =
      request.lastEventIdHeader !== undefined && request.lastEventIdHeader !== ''
        ? resumeCursor(request.lastEventIdHeader, 'Last-Event-ID')
        : resumeCursor(request.lastEventIdQuery, 'lastEventId');
    if (res.req.method === 'HEAD') {
      // what the stream's answer would be, without a body: a HEAD holds no connection and no slot
      res.writeHead(200, SSE_HEADERS);
      res.end();
      return;
    }
    // the slot goes back with the response, whatever happens after this point
    res.once('close', this.limits.acquire(owner));
    const session = randomBytes(16).toString('base64url');
    const sink = SseSink.open(res, sseOpening(this.options.sseRetryMs, { session, batchMs: this.scheduler.batchMs }));
    const connection = this.scheduler.open(sink, {
      feeds: request.feeds,
      maxRate: request.maxRate,
      historyMs: request.historyMs,
      resume,
      expiresAt: owner.expiresAt,
    });
    const forget = this.sessions.add({ id: session, connection, owner });
    this.logger.debug(`stream ${session} opened: ${request.feeds.join(',')}`);
    res.on('close', () => {
      this.scheduler.close(connection);
      forget();
      this.logger.debug(`stream ${session} closed`);
    });
  }
}
