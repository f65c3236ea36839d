import { Controller, Get, Param, Query } from '@nestjs/common';
import { Access, Caller, integerParam, selectorParam, timestampParam, type Principal } from '@pulseboard/api';
import type { FeedChunk, FeedInfo } from '@pulseboard/protocol';
import { z } from 'zod';
import { FeedsService } from './feeds.service.js';

const MAX_LIST = 100_000;

const listQuery = z.object({
  match: selectorParam.optional(),
  limit: integerParam(MAX_LIST).optional(),
});

const pointsQuery = z.object({
  from: timestampParam.optional(),
  to: timestampParam.optional(),
  maxPoints: integerParam(10_000_000).pipe(z.number().min(2, 'must be at least 2')).optional(),
});

@Controller('api/v1/feeds')
@Access('viewer', 'admin')
export class FeedsController {
  constructor(private readonly feeds: FeedsService) {}

  /** The series the caller may read, among those the selector `match` selects. */
  @Get()
  list(@Query({ schema: listQuery }) query: z.output<typeof listQuery>, @Caller() caller: Principal): FeedInfo[] {
    return this.feeds.list(query.match, query.limit ?? 10_000, caller.feeds);
  }

  /**
   * One series' points. Its key is one path segment, URL-encoded as a whole
   * (`encodeURIComponent`): a `/` in a label value must come as `%2F`, which
   * the router decodes after matching the route.
   */
  @Get(':series/points')
  points(
    @Param('series') series: string,
    @Query({ schema: pointsQuery }) query: z.output<typeof pointsQuery>,
    @Caller() caller: Principal,
  ): FeedChunk {
    return this.feeds.points(series, query, caller.feeds);
  }
}
