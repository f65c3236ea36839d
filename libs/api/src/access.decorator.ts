import { SetMetadata } from '@nestjs/common';
import type { Role } from './principal.js';

/** Metadata key of {@link Access}. */
export const ACCESS_METADATA = 'pulseboard:access';

/** Who may call a route: roles, or `public` for routes open to anyone (health probes). */
export type AccessRule = { roles: readonly Role[] } | 'public';

/**
 * The roles that may call a controller or handler (the handler's rule wins).
 * A route without a rule is for admins only, so a route added by an extension
 * module is closed until it says otherwise.
 */
export const Access = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata<string, AccessRule>(ACCESS_METADATA, { roles });

/** A route anyone may call, with or without a token. */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata<string, AccessRule>(ACCESS_METADATA, 'public');
