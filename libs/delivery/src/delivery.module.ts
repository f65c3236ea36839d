import { Module } from '@nestjs/common';
import { DeliveryConfigurableModule } from './delivery.module-definition.js';
import { PollController } from './poll/poll.controller.js';
import { PollService } from './poll/poll.service.js';
import { StreamController } from './sse/stream.controller.js';
import { StreamService } from './sse/stream.service.js';

/** The HTTP delivery transports: Server-Sent Events and long polling. */
@Module({
  controllers: [StreamController, PollController],
  providers: [StreamService, PollService],
  exports: [StreamService, PollService],
})
export class DeliveryModule extends DeliveryConfigurableModule {}
