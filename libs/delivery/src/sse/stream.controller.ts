import { Controller, Get, Headers, Inject, Param, Query, Req, Res } from '@nestjs/common';
import {
  Access,
  historyParam,
  maxRateParam,
  parseWithSchema,
  queryString,
  requestPrincipal,
  selectorListParam,
  selectorParam,
} from '@pulseboard/api';
import { STREAMING_OPTIONS, type StreamingModuleOptions } from '@pulseboard/streaming';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { StreamService } from './stream.service.js';

/** `GET /api/v1/stream` and `GET /api/v1/feeds/<selector>/stream`: Server-Sent Events. */
@Controller('api/v1')
@Access('viewer', 'admin')
export class StreamController {
  private readonly query;
  private readonly singleFeedQuery;

  constructor(
    private readonly streams: StreamService,
    @Inject(STREAMING_OPTIONS) streaming: StreamingModuleOptions,
  ) {
    const common = {
      history: historyParam(streaming.maxHistoryMs).optional(),
      maxRate: maxRateParam.optional(),
      lastEventId: queryString.optional(),
    };
    this.query = z.object({ feeds: selectorListParam(streaming.maxSubscriptions).optional(), ...common });
    this.singleFeedQuery = z.object(common);
  }

  @Get('stream')
  stream(
    @Query() raw: unknown,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    const query = parseWithSchema(this.query, raw, 'invalid_query');
    this.streams.start(
      res,
      {
        feeds: query.feeds ?? [],
        historyMs: query.history,
        maxRate: query.maxRate,
        lastEventIdHeader: lastEventId,
        lastEventIdQuery: query.lastEventId,
      },
      requestPrincipal(req),
    );
  }

  @Get('feeds/:name/stream')
  feedStream(
    @Param('name') name: string,
    @Query() raw: unknown,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    const feed = parseWithSchema(selectorParam, name, 'invalid_pattern');
    const query = parseWithSchema(this.singleFeedQuery, raw, 'invalid_query');
    this.streams.start(
      res,
      {
        feeds: [feed],
        historyMs: query.history,
        maxRate: query.maxRate,
        lastEventIdHeader: lastEventId,
        lastEventIdQuery: query.lastEventId,
      },
      requestPrincipal(req),
    );
  }
}
