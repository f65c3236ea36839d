export * from './feed-source.js';
export * from './feed-source.registry.js';
export * from './feeds.service.js';
export * from './point-writer.service.js';
export * from './streaming-engine.service.js';
export * from './streaming.module-definition.js';
export * from './streaming.module.js';
export * from './tokens.js';
