export * from './feed-name.js';
export * from './point.js';
export * from './errors.js';
export * from './messages.js';
export * from './control.js';
export * from './dashboard.js';
export * from './session.js';
export * from './json-text.js';
