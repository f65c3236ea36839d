import { StringDecoder } from 'node:string_decoder';

export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * Reads an HTTP/1.1 response carrying an event stream from raw socket bytes:
 * status line and headers, chunked transfer coding (Node's streamed
 * responses are chunked) or identity, then SSE events (WHATWG framing:
 * fields per line, an empty line ends the event).
 */
export class SseResponseParser {
  status = 0;
  headers = new Map<string, string>();
  private stage: 'head' | 'size' | 'data' | 'crlf' | 'identity' | 'done' = 'head';
  private head: Buffer = Buffer.alloc(0);
  private sizeLine = '';
  private remaining = 0;
  private text = '';
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly onHead: (status: number) => void = () => {},
  ) {}

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      switch (this.stage) {
        case 'head':
          offset = this.readHead(chunk);
          if (this.stage === 'head') return;
          break;
        case 'size': {
          const newline = chunk.indexOf(10, offset);
          const end = newline < 0 ? chunk.length : newline;
          this.sizeLine += chunk.toString('latin1', offset, end);
          offset = end;
          if (newline < 0) break;
          offset++;
          const size = parseInt(this.sizeLine.split(';', 1)[0].trim(), 16);
          this.sizeLine = '';
          if (!Number.isFinite(size)) throw new Error('malformed chunk size');
          if (size === 0) {
            this.stage = 'done';
            return;
          }
          this.remaining = size;
          this.stage = 'data';
          break;
        }
        case 'data': {
          const n = Math.min(this.remaining, chunk.length - offset);
          this.text += this.decoder.write(chunk.subarray(offset, offset + n));
          offset += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            this.stage = 'crlf';
            this.remaining = 2;
          }
          break;
        }
        case 'crlf': {
          const n = Math.min(this.remaining, chunk.length - offset);
          offset += n;
          this.remaining -= n;
          if (this.remaining === 0) this.stage = 'size';
          break;
        }
        case 'identity':
          this.text += this.decoder.write(offset === 0 ? chunk : chunk.subarray(offset));
          offset = chunk.length;
          break;
        case 'done':
          return;
      }
    }
    this.drainEvents();
  }

  private readHead(chunk: Buffer): number {
    const previous = this.head.length;
    this.head = previous === 0 ? chunk : Buffer.concat([this.head, chunk]);
    const end = this.head.indexOf(HEADER_END);
    if (end < 0) return chunk.length;
    const lines = this.head.toString('latin1', 0, end).split('\r\n');
    this.status = Number(lines[0].split(' ')[1]);
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) this.headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    this.stage = (this.headers.get('transfer-encoding') ?? '').toLowerCase().includes('chunked') ? 'size' : 'identity';
    this.head = Buffer.alloc(0);
    this.onHead(this.status);
    return end + HEADER_END.length - previous;
  }

  private drainEvents(): void {
    let start = 0;
    for (;;) {
      const end = this.text.indexOf('\n\n', start);
      if (end < 0) break;
      this.dispatch(this.text.slice(start, end));
      start = end + 2;
    }
    if (start > 0) this.text = this.text.slice(start);
  }

  private dispatch(block: string): void {
    let event = 'message';
    let data: string | undefined;
    let id: string | undefined;
    for (const raw of block.split('\n')) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
      else if (field === 'id') id = value;
    }
    if (data !== undefined) this.onEvent({ event, data, id });
  }
}
