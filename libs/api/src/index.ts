export * from './api-error.js';
export * from './api-exception.filter.js';
export * from './body-reader.js';
export * from './schema-validation.pipe.js';
export * from './query-schemas.js';
export * from './token-bucket.js';
export * from './principal.js';
