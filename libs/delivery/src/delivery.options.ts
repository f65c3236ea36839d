export interface DeliveryModuleOptions {
  /** Reconnection delay SSE clients are told (`retry:`), in ms. */
  sseRetryMs: number;
  /** Longest `timeoutMs` a poll may ask for. */
  maxPollTimeoutMs: number;
}

/** The token under which the application provides `DeliveryModuleOptions`. */
export const DELIVERY_OPTIONS = Symbol('DELIVERY_OPTIONS');
