import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { readBody, readJsonBody, requestMediaType } from './body-reader.js';
import { InflightBodies, type BodyAllowance } from './inflight-bodies.js';

const LIMIT = 1000;

/** What the server made of a request: the value read, or the error's status, code, message and headers. */
type Outcome = { value: unknown } | { status: number; code: string; message: string; headers: Record<string, string> };

/** Library wording that must not reach a client (zlib's and V8's JSON parser's). */
const LIBRARY_WORDS =
  /incorrect header check|unexpected end of file|Unexpected token|Unexpected end|JSON\.parse|is not valid JSON/i;

describe('body reader', () => {
  let server: Server;
  let base: string;
  // `/held` bodies count here, and their answers wait for the test's `release()`, as a slow parse would
  const bodies = new InflightBodies({ total: 0, perAddress: 2 * LIMIT });
  let release = (): void => undefined;
  let released = Promise.resolve();
  const holdAnswers = (): void => {
    released = new Promise((resolve) => (release = resolve));
  };
  beforeAll(async () => {
    // a real HTTP server, so bodies arrive as Node delivers them: chunked, compressed, cut short
    server = createServer((req, res) => {
      void outcome(req, bodies.open('client', res)).then((result) => {
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

  async function outcome(req: IncomingMessage, allowance: BodyAllowance): Promise<Outcome> {
    try {
      if (req.url === '/json') return { value: await readJsonBody(req, LIMIT) };
      const held = req.url === '/held';
      const body = await readBody(req, LIMIT, held ? allowance : undefined);
      if (held) await released;
      return { value: body.toString('latin1') };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return { status: error.getStatus(), code: error.code, message: error.message, headers: error.headers };
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
    const tooLarge = {
      status: 413,
      code: 'payload_too_large',
      message: `the body is larger than ${LIMIT} bytes`,
      headers: {},
    };
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

  it('refuses an unknown encoding, and broken or truncated gzip and deflate streams in its own words', async () => {
    expect(await send('/raw', 'x', { 'content-encoding': 'br' })).toMatchObject({
      status: 415,
      code: 'unsupported_encoding',
    });
    const truncated = gzipSync('z'.repeat(100)).subarray(0, 12);
    for (const [body, encoding] of [
      ['not gzip', 'gzip'],
      [truncated, 'gzip'],
      ['not deflate', 'deflate'],
    ] as const) {
      const answer = await send('/raw', body, { 'content-encoding': encoding });
      expect(answer).toMatchObject({
        status: 400,
        code: 'invalid_body',
        message: `the ${encoding} body is corrupt or cut short`,
      });
    }
  });

  it('reserves a declared Content-Length before reading, and decompressed bytes as they arrive', async () => {
    // two held requests hold 900 bytes each of the 2000 the address may hold; a third would pass it
    const held = (body: string | Uint8Array, headers: Record<string, string> = {}) => send('/held', body, headers);
    for (const third of [
      () => held('c'.repeat(900)),
      () => held(gzipSync('c'.repeat(900)), { 'content-encoding': 'gzip' }),
    ]) {
      holdAnswers();
      const answers = [held('a'.repeat(900)), held('b'.repeat(900)), third()];
      // the refusal comes while the other two are still held
      expect(await Promise.race(answers)).toEqual({
        status: 429,
        code: 'too_many_inflight_bytes',
        message: expect.stringContaining('in flight') as string,
        headers: { 'Retry-After': '1' },
      });
      release();
      expect((await Promise.all(answers)).filter((a) => 'value' in a)).toHaveLength(2);
      // every answer closed its response, so every byte came back
      await expect.poll(() => bodies.inflight()).toBe(0);
    }
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
    for (const [body, message] of [
      ['{"title":', 'malformed JSON: the body ends early, at byte 9'],
      ['', 'malformed JSON: the body is empty'],
      ["{'a':1}", 'malformed JSON at byte 1'],
      ['{"a":1}x', 'malformed JSON at byte 7'],
      ['{"é":1,}', 'malformed JSON at byte 8'],
    ]) {
      const answer = await send('/json', body, json);
      expect(answer, body).toMatchObject({ status: 400, code: 'invalid_json', message });
      expect(JSON.stringify(answer)).not.toMatch(LIBRARY_WORDS);
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
