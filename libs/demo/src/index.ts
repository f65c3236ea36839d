export * from './demo-signals.js';
export * from './demo.module.js';
export * from './demo.options.js';
export * from './demo.source.js';
