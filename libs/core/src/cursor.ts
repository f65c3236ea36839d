/**
 * A client's place in the log: the epoch of the log and the last position it
 * has been given. Encoded as one opaque token `<epoch>-<position base 36>`;
 * clients must not look inside.
 */
export interface Cursor {
  readonly epoch: string;
  readonly position: number;
}

const CURSOR = /^([0-9a-z]{1,32})-([0-9a-z]{1,11})$/;

export function encodeCursor(epoch: string, position: number): string {
  return `${epoch}-${position.toString(36)}`;
}

/** Decodes a cursor token; `undefined` when the token is malformed. */
export function decodeCursor(token: string): Cursor | undefined {
  const match = CURSOR.exec(token);
  if (match === null) return undefined;
  const position = parseInt(match[2], 36);
  if (!Number.isSafeInteger(position)) return undefined;
  return { epoch: match[1], position };
}
