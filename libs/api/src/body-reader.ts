import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { ApiError } from './api-error.js';
import { continueBody } from './early-answers.js';
import type { BodyAllowance } from './inflight-bodies.js';
import { checkJsonValue, DEFAULT_MAX_JSON_DEPTH } from './json-limits.js';
import { jsonSyntaxProblem } from './json-syntax.js';

// JSON between systems is UTF-8 (RFC 8259 §8.1); a lenient decoder would keep U+FFFD in place of bad bytes
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The media type of a `Content-Type` header, lower-cased and without parameters (`''` when absent). */
export function requestMediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Reads a request body into one buffer, refusing it with a 413 as soon as it
 * (or, for gzip/deflate bodies, its decompressed form) passes `limit` bytes.
 * Throws a 415 `unsupported_encoding` for another `Content-Encoding`, and a
 * 400 `invalid_body` when the body cannot be read (a broken gzip stream, a
 * request cut short).
 *
 * With an `allowance`, the bytes held count against the in-flight limits:
 * a declared `Content-Length` is reserved before anything is read, a
 * compressed or chunked body as its (decompressed) bytes arrive, and the
 * body is refused (429 / 503) the moment a limit would be passed.
 *
 * A client that sent `Expect: 100-continue` is asked for the body only once
 * it passed the checks that need no body. A refused body is no longer read
 * into memory: the rest of it is thrown away as it arrives (see
 * `closeAfterAnswer`), and the request is left open for the answer.
 */
export async function readBody(req: IncomingMessage, limit: number, allowance?: BodyAllowance): Promise<Buffer> {
  const declared = contentLength(req);
  if (declared !== undefined && declared > limit) throw refuse(req, tooLarge(limit));
  const encoding = contentEncoding(req);
  if (encoding === undefined && declared !== undefined) {
    try {
      allowance?.take(declared);
    } catch (error) {
      throw refuse(req, error);
    }
    continueBody(req);
    return readDeclared(req, declared);
  }
  continueBody(req);
  const source = encoding === undefined ? req : decompressed(req, encoding);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    await eachChunk(source, (chunk) => {
      size += chunk.length;
      if (size > limit) throw tooLarge(limit);
      allowance?.take(chunk.length);
      chunks.push(chunk);
    });
  } catch (error) {
    // the chunks go with this frame, and the allowance gives their bytes back when the response closes
    if (source !== req) source.destroy();
    throw refuse(req, error instanceof ApiError ? error : unreadable(encoding, error));
  }
  // Buffer.concat briefly holds the body twice; a declared length avoids that (readDeclared)
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}

/**
 * Reads an `application/json` body of at most `limit` bytes and answers the
 * parsed value, not yet validated. Throws a 415 `unsupported_media_type` for
 * another content type, the errors of `readBody`, a 400 `invalid_json` when
 * the body is not UTF-8 or does not parse, and the 400s of `checkJsonValue`
 * (nesting deeper than `maxDepth`, prototype keys).
 */
export async function readJsonBody(
  req: IncomingMessage,
  limit: number,
  options: { maxDepth?: number; allowance?: BodyAllowance } = {},
): Promise<unknown> {
  const mediaType = requestMediaType(req.headers['content-type']);
  if (mediaType !== 'application/json') {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `unsupported content type ${JSON.stringify(mediaType)}: use application/json`,
    );
  }
  const body = await readBody(req, limit, options.allowance);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new ApiError(400, 'invalid_json', 'the body is not UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'invalid_json', jsonSyntaxProblem(text));
  }
  checkJsonValue(value, options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH);
  return value;
}

/** The declared `Content-Length`, when there is one. */
function contentLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined) return undefined;
  const declared = Number(header);
  return Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined;
}

/** The body's compression, `undefined` when it has none; a 415 for one the server does not read. */
function contentEncoding(req: IncomingMessage): 'gzip' | 'deflate' | undefined {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') return 'gzip';
  if (encoding === 'deflate') return 'deflate';
  throw new ApiError(415, 'unsupported_encoding', `unsupported content encoding ${JSON.stringify(encoding)}: use gzip`);
}

/** The decompressed body; an error of the request (cut short) or of the data (corrupt) ends it. */
function decompressed(req: IncomingMessage, encoding: 'gzip' | 'deflate'): Readable {
  const inflate = encoding === 'gzip' ? createGunzip() : createInflate();
  // pipe, not pipeline: refusing the body must leave the request open for its answer; but a request
  // that breaks off must end the decompressor, or the read would wait forever
  req.pipe(inflate);
  req.once('error', (error) => inflate.destroy(error));
  req.once('close', () => {
    if (!req.complete) inflate.destroy(new Error('the request ended before its body was complete'));
  });
  return inflate;
}

/**
 * Hands each chunk of `source` to `take` until the source ends; rejects with what `take` throws or
 * with the source's error. Unlike leaving a `for await` loop, which destroys the request and with
 * it the connection before any answer is out, stopping leaves the source as it is.
 */
function eachChunk(source: Readable, take: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = (error: Error | undefined): void => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', stop);
      source.off('close', onClose);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      try {
        take(chunk);
      } catch (error) {
        stop(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const onEnd = (): void => stop(undefined);
    const onClose = (): void => stop(new Error('the stream closed before its end'));
    source.on('data', onData);
    source.once('end', onEnd);
    source.once('error', stop);
    source.once('close', onClose);
  });
}

/**
 * Reads a body of a declared length straight into one buffer of that size,
 * so the chunks are not kept alongside it (Node's parser never delivers more
 * than the declared length).
 */
async function readDeclared(req: IncomingMessage, declared: number): Promise<Buffer> {
  const body = Buffer.allocUnsafe(declared);
  let size = 0;
  try {
    await eachChunk(req, (chunk) => {
      chunk.copy(body, size);
      size += chunk.length;
    });
  } catch (error) {
    throw refuse(req, unreadable(undefined, error));
  }
  if (size < declared) throw refuse(req, unreadable(undefined, undefined));
  return body;
}

/** Why a body could not be read, in the product's words: zlib's ("incorrect header check") mean nothing to a producer. */
function unreadable(encoding: 'gzip' | 'deflate' | undefined, error: unknown): ApiError {
  const code = (error as { code?: unknown } | undefined)?.code;
  // zlib's errors carry Z_* codes; anything else means the request itself broke off
  const corrupt = encoding !== undefined && typeof code === 'string' && code.startsWith('Z_');
  return new ApiError(
    400,
    'invalid_body',
    corrupt ? `the ${encoding} body is corrupt or cut short` : 'the request ended before its body was complete',
  );
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'payload_too_large', `the body is larger than ${limit} bytes`);
}

/**
 * `error` for a request whose body will not be read (further): the rest of
 * it is thrown away as it arrives; the exception filter answers with
 * `Connection: close` and closes the connection once the body has ended
 * (`closeAfterAnswer`).
 */
function refuse(req: IncomingMessage, error: unknown): unknown {
  req.unpipe();
  req.resume();
  return error;
}
