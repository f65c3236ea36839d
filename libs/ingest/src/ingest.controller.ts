import { Controller, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { Access, Caller, InflightBodies, queryString, readBody, type Principal } from '@pulseboard/api';
import type { IngestResponse } from '@pulseboard/protocol';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { ingestFormat } from './ingest-format.js';
import { IngestService } from './ingest.service.js';
import { INGEST_OPTIONS, type IngestModuleOptions } from './ingest.options.js';
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
    private readonly bodies: InflightBodies,
    @Inject(INGEST_OPTIONS) private readonly options: IngestModuleOptions,
  ) {}

  @Post('ingest')
  @HttpCode(202)
  async write(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Query({ schema: ingestQuery }) query: z.output<typeof ingestQuery>,
    @Caller() caller: Principal,
  ): Promise<IngestResponse> {
    const format = ingestFormat(req.headers['content-type']);
    // the body's bytes count as in flight until the answer is out: parsing holds copies of them until then
    const body = await readBody(req, this.options.maxBodyBytes, this.bodies.open(caller.address, res));
    return this.ingest.ingest({
      format,
      body,
      precision: query.precision ?? 'ns',
      producer: caller,
    });
  }
}
