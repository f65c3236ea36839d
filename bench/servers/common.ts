import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** What a baseline server does with the two Pulseboard routes; health and 404 are shared. */
export interface BaselineRoutes {
  /** `GET /api/v1/stream`: the hello is already written. Without it the route is a 404. */
  stream?(req: IncomingMessage, res: ServerResponse): void;
  /** `POST /api/v1/ingest` with the decoded points; returns how many were accepted. */
  ingest(points: readonly unknown[]): number;
}

export const BATCH_MS = 50;

/** Same headers and opening as Pulseboard's streams, so the wire bytes compare. */
export function openStream(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  req.socket.setNoDelay(true);
  const hello = JSON.stringify({ session: randomBytes(16).toString('base64url'), batchMs: BATCH_MS });
  res.write(`retry: 2000\nevent: hello\ndata: ${hello}\n\n`);
}

export function startBaseline(routes: BaselineRoutes): Server {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method === 'GET' && path === '/api/v1/stream' && routes.stream !== undefined) {
      openStream(req, res);
      routes.stream(req, res);
    } else if (req.method === 'POST' && path === '/api/v1/ingest') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        let points: unknown;
        try {
          const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          points = typeof body === 'object' && body !== null ? (body as { points?: unknown }).points : undefined;
        } catch {
          points = undefined;
        }
        if (!Array.isArray(points)) {
          reply(res, 400, { error: { code: 'invalid_body', message: 'expected {"points":[...]}' } });
          return;
        }
        reply(res, 202, { accepted: routes.ingest(points) });
      });
    } else if (req.method === 'GET' && (path === '/health/ready' || path === '/health/live')) {
      reply(res, 200, { status: 'ready' });
    } else reply(res, 404, { error: { code: 'not_found', message: 'not found' } });
  });
  const port = Number(process.env.PORT ?? 0);
  server.listen(port, process.env.HOST ?? '127.0.0.1');
  // a normal exit, so that `--cpu-prof` writes its profile
  process.once('SIGTERM', () => process.exit(0));
  return server;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A point as producers send it, when it is one; the baselines check no more than this. */
export function asPoint(raw: unknown): { feed: string; t: number; v: number } | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { feed, t, v } = raw as { feed?: unknown; t?: unknown; v?: unknown };
  if (typeof feed !== 'string' || typeof v !== 'number') return undefined;
  return { feed, t: typeof t === 'number' ? t : Date.now(), v };
}

/** Points collected per feed in Pulseboard's columnar shape, until the next batch window takes them. */
export class PointBatch {
  feeds = new Map<string, { t: number[]; v: number[] }>();

  /** Adds the points that are points; returns how many were. */
  add(points: readonly unknown[]): number {
    let accepted = 0;
    for (const raw of points) {
      const point = asPoint(raw);
      if (point === undefined) continue;
      let feed = this.feeds.get(point.feed);
      if (feed === undefined) {
        feed = { t: [], v: [] };
        this.feeds.set(point.feed, feed);
      }
      feed.t.push(point.t);
      feed.v.push(point.v);
      accepted++;
    }
    return accepted;
  }

  /** The collected feeds, leaving the batch empty. */
  take(): Map<string, { t: number[]; v: number[] }> {
    const feeds = this.feeds;
    this.feeds = new Map();
    return feeds;
  }
}
