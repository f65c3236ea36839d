import { Module } from '@nestjs/common';
import { AuthModule } from '@pulseboard/auth';
import { StreamingModule } from '@pulseboard/streaming';
import { PollController } from './poll/poll.controller.js';
import { PollService } from './poll/poll.service.js';
import { StreamController } from './sse/stream.controller.js';
import { StreamService } from './sse/stream.service.js';

/**
 * The HTTP delivery transports: Server-Sent Events and long polling. SSE
 * streams are registered as stream sessions, so that a control transport can
 * steer them through the streaming module without depending on this one.
 * Options come under `DELIVERY_OPTIONS`.
 */
@Module({
  imports: [StreamingModule, AuthModule],
  controllers: [StreamController, PollController],
  providers: [StreamService, PollService],
  exports: [StreamService, PollService],
})
export class DeliveryModule {}
