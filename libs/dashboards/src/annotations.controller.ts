import { Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { Access, Caller, integerParam, timestampParam, type Principal } from '@pulseboard/api';
import type { Annotation } from '@pulseboard/protocol';
import { z } from 'zod';
import { ANNOTATION_LIST_MAX_LIMIT, AnnotationsService } from './annotations.service.js';

const listQuery = z.object({
  from: timestampParam.optional(),
  to: timestampParam.optional(),
  limit: integerParam(ANNOTATION_LIST_MAX_LIMIT).optional(),
});

/** `GET /api/v1/dashboards/:id/annotations`: a dashboard's annotations in a time window. */
@Controller('api/v1/dashboards')
@Access('viewer', 'admin')
export class AnnotationsController {
  constructor(private readonly annotations: AnnotationsService) {}

  @Get(':id/annotations')
  list(
    @Param('id') id: string,
    @Query({ schema: listQuery }) query: z.output<typeof listQuery>,
  ): Promise<Annotation[]> {
    return this.annotations.list(id, query);
  }

  /** Deletes one annotation: its author or an admin may; the dashboard's viewers get `annotation_removed`. */
  @Delete(':id/annotations/:annotation')
  @HttpCode(204)
  delete(@Param('id') id: string, @Param('annotation') annotation: string, @Caller() caller: Principal): Promise<void> {
    return this.annotations.delete(id, annotation, caller);
  }
}
