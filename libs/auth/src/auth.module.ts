import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Refusals } from '@pulseboard/api';
import { AccessGuard } from './access.guard.js';
import { AuthConfigurableModule } from './auth.module-definition.js';
import { Authenticator } from './authenticator.service.js';
import { ConnectionLimits } from './connection-limits.service.js';
import { OriginPolicy } from './origin-policy.js';
import { SessionController } from './session.controller.js';

/**
 * Who may do what: token verification, the access guard on every route,
 * the origin policy, connection limits, the count of refusals, and
 * `/api/v1/session`. Global, so transports anywhere can authenticate sockets,
 * count connections and count what they refuse.
 */
@Global()
@Module({
  controllers: [SessionController],
  providers: [Authenticator, OriginPolicy, ConnectionLimits, Refusals, { provide: APP_GUARD, useClass: AccessGuard }],
  exports: [Authenticator, OriginPolicy, ConnectionLimits, Refusals],
})
export class AuthModule extends AuthConfigurableModule {}
