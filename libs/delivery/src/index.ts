export * from './delivery.module.js';
export * from './delivery.options.js';
export * from './poll/poll.service.js';
export * from './poll/poll.sink.js';
export * from './sse/sse.sink.js';
export * from './sse/stream.service.js';
export * from './sse/sse-encoding.js';
