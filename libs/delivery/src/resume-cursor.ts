import { ApiError } from '@pulseboard/api';
import { decodeCursor, type Cursor } from '@pulseboard/core';

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
