export * from './annotation-store.js';
export * from './annotations.service.js';
export * from './dashboard-document.schema.js';
export * from './dashboard-id.js';
export * from './dashboard-store.js';
export * from './dashboards.module.js';
export * from './dashboards.module-definition.js';
export * from './dashboards.service.js';
