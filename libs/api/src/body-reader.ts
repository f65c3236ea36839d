import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';
import { ApiError } from '@pulseboard/api';
import type { Readable } from 'node:stream';

/**
 * Reads a request body into one buffer, refusing it with a 413 as soon as it
 * (or, for gzip/deflate bodies, its decompressed form) passes `limit` bytes.
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
