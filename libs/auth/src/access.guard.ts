import type { IncomingMessage } from 'node:http';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  ACCESS_METADATA,
  requireRole,
  type AccessRule,
  type AuthenticatedRequest,
  type Principal,
} from '@pulseboard/api';
import { Authenticator } from './authenticator.service.js';

/** Routes that say nothing are for admins: an extension's route is closed until it opens itself. */
const DEFAULT_RULE: AccessRule = { roles: ['admin'] };

/**
 * Authenticates every HTTP request before its handler (and before its input
 * is validated), attaches the principal to the request, and checks the
 * route's {@link Access} rule: 401 without a valid token, 403 for a role the
 * route does not admit. Feed-level checks belong to the handlers, which know
 * the feeds.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const rule =
      this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [
        context.getHandler(),
        context.getClass(),
      ]) ?? DEFAULT_RULE;
    if (rule === 'public') return true;
    const request = context.switchToHttp().getRequest<IncomingMessage & AuthenticatedRequest>();
    const admit = (principal: Principal): boolean => {
      request.principal = principal;
      requireRole(principal, rule.roles, describe(request));
      return true;
    };
    // open mode and tokens verified before answer at once, without a turn of the event loop
    const principal = this.authenticator.authenticate(request);
    return principal instanceof Promise ? principal.then(admit) : admit(principal);
  }
}

function describe(request: IncomingMessage): string {
  const path = (request.url ?? '').split('?')[0];
  return `${request.method ?? 'GET'} ${path}`;
}
