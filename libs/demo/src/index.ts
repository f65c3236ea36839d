export * from './demo-signals.js';
export * from './demo.module.js';
export * from './demo.module-definition.js';
export * from './demo.source.js';
