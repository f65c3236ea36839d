import { Controller, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import { Access, Caller, queryString, readBody, type Principal } from '@pulseboard/api';
import type { IngestResponse } from '@pulseboard/protocol';
import type { Request } from 'express';
import { z } from 'zod';
import { ingestFormat } from './ingest-format.js';
import { IngestService } from './ingest.service.js';
import { INGEST_OPTIONS, type IngestModuleOptions } from './ingest.module-definition.js';
import { isPrecision, PRECISIONS } from './parsers/line-protocol.parser.js';

const ingestQuery = z.object({
  precision: queryString
    .refine(isPrecision, {
      message: `must be one of ${PRECISIONS.join(', ')}`,
      params: { code: 'invalid_precision' },
    })
    .optional(),
});

@Controller('api/v1')
@Access('producer', 'admin')
export class IngestController {
  constructor(
    private readonly ingest: IngestService,
    @Inject(INGEST_OPTIONS) private readonly options: IngestModuleOptions,
  ) {}

  @Post('ingest')
  @HttpCode(202)
  async write(
    @Req() req: Request,
    @Query({ schema: ingestQuery }) query: z.output<typeof ingestQuery>,
    @Caller() caller: Principal,
  ): Promise<IngestResponse> {
    const format = ingestFormat(req.headers['content-type']);
    const body = await readBody(req, this.options.maxBodyBytes);
    return this.ingest.ingest({
      format,
      body,
      precision: query.precision ?? 'ns',
      producer: caller,
    });
  }
}
