import { Controller, Get, Header, Res } from '@nestjs/common';
import { Access, Public } from '@pulseboard/api';
import type { HealthResponse } from '@pulseboard/protocol';
import type { Response } from 'express';
import { HealthService } from './health.service.js';
import { MetricsService } from './metrics.service.js';

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly metrics: MetricsService,
  ) {}

  /** The process is up. Always open, for probes. */
  @Get('health/live')
  @Public()
  @Header('Cache-Control', 'no-store')
  live(): HealthResponse {
    return { status: 'ok' };
  }

  /** The instance can serve: its log takes appends and delivery runs. 503 otherwise. */
  @Get('health/ready')
  @Public()
  ready(@Res() res: Response): void {
    const { ready, checks } = this.health.readiness();
    res.setHeader('Cache-Control', 'no-store');
    if (ready) {
      res.status(200).json({ status: 'ready', checks } satisfies HealthResponse);
      return;
    }
    const failing = Object.keys(checks).filter((name) => !checks[name]);
    res.status(503).json({
      status: 'not_ready',
      checks,
      error: { code: 'not_ready', message: `not ready: ${failing.join(', ')}`, details: [] },
    });
  }

  /** Prometheus text format. */
  @Get('metrics')
  @Access('admin')
  async prometheus(@Res() res: Response): Promise<void> {
    const text = await this.metrics.text();
    res.status(200).setHeader('Content-Type', this.metrics.contentType()).send(text);
  }
}
