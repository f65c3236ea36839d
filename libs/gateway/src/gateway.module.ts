import { Module } from '@nestjs/common';
import { AuthModule } from '@pulseboard/auth';
import { DashboardsModule } from '@pulseboard/dashboards';
import { StreamingModule } from '@pulseboard/streaming';
import { ControlAcks } from './control-acks.service.js';
import { ControlAdmission } from './control-admission.service.js';
import { ControlCluster } from './control-cluster.service.js';
import { ControlGateway } from './control.gateway.js';
import { DashboardRooms } from './dashboard-rooms.service.js';
import { PresenceService } from './presence.service.js';
import { SocketStreams } from './socket-streams.service.js';
import { StreamSteering } from './stream-steering.service.js';

/**
 * The Socket.IO control gateway: subscriptions for SSE streams and for the
 * socket's own data, presence and annotations. A transport of its own: it
 * steers other transports' streams through the streaming module's stream
 * sessions, never through those transports. Options come under
 * `GATEWAY_OPTIONS`; the application installs `ControlSocketAdapter`.
 */
@Module({
  imports: [StreamingModule, AuthModule, DashboardsModule],
  providers: [
    ControlGateway,
    ControlAdmission,
    ControlAcks,
    SocketStreams,
    StreamSteering,
    DashboardRooms,
    PresenceService,
    ControlCluster,
  ],
  exports: [SocketStreams, PresenceService],
})
export class GatewayModule {}
