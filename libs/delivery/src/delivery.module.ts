import { Global, Module } from '@nestjs/common';
import { DELIVERY_OPTIONS, DeliveryConfigurableModule } from './delivery.module-definition.js';
import { PollController } from './poll/poll.controller.js';
import { PollService } from './poll/poll.service.js';
import { StreamController } from './sse/stream.controller.js';
import { StreamService } from './sse/stream.service.js';
import { SubscriptionControl } from './subscription-control.service.js';

/**
 * The HTTP delivery transports: Server-Sent Events and long polling. Global,
 * because other transports (the control gateway) steer the same streams.
 */
@Global()
@Module({
  controllers: [StreamController, PollController],
  providers: [StreamService, PollService, SubscriptionControl],
  exports: [StreamService, PollService, SubscriptionControl, DELIVERY_OPTIONS],
})
export class DeliveryModule extends DeliveryConfigurableModule {}
