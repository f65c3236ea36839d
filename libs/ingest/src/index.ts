export * from './ingest.module.js';
export * from './ingest.options.js';
export * from './ingest.service.js';
export * from './ingest-format.js';
export * from './parsers/json-points.parser.js';
export * from './parsers/ndjson-points.parser.js';
export * from './parsers/line-protocol.parser.js';
export * from './parsers/parse-result.js';
