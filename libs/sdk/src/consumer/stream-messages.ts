import type { GapEvent, HelloEvent, PointsEvent, StreamErrorEvent } from '@pulseboard/protocol';

/*
 * Shape checks for the stream's JSON payloads: a payload that does not have
 * the contract's shape is reported, never handed to listeners half-typed.
 */

function record(data: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function parseHello(data: string): HelloEvent | undefined {
  const value = record(data);
  if (value === undefined || typeof value.session !== 'string' || typeof value.batchMs !== 'number') return undefined;
  return { session: value.session, batchMs: value.batchMs };
}

export function parsePoints(data: string): PointsEvent | undefined {
  const value = record(data);
  const feeds = value?.feeds;
  if (typeof feeds !== 'object' || feeds === null || Array.isArray(feeds)) return undefined;
  return value as unknown as PointsEvent;
}

export function parseGap(data: string): GapEvent | undefined {
  const value = record(data);
  if (value === undefined || !Array.isArray(value.feeds) || typeof value.reason !== 'string') return undefined;
  return value as unknown as GapEvent;
}

export function parseStreamError(data: string): StreamErrorEvent | undefined {
  const value = record(data);
  if (value === undefined || typeof value.code !== 'string' || typeof value.message !== 'string') return undefined;
  return { code: value.code, message: value.message };
}
