import type { GapEvent, HelloEvent, StreamErrorEvent } from '@pulseboard/protocol';
import type { Frame } from '@pulseboard/core';

/*
 * Server-Sent Events framing (WHATWG HTML, "Server-sent events"). Every field
 * written here is built from JSON or from cursor tokens, neither of which can
 * hold CR, LF or NUL, so a field can never be split into two.
 */

export const SSE_HEARTBEAT = ': hb\n\n';

export function sseEvent(event: string, data: string, id?: string): string {
  return (id === undefined ? '' : `id: ${id}\n`) + `event: ${event}\ndata: ${data}\n\n`;
}

export function sseOpening(retryMs: number, hello: HelloEvent): string {
  return `retry: ${retryMs}\n` + sseEvent('hello', JSON.stringify(hello));
}

export function sseGap(gap: GapEvent): string {
  return sseEvent('gap', JSON.stringify(gap));
}

export function sseError(error: StreamErrorEvent): string {
  return sseEvent('error', JSON.stringify(error));
}

/** The `points` event of a frame, encoded once and shared by every SSE connection that gets the frame. */
export function ssePoints(frame: Frame): Buffer {
  return frame.encoded('sse', (f) => Buffer.from(sseEvent('points', f.json(), f.cursor)));
}
