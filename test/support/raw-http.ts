import { request } from 'node:http';
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
