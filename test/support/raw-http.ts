import { request } from 'node:http';
import { connect } from 'node:net';
import { WebSocket } from 'ws';

export interface RawAnswer {
  status: number;
  body: string;
}

/** A request with headers fetch would not send as given (`Host`), read to its end. */
export function raw(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers, setHost: headers.host === undefined }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      // a stream that was let through would never end: its headers are the answer
      if (res.statusCode === 200 && (res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        resolve({ status: 200, body: '' });
        res.destroy();
      }
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** What a WebSocket upgrade with these headers is answered: the status of a refusal, or 101. */
export function upgrade(url: string, path: string, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}${path}`, { headers });
    ws.once('error', () => undefined);
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
  });
}

export interface UploadOptions {
  /** Request line and headers, each ending in CRLF, without the blank line. */
  head: string;
  /** Body bytes to send, in 64 KB slices. */
  bodyBytes: number;
  /** Frames the body as chunks (the head should say `Transfer-Encoding: chunked`). */
  chunked?: boolean;
  /**
   * Waits for the first answer before sending any of the body, as a client that sent
   * `Expect: 100-continue` does: the body goes only after a `100 Continue`.
   */
  awaitContinue?: boolean;
  /** Stops sending after `afterBytes` of the body until `until` settles. */
  pause?: { afterBytes: number; until: Promise<unknown> };
  /** Called once the head of the first answer has arrived. */
  onAnswer?: (received: string) => void;
  localAddress?: string;
}

export interface UploadResult {
  /** Everything the server sent, interim answers included (latin1). */
  received: string;
  /** Body bytes the client wrote before it finished or the connection broke. */
  sent: number;
  /** The connection's error (`ECONNRESET`, `EPIPE`), if it broke. */
  error: string | undefined;
}

const SLICE = Buffer.alloc(64 * 1024, 0x61);

/**
 * A raw upload over `node:net`, as a producer with a too-large batch sends it: the head, then the
 * whole body in 64 KB slices as fast as the connection drains, whatever the server answers meanwhile
 * (read as it comes). Resolves once the connection has closed.
 */
export function upload(url: string, options: UploadOptions): Promise<UploadResult> {
  const { hostname, port } = new URL(url);
  // half-open: like a producer that sends its whole body whatever comes back, it goes on after the server's FIN
  const socket = connect({
    host: hostname,
    port: Number(port),
    localAddress: options.localAddress,
    allowHalfOpen: true,
  });
  let received = '';
  let error: string | undefined;
  let sent = 0;
  let answer: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  void answered.then(() => options.onAnswer?.(received));
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    received += chunk;
    if (received.includes('\r\n\r\n')) answer();
  });
  socket.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const broken = (): boolean => socket.destroyed || !socket.writable;

  const send = async (): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    }).catch(() => undefined);
    if (broken()) return;
    socket.write(`${options.head}\r\n`);
    if (options.awaitContinue === true) {
      await Promise.race([answered, closed]);
      // a final answer instead of `100 Continue`: the body is not wanted
      if (!received.startsWith('HTTP/1.1 100 ')) return;
    }
    let pause = options.pause;
    while (sent < options.bodyBytes && !broken()) {
      if (pause !== undefined && sent >= pause.afterBytes) {
        await Promise.race([pause.until, closed]);
        pause = undefined;
      }
      const slice = SLICE.subarray(0, Math.min(SLICE.length, options.bodyBytes - sent));
      const framed = options.chunked === true ? [`${slice.length.toString(16)}\r\n`, slice, '\r\n'] : [slice];
      let drained = true;
      for (const part of framed) drained = socket.write(part) && drained;
      sent += slice.length;
      if (!drained) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed]);
    }
    if (options.chunked === true && !broken()) socket.write('0\r\n\r\n');
  };

  return send().then(async () => {
    if (!broken()) socket.end();
    await closed;
    return { received, sent, error };
  });
}

export interface ParsedAnswer {
  /** Status codes of the interim answers (100) before the final one. */
  interim: number[];
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A chunked body (latin1) put back together; `undefined` when its last chunk has not arrived. */
function unchunk(text: string): string | undefined {
  let body = '';
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    if (lineEnd === -1) return undefined;
    const size = parseInt(text.slice(at, lineEnd), 16);
    if (size === 0) return body;
    if (text.length < lineEnd + 2 + size) return undefined;
    body += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}

/** Splits what an upload received into its interim answers and the final one (by length or chunks). */
export function parseAnswer(received: string): ParsedAnswer {
  const interim: number[] = [];
  let rest = received;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) throw new Error(`no complete answer in ${JSON.stringify(received.slice(0, 200))}`);
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1]);
    rest = rest.slice(end + 4);
    if (status >= 100 && status < 200) {
      interim.push(status);
      continue;
    }
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const body = headers['transfer-encoding'] === 'chunked' ? unchunk(rest) : rest;
    const length = headers['content-length'] === undefined ? body?.length : Number(headers['content-length']);
    if (body === undefined || body.length < (length ?? 0)) {
      throw new Error(`a cut answer: ${JSON.stringify(received.slice(0, 400))}`);
    }
    return { interim, status, headers, body: Buffer.from(body.slice(0, length), 'latin1').toString('utf8') };
  }
}
