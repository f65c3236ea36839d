import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Body bytes read and thrown away after an early answer before the connection is closed anyway:
 * a few times the default body limit, so a producer's too-large batch is read to its end (and the
 * producer reads the answer) while a client that sends without end is cut off.
 */
export const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
/** A client that sends nothing for this long after an early answer has stopped sending its body. */
export const DRAIN_IDLE_MS = 5_000;
/** The longest an early-answered body is drained, as nginx's `lingering_time`. */
export const DRAIN_MAX_MS = 30_000;

/** Requests whose client sent `Expect: 100-continue` and waits for it, with their responses. */
const awaitingContinue = new WeakMap<IncomingMessage, ServerResponse>();

/**
 * Makes `server` send `100 Continue` only once a handler starts reading the body
 * ({@link continueBody}), rather than at once as Node does: a request refused before its body
 * is read (401, 403, 413 by its `Content-Length`, 415, 429, 503) gets its final answer instead,
 * and the client never sends the body.
 */
export function continueOnRead(server: Server): void {
  // with a listener, Node leaves 100 Continue to it and no longer emits 'request' for these requests
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    awaitingContinue.set(req, res);
    server.emit('request', req, res);
  });
}

/** Sends the `100 Continue` the client of `req` waits for before sending its body, if it asked for one. */
export function continueBody(req: IncomingMessage): void {
  const res = awaitingContinue.get(req);
  if (res === undefined) return;
  awaitingContinue.delete(req);
  if (!res.headersSent) res.writeContinue();
}

/**
 * Prepares `res`, about to answer `req` before its body has all arrived, so that the answer
 * reaches a client that is still sending. Call it before the answer is written.
 *
 * Node ends a `Connection: close` answer with `socket.destroySoon()` (`resOnFinish` in
 * `lib/_http_server.js`), which closes the socket while the body still arrives; the kernel then
 * resets the connection, and a client still sending loses the answer (curl reports "Connection
 * reset by peer", a producer retries a batch that can never pass). Instead, as nginx's
 * `lingering_close` does: the answer goes out with `Connection: close` and the server's half of
 * the connection is closed, the rest of the body is read and thrown away — it counts nowhere — and
 * the socket closes once the body has ended, or once {@link DRAIN_MAX_BYTES} more have come, the
 * client has sent nothing for {@link DRAIN_IDLE_MS}, or {@link DRAIN_MAX_MS} have passed.
 */
export function closeAfterAnswer(req: IncomingMessage, res: ServerResponse): void {
  // the answer goes instead of the 100 Continue: the client will not send the body
  awaitingContinue.delete(req);
  if (req.complete || res.headersSent) return;
  res.setHeader('Connection', 'close');
  req.unpipe();
  req.resume();
  const socket = req.socket;
  socket.destroySoon = () => {
    // the answer, then the server's FIN; an HTTP server's sockets stay readable after it
    socket.end();
    const destroyOnceSent = (): void => {
      if (socket.writableFinished) socket.destroy();
      else socket.once('finish', () => socket.destroy());
    };
    if (req.complete) {
      destroyOnceSent();
      return;
    }
    const deadline = Date.now() + DRAIN_MAX_MS;
    let drained = 0;
    // the socket's own idle timer, as for any idle connection; the deadline is checked as bytes come
    socket.setTimeout(DRAIN_IDLE_MS, () => socket.destroy());
    req.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > DRAIN_MAX_BYTES || Date.now() > deadline) socket.destroy();
    });
    // all of the body has been read: nothing is left unread to reset the connection
    req.once('end', destroyOnceSent);
  };
}
