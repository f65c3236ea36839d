import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { InflightBodies, Refusals } from '@pulseboard/api';
import { AccessGuard } from './access.guard.js';
import { AUTH_OPTIONS, type AuthModuleOptions } from './auth.options.js';
import { Authenticator } from './authenticator.service.js';
import { ConnectionLimits } from './connection-limits.service.js';
import { OriginPolicy } from './origin-policy.js';
import { SessionController } from './session.controller.js';

/**
 * Who may do what: token verification, the access guard on every route,
 * the origin policy, connection limits, in-flight body limits, the count of
 * refusals, and `/api/v1/session`. Options come under `AUTH_OPTIONS`; a
 * transport imports this module to authenticate sockets, count connections
 * and bodies, and count what it refuses.
 */
@Module({
  controllers: [SessionController],
  providers: [
    Authenticator,
    OriginPolicy,
    ConnectionLimits,
    Refusals,
    {
      provide: InflightBodies,
      inject: [AUTH_OPTIONS],
      useFactory: (options: AuthModuleOptions) =>
        new InflightBodies({ total: options.maxInflightBodyBytes, perAddress: options.maxInflightBodyBytesPerIp }),
    },
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [Authenticator, OriginPolicy, ConnectionLimits, Refusals, InflightBodies],
})
export class AuthModule {}
