import { Module } from '@nestjs/common';
import { DemoFeedSource } from './demo.source.js';

/** Plugs the demo feed source in (on by default; `DEMO=0` leaves this module out). Options come under `DEMO_OPTIONS`. */
@Module({
  providers: [DemoFeedSource],
  exports: [DemoFeedSource],
})
export class DemoModule {}
