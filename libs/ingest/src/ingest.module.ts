import { Module } from '@nestjs/common';
import { IngestController } from './ingest.controller.js';
import { IngestConfigurableModule } from './ingest.module-definition.js';
import { IngestService } from './ingest.service.js';

/** `POST /api/v1/ingest`: JSON, NDJSON and InfluxDB line protocol into the log. */
@Module({
  controllers: [IngestController],
  providers: [IngestService],
  exports: [IngestService],
})
export class IngestModule extends IngestConfigurableModule {}
