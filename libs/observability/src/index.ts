export * from './health.service.js';
export * from './http-logging.js';
export * from './metrics.service.js';
export * from './observability.module.js';
export * from './observability.options.js';
export * from './pino-logger.js';
export * from './self-metrics.source.js';
export * from './server-stats.service.js';
