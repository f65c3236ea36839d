export * from './redis-stream-log.js';
export * from './batch-codec.js';
export * from './stream-position.js';
export * from './partition-of.js';
