import { Controller, Get, Param, Query } from '@nestjs/common';
import { Access, Caller, integerParam, patternParam, timestampParam, type Principal } from '@pulseboard/api';
import type { FeedChunk, FeedInfo } from '@pulseboard/protocol';
import { z } from 'zod';
import { FeedsService } from './feeds.service.js';

const MAX_LIST = 100_000;

const listQuery = z.object({
  match: patternParam.optional(),
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

  /** The feeds the caller may read, among those matching `match`. */
  @Get()
  list(@Query({ schema: listQuery }) query: z.output<typeof listQuery>, @Caller() caller: Principal): FeedInfo[] {
    const { feeds } = caller;
    return this.feeds.list(
      query.match,
      query.limit ?? 10_000,
      feeds.all ? undefined : (name) => feeds.allowsSeries(name),
    );
  }

  @Get(':name/points')
  points(
    @Param('name') name: string,
    @Query({ schema: pointsQuery }) query: z.output<typeof pointsQuery>,
    @Caller() caller: Principal,
  ): FeedChunk {
    return this.feeds.points(name, query, caller.feeds);
  }
}
