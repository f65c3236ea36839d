export * from './auth.module.js';
export * from './auth.module-definition.js';
export * from './authenticator.service.js';
export * from './access.guard.js';
export * from './origin-policy.js';
export * from './connection-limits.service.js';
export * from './client-address.js';
export * from './expiry.js';
