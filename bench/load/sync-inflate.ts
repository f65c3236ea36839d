import { constants, inflateRawSync } from 'node:zlib';

/*
 * permessage-deflate inflation on the event loop, for `ws` clients. `ws`
 * inflates through zlib streams on the libuv threadpool: three hand-offs per
 * message, behind one queue of 10 for the whole process. With 1000 sockets in
 * one process on 2 cores that, not the server, limited the runs: at 1000
 * sockets × 10,000 points/s this worker's event loop was 89 % busy (over half
 * of it in zlib stream calls), 83 % of the points arrived and p99 was 2.3 s,
 * while the server used 32 % of a core. Inflating each message at once (about
 * 10 µs of zlib for a 10 KB `points` message) the same run delivers them all
 * with p99 74 ms, and sockets do not queue behind each other, as they would
 * not in separate browsers.
 */

/** What `Z_SYNC_FLUSH` ends a message with; permessage-deflate leaves it out (RFC 7692 §7.2.2). */
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const EMPTY = Buffer.alloc(0);
/** zlib's default (and largest) window. */
const DEFAULT_WINDOW_BITS = 15;

type Callback = (error: Error | null, result?: Buffer) => void;

/** The members of `ws`'s PerMessageDeflate extension this replaces and reads. */
export interface DeflateExtension {
  params: Record<string, unknown> | null;
  decompress(data: Buffer, fin: boolean, callback: Callback): void;
}

/** One socket's inflater, with the negotiated window and context takeover. */
class SyncInflater {
  private readonly windowBits: number;
  private readonly takeover: boolean;
  private readonly windowSize: number;
  /** With context takeover, the end of everything inflated so far: the next message may refer back into it. */
  private window: Buffer = EMPTY;
  private fragments: Buffer[] = [];

  constructor(params: Record<string, unknown>) {
    const bits = params.server_max_window_bits;
    this.windowBits = typeof bits === 'number' ? bits : DEFAULT_WINDOW_BITS;
    this.windowSize = 1 << this.windowBits;
    this.takeover = params.server_no_context_takeover !== true;
  }

  decompress(data: Buffer, fin: boolean, callback: Callback): void {
    this.fragments.push(data);
    if (!fin) {
      answer(callback, null, EMPTY);
      return;
    }
    const compressed = Buffer.concat([...this.fragments, TAIL]);
    this.fragments = [];
    let message: Buffer;
    try {
      message = inflateRawSync(compressed, {
        windowBits: this.windowBits,
        finishFlush: constants.Z_SYNC_FLUSH,
        ...(this.takeover && this.window.length > 0 ? { dictionary: this.window } : {}),
      });
    } catch (error) {
      answer(callback, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (this.takeover) {
      const joined = this.window.length === 0 ? message : Buffer.concat([this.window, message]);
      this.window = joined.length <= this.windowSize ? joined : joined.subarray(joined.length - this.windowSize);
    }
    answer(callback, null, message);
  }
}

/** `ws` expects its callback after `decompress` returns (its parser waits in an "inflating" state). */
function answer(callback: Callback, error: Error | null, result?: Buffer): void {
  queueMicrotask(() => callback(error, result));
}

/** Makes a negotiated permessage-deflate extension inflate synchronously; call it on `open`. */
export function inflateSynchronously(extension: DeflateExtension | undefined): void {
  if (extension?.params === null || extension?.params === undefined) return;
  const inflater = new SyncInflater(extension.params);
  extension.decompress = (data, fin, callback) => inflater.decompress(data, fin, callback);
}
