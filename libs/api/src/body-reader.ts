import type { IncomingMessage } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { ApiError } from './api-error.js';
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
    return readDeclared(req, declared);
  }
  const source = encoding === undefined ? req : decompressed(req, encoding);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > limit) throw tooLarge(limit);
      allowance?.take(buffer.length);
      chunks.push(buffer);
    }
  } catch (error) {
    // leaving the loop destroyed the decompressor; the chunks go with this frame, and the
    // allowance gives their bytes back when the response closes
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
  // pipeline, not pipe: a request that breaks off must end the decompressor too, or the read would wait forever
  pipeline(req, inflate, () => undefined);
  return inflate;
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
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      buffer.copy(body, size);
      size += buffer.length;
    }
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
  return new ApiError(413, 'payload_too_large', `the body is larger than ${limit} bytes`, [], { Connection: 'close' });
}

/**
 * `error` for a request whose body will not be read (further): the rest of
 * it is discarded as it arrives, and the connection closes once the answer
 * (with `Connection: close`) is out.
 */
function refuse(req: IncomingMessage, error: unknown): unknown {
  req.unpipe();
  req.resume();
  return error;
}
