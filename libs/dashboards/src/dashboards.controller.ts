import { Controller, Delete, Get, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import { parseWithSchema, readJsonBody } from '@pulseboard/api';
import type { Dashboard, DashboardDocument, DashboardSummary } from '@pulseboard/protocol';
import type { Request, Response } from 'express';
import { DASHBOARD_BODY_MAX_BYTES, dashboardDocumentSchema } from './dashboard-document.schema.js';
import { DashboardsService } from './dashboards.service.js';

/** `/api/v1/dashboards`: saved dashboards, created, read, replaced and deleted as JSON documents. */
@Controller('api/v1/dashboards')
export class DashboardsController {
  constructor(private readonly dashboards: DashboardsService) {}

  @Get()
  list(): Promise<DashboardSummary[]> {
    return this.dashboards.list();
  }

  @Post()
  async create(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<Dashboard> {
    const dashboard = await this.dashboards.create(await readDocument(req));
    res.location(`/api/v1/dashboards/${dashboard.id}`);
    return dashboard;
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<Dashboard> {
    return this.dashboards.get(id);
  }

  /** Replaces (200) or creates (201) the dashboard under a caller-chosen id. */
  @Put(':id')
  async put(
    @Param('id') id: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Dashboard> {
    const { dashboard, created } = await this.dashboards.put(id, await readDocument(req));
    res.status(created ? 201 : 200);
    return dashboard;
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@Param('id') id: string): Promise<void> {
    return this.dashboards.delete(id);
  }
}

/** The request's JSON body as a validated dashboard document. */
async function readDocument(req: Request): Promise<DashboardDocument> {
  return parseWithSchema(dashboardDocumentSchema, await readJsonBody(req, DASHBOARD_BODY_MAX_BYTES), 'invalid_body');
}
