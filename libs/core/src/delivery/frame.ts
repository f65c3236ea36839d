import { jsonObject, trustedJson, type FeedChunks, type JsonText, type PointsEvent } from '@pulseboard/protocol';
import type { Feed } from '../retention/feed.js';

/** A feed's points for one frame, shared by every frame that covers the same range. */
export class FeedSlice {
  private encoded: string | undefined;

  constructor(
    readonly feed: Feed,
    readonly t: Float64Array,
    readonly v: Float64Array,
  ) {}

  get size(): number {
    return this.t.length;
  }

  /** `"<series key>":{"t":[...],"v":[...]}` — encoded once however many frames include it. */
  json(): string {
    return (this.encoded ??= `${this.feed.jsonKey}:{"t":[${this.t.join(',')}],"v":[${this.v.join(',')}]}`);
  }
}

/**
 * The points a group of connections receives in one tick: every connection
 * with the same subscription, cursor and rate gets this same object, and each
 * transport's encoding of it is built once (`encoded`).
 */
export class Frame {
  private readonly encodings = new Map<string, unknown>();
  private body: JsonText<FeedChunks> | undefined;
  readonly points: number;

  constructor(
    /** Cursor token after this frame. */
    readonly cursor: string,
    /** Log position the cursor stands for. */
    readonly position: number,
    readonly slices: readonly FeedSlice[],
    /** Feeds whose points between the previous cursor and this frame were lost. */
    readonly lost: readonly string[],
  ) {
    let points = 0;
    for (const slice of slices) points += slice.size;
    this.points = points;
  }

  /** `{"<name>":{"t":[...],"v":[...]},...}`: the frame's feeds as one JSON object. */
  feedsJson(): JsonText<FeedChunks> {
    if (this.body === undefined) {
      let body = '{';
      for (let i = 0; i < this.slices.length; i++) body += (i > 0 ? ',' : '') + this.slices[i].json();
      // frame.spec.ts parses it back to the frame's chunks
      this.body = trustedJson<FeedChunks>(body + '}');
    }
    return this.body;
  }

  /** `{"feeds":{...}}`: the JSON payload of a `points` message. */
  json(): JsonText<PointsEvent> {
    return jsonObject<PointsEvent>({ feeds: this.feedsJson() });
  }

  /** A transport's encoding of this frame, built on first use and shared afterwards. */
  encoded<T>(transport: string, build: (frame: Frame) => T): T {
    let value = this.encodings.get(transport) as T | undefined;
    if (value === undefined) {
      value = build(this);
      this.encodings.set(transport, value);
    }
    return value;
  }
}
