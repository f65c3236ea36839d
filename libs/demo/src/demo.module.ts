import { Module } from '@nestjs/common';
import { DemoConfigurableModule } from './demo.module-definition.js';
import { DemoFeedSource } from './demo.source.js';

/** Plugs the demo feed source in (on by default; `DEMO=0` leaves this module out). */
@Module({
  providers: [DemoFeedSource],
  exports: [DemoFeedSource],
})
export class DemoModule extends DemoConfigurableModule {}
