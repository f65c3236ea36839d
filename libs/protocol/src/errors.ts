/**
 * Every machine-readable error code the API answers with. Codes are stable:
 * clients may switch on them. Messages are for humans and may change.
 */
export const ERROR_CODES = [
  'bad_request',
  'not_found',
  'feed_not_found',
  'invalid_feed_name',
  'invalid_pattern',
  'invalid_query',
  'invalid_cursor',
  'invalid_json',
  'json_too_deep',
  'forbidden_key',
  'invalid_body',
  'invalid_points',
  'invalid_precision',
  'payload_too_large',
  'too_many_points',
  'too_many_series',
  'unsupported_media_type',
  'unsupported_encoding',
  'too_many_subscriptions',
  'invalid_message',
  'unknown_event',
  'session_not_found',
  'invalid_dashboard',
  'dashboard_not_found',
  'annotation_not_found',
  'annotation_quota_exceeded',
  'too_many_annotations',
  'dashboard_quota_exceeded',
  'too_many_dashboards',
  'dashboard_storage_full',
  'rate_limited',
  'unauthorized',
  'invalid_token',
  'token_expired',
  'forbidden',
  'origin_not_allowed',
  'host_not_allowed',
  'too_many_connections',
  'too_many_inflight_bytes',
  'inflight_bytes_exhausted',
  'auth_unavailable',
  'log_unavailable',
  'store_unavailable',
  'shutting_down',
  'not_ready',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** One entry of an error's `details`: which item was wrong and why. */
export interface ErrorDetail {
  /** 0-based position of a point in a JSON or NDJSON batch. */
  index?: number;
  /** 1-based line of a line-protocol body. */
  line?: number;
  /** Query parameter or field the detail is about. */
  field?: string;
  reason: string;
}

/** Body of every JSON error response: `{"error":{"code","message","details"}}`. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    details: ErrorDetail[];
  };
}
