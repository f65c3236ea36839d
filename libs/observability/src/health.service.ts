import { Inject, Injectable } from '@nestjs/common';
import type { Log } from '@pulseboard/core';
import { LOG, PointWriter, StreamingEngine } from '@pulseboard/streaming';

@Injectable()
export class HealthService {
  constructor(
    @Inject(LOG) private readonly log: Log,
    private readonly engine: StreamingEngine,
    private readonly writer: PointWriter,
  ) {}

  readiness(): { ready: boolean; checks: Record<string, boolean> } {
    const checks = {
      log: this.log.isAvailable(),
      delivery: this.engine.isRunning,
      ingest: this.writer.isAccepting,
    };
    return { ready: Object.values(checks).every(Boolean), checks };
  }
}
