/**
 * A client's place in the log: the epoch of the log and the last position it
 * has been given — one position, or one per partition when the log is split
 * into partitions. Encoded as one opaque token, `<epoch>-<position>` (base 36)
 * or `<epoch>-<highest>.<d0>.<d1>…` with each partition's distance below the
 * highest; clients must not look inside.
 */
export interface Cursor {
  readonly epoch: string;
  readonly positions: readonly number[];
}

const CURSOR = /^([0-9a-z]{1,32})-([0-9a-z]{1,11}(?:\.[0-9a-z]{1,11}){0,256})$/;
const PART = 36;

export function encodeCursor(epoch: string, positions: number | readonly number[]): string {
  if (typeof positions === 'number') return `${epoch}-${positions.toString(PART)}`;
  if (positions.length === 1) return `${epoch}-${positions[0].toString(PART)}`;
  let highest = 0;
  for (const position of positions) if (position > highest) highest = position;
  let token = `${epoch}-${highest.toString(PART)}`;
  // partitions move together, so distances below the highest are short
  for (const position of positions) token += `.${(highest - position).toString(PART)}`;
  return token;
}

/** Decodes a cursor token; `undefined` when the token is malformed. */
export function decodeCursor(token: string): Cursor | undefined {
  const match = CURSOR.exec(token);
  if (match === null) return undefined;
  const parts = match[2].split('.').map((part) => parseInt(part, PART));
  if (!parts.every((part) => Number.isSafeInteger(part))) return undefined;
  if (parts.length === 1) return { epoch: match[1], positions: parts };
  const [highest, ...distances] = parts;
  if (distances.length < 2 || distances.some((distance) => distance > highest)) return undefined;
  return { epoch: match[1], positions: distances.map((distance) => highest - distance) };
}
