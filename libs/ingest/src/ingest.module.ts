import { Module } from '@nestjs/common';
import { AuthModule } from '@pulseboard/auth';
import { StreamingModule } from '@pulseboard/streaming';
import { IngestController } from './ingest.controller.js';
import { IngestService } from './ingest.service.js';

/** `POST /api/v1/ingest`: JSON, NDJSON and InfluxDB line protocol into the log. Options come under `INGEST_OPTIONS`. */
@Module({
  imports: [StreamingModule, AuthModule],
  controllers: [IngestController],
  providers: [IngestService],
  exports: [IngestService],
})
export class IngestModule {}
