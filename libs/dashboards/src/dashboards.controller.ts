import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Req, Res } from '@nestjs/common';
import { Access, Caller, InflightBodies, parseWithSchema, readJsonBody, type Principal } from '@pulseboard/api';
import type { Dashboard, DashboardDocument, DashboardSummary } from '@pulseboard/protocol';
import type { Request, Response } from 'express';
import { DASHBOARD_BODY_MAX_BYTES, dashboardDocumentSchema } from './dashboard-document.schema.js';
import { DASHBOARDS_OPTIONS, type DashboardsModuleOptions } from './dashboards.options.js';
import { DashboardsService } from './dashboards.service.js';

/** `/api/v1/dashboards`: saved dashboards, created, read, replaced and deleted as JSON documents. */
@Controller('api/v1/dashboards')
@Access('viewer', 'admin')
export class DashboardsController {
  constructor(
    private readonly dashboards: DashboardsService,
    private readonly bodies: InflightBodies,
    @Inject(DASHBOARDS_OPTIONS) private readonly options: DashboardsModuleOptions,
  ) {}

  @Get()
  list(): Promise<DashboardSummary[]> {
    return this.dashboards.list();
  }

  @Post()
  async create(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Caller() caller: Principal,
  ): Promise<Dashboard> {
    const dashboard = await this.dashboards.create(await this.readDocument(req, res, caller), caller);
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
    @Caller() caller: Principal,
  ): Promise<Dashboard> {
    const { dashboard, created } = await this.dashboards.put(id, await this.readDocument(req, res, caller), caller);
    res.status(created ? 201 : 200);
    return dashboard;
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@Param('id') id: string, @Caller() caller: Principal): Promise<void> {
    return this.dashboards.delete(id, caller);
  }

  /** The request's JSON body as a validated dashboard document. */
  private async readDocument(req: Request, res: Response, caller: Principal): Promise<DashboardDocument> {
    const body = await readJsonBody(req, DASHBOARD_BODY_MAX_BYTES, {
      maxDepth: this.options.maxJsonDepth,
      allowance: this.bodies.open(caller.address, res),
    });
    return parseWithSchema(dashboardDocumentSchema, body, 'invalid_body');
  }
}
