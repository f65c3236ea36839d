import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { readBody, readJsonBody, requestMediaType } from './body-reader.js';

const LIMIT = 1000;

/** What the server made of a request: the value read, or the error's status, code and headers. */
type Outcome = { value: unknown } | { status: number; code: string; headers: Record<string, string> };

describe('body reader', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    // a real HTTP server, so bodies arrive as Node delivers them: chunked, compressed, cut short
    server = createServer((req, res) => {
      void outcome(req).then((result) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(result));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  async function outcome(req: IncomingMessage): Promise<Outcome> {
    try {
      const value =
        req.url === '/json' ? await readJsonBody(req, LIMIT) : (await readBody(req, LIMIT)).toString('latin1');
      return { value };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return { status: error.getStatus(), code: error.code, headers: error.headers };
    }
  }

  async function send(path: string, body: string | Uint8Array, headers: Record<string, string>): Promise<Outcome> {
    const payload = typeof body === 'string' ? body : new Uint8Array(body);
    const res = await fetch(`${base}${path}`, { method: 'POST', body: payload, headers });
    return (await res.json()) as Outcome;
  }

  /** Sends a body in chunks without a Content-Length, so only counting can catch its size. */
  function sendChunked(path: string, chunks: string[], headers: Record<string, string>): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const req = request(`${base}${path}`, { method: 'POST', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(JSON.parse(text) as Outcome));
      });
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
  }

  it('reads a body of exactly the limit', async () => {
    expect(await send('/raw', 'x'.repeat(LIMIT), {})).toEqual({ value: 'x'.repeat(LIMIT) });
  });

  it('refuses a body over the limit by its Content-Length, and one without it as it arrives', async () => {
    const tooLarge = { status: 413, code: 'payload_too_large', headers: { Connection: 'close' } };
    expect(await send('/raw', 'x'.repeat(LIMIT + 1), {})).toEqual(tooLarge);
    expect(await sendChunked('/raw', Array<string>(11).fill('x'.repeat(100)), {})).toEqual(tooLarge);
  });

  it('decompresses gzip and applies the limit to the decompressed size', async () => {
    const small = gzipSync('y'.repeat(LIMIT));
    expect(await send('/raw', small, { 'content-encoding': 'gzip' })).toEqual({ value: 'y'.repeat(LIMIT) });
    const bomb = gzipSync(Buffer.alloc(100 * LIMIT, 32));
    expect(bomb.length).toBeLessThan(LIMIT);
    expect(await send('/raw', bomb, { 'content-encoding': 'gzip' })).toMatchObject({ code: 'payload_too_large' });
  });

  it('refuses an unknown encoding and a broken gzip stream', async () => {
    expect(await send('/raw', 'x', { 'content-encoding': 'br' })).toMatchObject({
      status: 415,
      code: 'unsupported_encoding',
    });
    expect(await send('/raw', 'not gzip', { 'content-encoding': 'gzip' })).toMatchObject({
      status: 400,
      code: 'invalid_body',
    });
  });

  it('parses a JSON body, with or without a charset parameter', async () => {
    const body = JSON.stringify({ title: 'Ops ✓', n: [1, 2.5] });
    expect(await send('/json', body, { 'content-type': 'application/json' })).toEqual({
      value: { title: 'Ops ✓', n: [1, 2.5] },
    });
    expect(await send('/json', body, { 'content-type': 'Application/JSON; charset=utf-8' })).toEqual({
      value: { title: 'Ops ✓', n: [1, 2.5] },
    });
  });

  it('refuses a JSON body under another content type or none', async () => {
    const unsupported = { status: 415, code: 'unsupported_media_type' };
    for (const type of ['text/plain', 'application/x-ndjson', 'application/json-seq']) {
      expect(await send('/json', '{}', { 'content-type': type }), type).toMatchObject(unsupported);
    }
    // fetch would add text/plain to a string body
    expect(await sendChunked('/json', ['{}'], {})).toMatchObject(unsupported);
  });

  it('answers invalid_json for malformed JSON, an empty body and bytes that are not UTF-8', async () => {
    const json = { 'content-type': 'application/json' };
    for (const body of ['{"title":', '', "{'a':1}", '{"a":1}x']) {
      expect(await send('/json', body, json), body).toMatchObject({ status: 400, code: 'invalid_json' });
    }
    const latin1 = Buffer.from('{"title":"caf\xe9"}', 'latin1');
    expect(await send('/json', latin1, json)).toMatchObject({ status: 400, code: 'invalid_json' });
  });

  it('applies the limit to JSON bodies', async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(LIMIT) });
    expect(await send('/json', body, { 'content-type': 'application/json' })).toMatchObject({
      status: 413,
      code: 'payload_too_large',
    });
  });

  it('reads the media type of a Content-Type header', () => {
    expect(requestMediaType('Application/Json ; charset=UTF-8')).toBe('application/json');
    expect(requestMediaType(undefined)).toBe('');
  });
});
