export { PulseboardConsumer } from './consumer/pulseboard-consumer.js';
export { defaultSseConnector } from './consumer/consumer-platform.js';
export type {
  ConnectionState,
  ConsumerEvents,
  ConsumerOptions,
  ReconnectEvent,
  StateChange,
  StreamPoints,
  SubscribeOptions,
} from './consumer/consumer-options.js';
export { openControlSocket } from './consumer/control-socket.js';
export type {
  ControlSocket,
  ControlSocketAuth,
  ControlSocketFactory,
  ControlSocketOptions,
} from './consumer/control-socket.js';

export { PulseboardProducer } from './producer/pulseboard-producer.js';
export { RejectedBatchError } from './producer/producer-options.js';
export type {
  ProducerDropEvent,
  ProducerEvents,
  ProducerOptions,
  ProducerRetryEvent,
  ProducerStats,
  PushOptions,
  SeriesPoint,
} from './producer/producer-options.js';

export {
  labelsProblem,
  MATCH_OPS,
  parseSelector,
  parseSeriesKey,
  selector,
  selectorProblem,
  seriesKey,
  seriesKeyProblem,
} from './series.js';
export type {
  LabelMatch,
  LabelMatcher,
  Labels,
  MatchOp,
  ParsedSelector,
  Selector,
  SelectorMatchers,
  SeriesId,
} from './series.js';

export { EventSourceConnector } from './connectors/event-source.connector.js';
export type { EventSourceConnectorOptions, EventSourceConstructor } from './connectors/event-source.connector.js';
export { FetchSseConnector } from './connectors/fetch-sse.connector.js';
export type { FetchSseConnectorOptions } from './connectors/fetch-sse.connector.js';
export type {
  SseConnector,
  SseEnd,
  SseHandlers,
  SseMessage,
  SseRequest,
  SseStream,
} from './connectors/sse-connector.js';

export { Backoff, fullJitterDelay } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { systemFetch, systemTimers } from './platform.js';
export type { FetchLike, Platform, ProducerPlatform, TimerHandle, Timers, TokenSource } from './platform.js';
export { PulseboardError } from './pulseboard-error.js';
export type { ClientErrorCode, PulseboardErrorCode, StreamErrorCode } from './pulseboard-error.js';
export type { Listener } from './typed-emitter.js';
