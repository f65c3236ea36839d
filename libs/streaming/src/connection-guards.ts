import { ApiError } from '@pulseboard/api';
import { decodeCursor, type Cursor, type DeliveryScheduler } from '@pulseboard/core';

/** Decodes a client's cursor (from `Last-Event-ID`, `lastEventId` or `cursor`) or answers 400 `invalid_cursor`. */
export function resumeCursor(token: string | undefined, source: string): Cursor | undefined {
  if (token === undefined || token === '') return undefined;
  const cursor = decodeCursor(token.trim());
  if (cursor === undefined) {
    throw new ApiError(400, 'invalid_cursor', `${source} is not a cursor this server issued`, [
      { field: source, reason: 'malformed cursor' },
    ]);
  }
  return cursor;
}

/** New streams and polls are refused with 503 once the server has begun shutting down. */
export function refuseWhenShuttingDown(scheduler: DeliveryScheduler): void {
  if (!scheduler.accepting) {
    throw new ApiError(503, 'shutting_down', 'the server is shutting down; reconnect to another instance', [], {
      'Retry-After': '1',
    });
  }
}
