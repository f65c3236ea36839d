/*
 * An ingest endpoint for the producer's unit specs, answering each request
 * when the spec says so: failure sequences (503, 429, a refused token) must
 * happen on cue, between fake-timer steps.
 */
import type { SeriesPoint } from '../producer/producer-options.js';
import type { FetchLike } from '../platform.js';

export interface IngestRequest {
  url: string;
  headers: Record<string, string>;
  points: SeriesPoint[];
  respond: (status: number, body?: unknown, headers?: Record<string, string>) => void;
  fail: (error: Error) => void;
}

/** An ingest endpoint that answers when the spec says so. */
export class ScriptedIngest {
  readonly requests: IngestRequest[] = [];
  readonly fetch: FetchLike = (url, init) =>
    new Promise((resolve, reject) => {
      const body = JSON.parse(init.body as string) as { points: SeriesPoint[] };
      this.requests.push({
        url,
        headers: init.headers as Record<string, string>,
        points: body.points,
        respond: (status, answer = { accepted: body.points.length }, headers = {}) =>
          resolve(Response.json(answer, { status, headers })),
        fail: reject,
      });
    });

  get last(): IngestRequest {
    return this.requests[this.requests.length - 1];
  }

  /** Values of every request, in order. */
  values(): number[][] {
    return this.requests.map((r) => r.points.map((p) => p.v));
  }
}
