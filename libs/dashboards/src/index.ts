export * from './annotation-store.js';
export * from './annotations.service.js';
export * from './dashboards.module.js';
export * from './dashboards.module-definition.js';
