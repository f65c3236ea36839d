import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { ApiError } from './api-error.js';
import { checkJsonValue, DEFAULT_MAX_JSON_DEPTH } from './json-limits.js';

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
 * 400 `invalid_body` when the body cannot be read (a broken gzip stream).
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(req, limit);
  const source = decoded(req);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > limit) throw tooLarge(req, limit);
      chunks.push(buffer);
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(400, 'invalid_body', `could not read the body: ${(error as Error).message}`);
  }
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
  maxDepth = DEFAULT_MAX_JSON_DEPTH,
): Promise<unknown> {
  const mediaType = requestMediaType(req.headers['content-type']);
  if (mediaType !== 'application/json') {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `unsupported content type ${JSON.stringify(mediaType)}: use application/json`,
    );
  }
  const body = await readBody(req, limit);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new ApiError(400, 'invalid_json', 'the body is not UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    throw new ApiError(400, 'invalid_json', `malformed JSON: ${(error as Error).message}`);
  }
  checkJsonValue(value, maxDepth);
  return value;
}

function decoded(req: IncomingMessage): Readable {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return req;
  if (encoding === 'gzip' || encoding === 'x-gzip') return req.pipe(createGunzip());
  if (encoding === 'deflate') return req.pipe(createInflate());
  throw new ApiError(415, 'unsupported_encoding', `unsupported content encoding ${JSON.stringify(encoding)}: use gzip`);
}

function tooLarge(req: IncomingMessage, limit: number): ApiError {
  // the rest of the body is not wanted: close the connection once the answer is out
  req.resume();
  return new ApiError(413, 'payload_too_large', `the body is larger than ${limit} bytes`, [], { Connection: 'close' });
}
