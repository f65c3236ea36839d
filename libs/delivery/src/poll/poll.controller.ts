import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import {
  Access,
  Caller,
  integerParam,
  maxRateParam,
  parseWithSchema,
  queryString,
  selectorListParam,
  type Principal,
} from '@pulseboard/api';
import { STREAMING_OPTIONS, type StreamingModuleOptions } from '@pulseboard/streaming';
import type { Response } from 'express';
import { z } from 'zod';
import { DELIVERY_OPTIONS, type DeliveryModuleOptions } from '../delivery.options.js';
import { PollService } from './poll.service.js';

const DEFAULT_TIMEOUT_MS = 25_000;

/** `GET /api/v1/poll`: the long-polling fallback. */
@Controller('api/v1')
@Access('viewer', 'admin')
export class PollController {
  private readonly query;

  constructor(
    private readonly polls: PollService,
    @Inject(STREAMING_OPTIONS) streaming: StreamingModuleOptions,
    @Inject(DELIVERY_OPTIONS) delivery: DeliveryModuleOptions,
  ) {
    this.query = z.object({
      feeds: selectorListParam(streaming.maxSubscriptions).optional(),
      cursor: queryString.optional(),
      timeoutMs: integerParam(delivery.maxPollTimeoutMs).optional(),
      maxRate: maxRateParam.optional(),
    });
  }

  @Get('poll')
  poll(@Query() raw: unknown, @Res() res: Response, @Caller() caller: Principal): void {
    const query = parseWithSchema(this.query, raw, 'invalid_query');
    this.polls.poll(res, caller, {
      feeds: query.feeds ?? [],
      cursor: query.cursor,
      timeoutMs: query.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxRate: query.maxRate,
    });
  }
}
