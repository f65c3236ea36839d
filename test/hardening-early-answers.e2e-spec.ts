import { request } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { bearer, startAuthServer, token } from './support/auth.js';
import { errorCode, post } from './support/http.js';
import { hardenedSuite } from './support/hardened-suite.js';
import { pollUntil } from './support/polling.js';
import { parseAnswer, upload, type ParsedAnswer, type UploadOptions } from './support/raw-http.js';
import { startServer } from './support/server.js';

// the test's own collector, so that "memory came back" is measured after a full collection
setFlagsFromString('--expose_gc');
const collectGarbage = runInNewContext('gc') as () => void;

const MB = 1024 * 1024;
/** Twice the default `MAX_BODY_BYTES` (10 MB). */
const LARGE = 20 * MB;
/** Many uploads of a large body take a while on a shared machine. */
const LONG = 180_000;

/** The head of an ingest request, each header line ending in CRLF. */
function ingestHead(headers: Record<string, string>): string {
  const lines = Object.entries({ host: '127.0.0.1', 'content-type': 'application/json', ...headers }).map(
    ([name, value]) => `${name}: ${value}\r\n`,
  );
  return `POST /api/v1/ingest HTTP/1.1\r\n${lines.join('')}`;
}

/** Uploads and reads the final answer; a connection reset that lost the answer fails here. */
async function answerTo(
  url: string,
  options: UploadOptions,
): Promise<ParsedAnswer & { sent: number; broken: string | undefined }> {
  const result = await upload(url, options);
  try {
    return { ...parseAnswer(result.received), sent: result.sent, broken: result.error };
  } catch (error) {
    throw new Error(`no answer (connection ${result.error ?? 'closed'} after ${result.sent} bytes sent)`, {
      cause: error,
    });
  }
}

/** Heap and Buffer memory after a full collection. */
function retained(): number {
  collectGarbage();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/** Resident memory (RSS) of this process — the server runs in it — sampled every few ms until stopped. */
function sampleMemory(): { peak: () => number; stop: () => void } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  return { peak: () => Math.max(peak, process.memoryUsage.rss()), stop: () => clearInterval(timer) };
}

describe('early answers to a body still being sent', () => {
  // the defaults: MAX_BODY_BYTES 10 MB
  const suite = hardenedSuite(() => startServer());

  it(
    'answers fifty 20 MB uploads in a row with 413 payload_too_large, each read while the body is still going out',
    { timeout: LONG },
    async () => {
      const before = retained();
      const rssBefore = process.memoryUsage.rss();
      const memory = sampleMemory();
      suite.closers.push(() => memory.stop());
      for (let k = 0; k < 50; k++) {
        const answer = await answerTo(suite.server.url, {
          head: ingestHead({ 'content-length': String(LARGE) }),
          bodyBytes: LARGE,
        });
        expect(answer.status, `upload ${k}`).toBe(413);
        expect(errorCode(JSON.parse(answer.body))).toBe('payload_too_large');
        expect(answer.headers.connection).toBe('close');
        // as curl does, a client whose upload is reset reports a network error, whatever it had read
        expect(answer.broken, `upload ${k}`).toBeUndefined();
        expect(answer.sent).toBe(LARGE);
      }
      memory.stop();
      // a gigabyte went through the server and was thrown away as it came
      const growth = memory.peak() - rssBefore;
      expect(growth, `grew by ${Math.round(growth / MB)} MB`).toBeLessThan(128 * MB);
      const kept = retained() - before;
      expect(kept, `kept ${Math.round(kept / MB)} MB`).toBeLessThan(50 * MB);
      await suite.bystander.stillServes();
    },
  );

  it('answers a chunked 20 MB upload (no Content-Length) with 413, every time', { timeout: LONG }, async () => {
    for (let k = 0; k < 10; k++) {
      const answer = await answerTo(suite.server.url, {
        head: ingestHead({ 'transfer-encoding': 'chunked' }),
        bodyBytes: LARGE,
        chunked: true,
      });
      expect(answer.status, `upload ${k}`).toBe(413);
      expect(errorCode(JSON.parse(answer.body))).toBe('payload_too_large');
      expect(answer.broken, `upload ${k}`).toBeUndefined();
      expect(answer.sent).toBe(LARGE);
    }
    await suite.bystander.stillServes();
  });

  it('answers a 20 MB upload from a foreign page with 403, before reading it', async () => {
    const answer = await answerTo(suite.server.url, {
      head: ingestHead({ 'content-length': String(LARGE), origin: 'https://evil.example' }),
      bodyBytes: LARGE,
    });
    expect(answer.status).toBe(403);
    expect(errorCode(JSON.parse(answer.body))).toBe('origin_not_allowed');
    expect(answer.headers.connection).toBe('close');
    expect(answer.broken).toBeUndefined();
    await suite.bystander.stillServes();
  });

  it('answers an upload that expects 100-continue with 413 at once, without asking for the body', async () => {
    for (let k = 0; k < 10; k++) {
      const answer = await answerTo(suite.server.url, {
        head: ingestHead({ 'content-length': String(LARGE), expect: '100-continue' }),
        bodyBytes: LARGE,
        awaitContinue: true,
      });
      expect(answer.interim).toEqual([]);
      expect(answer.status).toBe(413);
      expect(errorCode(JSON.parse(answer.body))).toBe('payload_too_large');
      expect(answer.sent).toBe(0);
    }
    await suite.bystander.stillServes();
  });

  it('still asks for a body within the limit with 100 Continue, and takes it', async () => {
    const body = JSON.stringify({ points: [{ feed: 'early.continue', v: 7 }] });
    const answer = await new Promise<{ continued: boolean; status: number }>((resolve, reject) => {
      let continued = false;
      const { hostname, port } = new URL(suite.server.url);
      const req = request(
        {
          hostname,
          port,
          method: 'POST',
          path: '/api/v1/ingest',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            expect: '100-continue',
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ continued, status: res.statusCode ?? 0 }));
        },
      );
      req.once('error', reject);
      req.once('continue', () => {
        continued = true;
        req.end(body);
      });
    });
    expect(answer).toEqual({ continued: true, status: 202 });
    await suite.bystander.stillServes();
  });

  it('stops reading a body far past the limit, after answering it', { timeout: LONG }, async () => {
    const endless = 1024 * MB;
    const answer = await answerTo(suite.server.url, {
      head: ingestHead({ 'content-length': String(endless) }),
      bodyBytes: endless,
    });
    expect(answer.status).toBe(413);
    // the server closed the connection long before a gigabyte went through
    expect(answer.sent).toBeLessThan(256 * MB);
    await suite.bystander.stillServes();
  });
});

describe('early answers and the bytes in flight', () => {
  const suite = hardenedSuite(() =>
    startServer({ MAX_BODY_BYTES: String(MB), MAX_INFLIGHT_BODY_BYTES_PER_IP: String(MB) }),
  );

  it('does not count a refused body as in flight while the rest of it is drained', async () => {
    let answered: (received: string) => void = () => undefined;
    const firstAnswer = new Promise<string>((resolve) => (answered = resolve));
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const refused = answerTo(suite.server.url, {
      head: ingestHead({ 'transfer-encoding': 'chunked' }),
      bodyBytes: 4 * MB,
      chunked: true,
      // holds the connection open in the middle of the body, past the point where it was refused
      pause: { afterBytes: 2 * MB, until: released },
      onAnswer: answered,
    });
    expect(await firstAnswer).toMatch(/^HTTP\/1\.1 413 /);

    // the same address may send a body of nearly its whole allowance meanwhile
    const pad = ' '.repeat(0.9 * MB);
    const meanwhile = await post(
      suite.server.url,
      `{"points":[{"feed":"early.meanwhile","v":1}],"pad":"${pad}"}`,
      'application/json',
    );
    expect(meanwhile.status).toBe(202);
    release();
    expect((await refused).status).toBe(413);
    await suite.bystander.stillServes();
  });
});

describe('early answers to a client that goes quiet', () => {
  const suite = hardenedSuite(() => startServer({ MAX_BODY_BYTES: String(MB) }));

  it('closes the connection of a refused body that stops coming, after a few idle seconds', async () => {
    const server = suite.server.app.getHttpServer();
    const connections = (): Promise<number> =>
      new Promise((resolve, reject) =>
        server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
    const before = await connections();
    let answered: () => void = () => undefined;
    const firstAnswer = new Promise<void>((resolve) => (answered = resolve));
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const refused = answerTo(suite.server.url, {
      head: ingestHead({ 'content-length': String(4 * MB) }),
      bodyBytes: 4 * MB,
      // a client that goes quiet in the middle of its body, and never closes
      pause: { afterBytes: 2 * MB, until: released },
      onAnswer: answered,
    });
    await firstAnswer;
    expect(await connections()).toBe(before + 1);
    await pollUntil(
      async () => ((await connections()) === before ? true : undefined),
      'the server to close it',
      20_000,
    );
    release();
    expect((await refused).status).toBe(413);
    await suite.bystander.stillServes();
  });
});

describe('early answers on a server that needs a token', () => {
  let producer: string;
  const suite = hardenedSuite(
    () => startAuthServer(),
    async () => {
      producer = await token({ role: 'producer', sub: 'early-producer' });
      return { token: await token({ role: 'admin', sub: 'bystander' }) };
    },
  );

  it('answers a 20 MB upload without a token with 401, every time', { timeout: LONG }, async () => {
    for (let k = 0; k < 10; k++) {
      const answer = await answerTo(suite.server.url, {
        head: ingestHead({ 'content-length': String(LARGE) }),
        bodyBytes: LARGE,
      });
      expect(answer.status, `upload ${k}`).toBe(401);
      expect(errorCode(JSON.parse(answer.body))).toBe('unauthorized');
      expect(answer.broken, `upload ${k}`).toBeUndefined();
    }
    await suite.bystander.stillServes();
  });

  it('answers 401 without 100 Continue to an upload without a token that expects it', async () => {
    const answer = await answerTo(suite.server.url, {
      head: ingestHead({ 'content-length': String(LARGE), expect: '100-continue' }),
      bodyBytes: LARGE,
      awaitContinue: true,
    });
    expect(answer.interim).toEqual([]);
    expect(answer.status).toBe(401);
    expect(answer.sent).toBe(0);
    await suite.bystander.stillServes();
  });

  it('answers a 20 MB upload of an unknown content type with 415 before reading it', { timeout: LONG }, async () => {
    const answer = await answerTo(suite.server.url, {
      head: ingestHead({
        'content-type': 'application/xml',
        'content-length': String(LARGE),
        ...bearer(producer),
      }),
      bodyBytes: LARGE,
    });
    expect(answer.status).toBe(415);
    expect(errorCode(JSON.parse(answer.body))).toBe('unsupported_media_type');
    expect(answer.broken).toBeUndefined();
    await suite.bystander.stillServes();
  });
});
