/**
 * Entries of one stream within one millisecond; a Redis stream ID
 * `<ms>-<seq>` becomes the log position `ms * 1000 + seq`, which orders as the
 * IDs do, means the same on every instance, and stays a safe integer until
 * the year 2255.
 */
export const ENTRIES_PER_MS = 1000;

/** The log position of a stream ID; `undefined` when the ID cannot be one (or its sequence is too large). */
export function positionOf(id: string): number | undefined {
  const dash = id.indexOf('-');
  if (dash <= 0) return undefined;
  const ms = Number(id.slice(0, dash));
  const seq = Number(id.slice(dash + 1));
  if (!Number.isSafeInteger(ms) || !Number.isSafeInteger(seq) || seq < 0 || seq >= ENTRIES_PER_MS) return undefined;
  const position = ms * ENTRIES_PER_MS + seq;
  return Number.isSafeInteger(position) ? position : undefined;
}

/** The stream ID of a log position (the inverse of {@link positionOf}). */
export function idOf(position: number): string {
  return `${Math.floor(position / ENTRIES_PER_MS)}-${position % ENTRIES_PER_MS}`;
}

/** The milliseconds part of a stream ID: when Redis took the entry. */
export function msOf(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}
