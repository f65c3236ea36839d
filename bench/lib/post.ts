import { type Agent, request } from 'node:http';

export interface PostResult {
  status: number;
  accepted: number;
}

/** POSTs a JSON body to the ingest route and reads back how many points were accepted. */
export function postPoints(
  agent: Agent,
  port: number,
  body: string | Buffer,
  authorization?: string,
): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/ingest',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(authorization === undefined ? {} : { authorization }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          let accepted = 0;
          if (res.statusCode === 202) {
            try {
              const decoded: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
              const value =
                typeof decoded === 'object' && decoded !== null ? (decoded as { accepted?: unknown }).accepted : 0;
              accepted = typeof value === 'number' ? value : 0;
            } catch {
              accepted = 0;
            }
          }
          resolve({ status: res.statusCode ?? 0, accepted });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** One JSON request on its own connection; the answer's status and text. */
export function sendJson(
  port: number,
  method: string,
  path: string,
  body: unknown,
  timeoutMs = 10_000,
): Promise<{ status: number; text: string }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        timeout: timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(text);
  });
}
