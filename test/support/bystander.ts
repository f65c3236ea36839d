import { randomBytes } from 'node:crypto';
import { bearer } from './auth.js';
import { post } from './http.js';
import { SseClient } from './sse-client.js';

export interface BystanderOptions {
  /** Admin token for auth servers (it both streams and ingests); none in open mode. */
  token?: string;
  /** Source address of its stream: another loopback address, so per-address limits leave it alone. */
  localAddress?: string;
}

/**
 * Another client of the same server, minding its own business: an SSE stream
 * on a feed of its own, opened before a test's hostile request. After the
 * request, {@link stillServes} proves the server still works for everyone
 * else: a fresh valid ingest is accepted (202) and the already-open stream
 * receives the new point.
 */
export class Bystander {
  readonly feed = `bystander.${randomBytes(4).toString('hex')}`;
  private sent = 0;
  private stream: SseClient | undefined;

  private constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
  ) {}

  /** Opens the bystander's stream and resolves once its `hello` arrived. */
  static async open(url: string, options: BystanderOptions = {}): Promise<Bystander> {
    const headers = options.token === undefined ? {} : bearer(options.token);
    const bystander = new Bystander(url, headers);
    const stream = await SseClient.open(`${url}/api/v1/stream?feeds=${bystander.feed}`, headers, {
      localAddress: options.localAddress ?? '127.0.0.2',
    });
    bystander.stream = stream;
    if (stream.status !== 200) throw new Error(`the bystander's stream answered ${stream.status}: ${stream.body}`);
    await stream.until((c) => c.named('hello').length === 1, 10_000, 'the bystander’s hello');
    return bystander;
  }

  /** Ingests one more point of the bystander's feed (expecting 202) and waits until its stream has it. */
  async stillServes(): Promise<void> {
    const stream = this.stream;
    if (stream === undefined || stream.ended) throw new Error('the bystander’s stream has ended');
    this.sent++;
    const res = await post(
      this.url,
      JSON.stringify({ points: [{ feed: this.feed, v: this.sent }] }),
      'application/json',
      '',
      this.headers,
    );
    if (res.status !== 202) throw new Error(`a valid ingest answered ${res.status}: ${JSON.stringify(res.body)}`);
    await stream.untilPoints(this.feed, this.sent);
    const values = stream.points(this.feed).v;
    if (values.at(-1) !== this.sent) throw new Error(`the bystander’s stream received ${JSON.stringify(values)}`);
  }

  close(): void {
    this.stream?.close();
  }
}
