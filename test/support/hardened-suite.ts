import { afterAll, afterEach, beforeAll } from 'vitest';
import { Bystander, type BystanderOptions } from './bystander.js';
import { ControlClient } from './control-client.js';
import type { TestServer } from './server.js';
import { SseClient } from './sse-client.js';

/**
 * A hardening suite's server and its bystander, and what each test opens on
 * it: streams, sockets and raw connections, closed after every test.
 */
export class HardenedSuite {
  /** Closes a raw connection a test opened itself. */
  readonly closers: (() => void)[] = [];
  private current: { server: TestServer; bystander: Bystander } | undefined;
  private readonly streams: SseClient[] = [];
  private readonly sockets: ControlClient[] = [];

  get server(): TestServer {
    return this.started().server;
  }

  get bystander(): Bystander {
    return this.started().bystander;
  }

  async stream(path: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const stream = await SseClient.open(`${this.server.url}${path}`, headers);
    this.streams.push(stream);
    return stream;
  }

  async socket(options: Parameters<typeof ControlClient.connect>[1] = {}): Promise<ControlClient> {
    const socket = await ControlClient.connect(this.server.url, options);
    this.sockets.push(socket);
    return socket;
  }

  async start(server: () => Promise<TestServer>, bystander: () => Promise<BystanderOptions>): Promise<void> {
    const started = await server();
    this.current = { server: started, bystander: await Bystander.open(started.url, await bystander()) };
  }

  closeOpened(): void {
    for (const stream of this.streams.splice(0)) stream.close();
    for (const socket of this.sockets.splice(0)) socket.close();
    for (const close of this.closers.splice(0)) close();
  }

  async stop(): Promise<void> {
    this.current?.bystander.close();
    await this.current?.server.close();
    this.current = undefined;
  }

  private started(): { server: TestServer; bystander: Bystander } {
    if (this.current === undefined) throw new Error('the suite’s server has not started');
    return this.current;
  }
}

/**
 * For the enclosing `describe`: starts `server` and a bystander on it
 * (`bystander` gives its options: an admin token on a server that needs
 * one) before the tests, closes what each test opened after it, and stops
 * both after the last.
 */
export function hardenedSuite(
  server: () => Promise<TestServer>,
  bystander: () => Promise<BystanderOptions> = () => Promise.resolve({}),
): HardenedSuite {
  const suite = new HardenedSuite();
  beforeAll(() => suite.start(server, bystander));
  afterEach(() => suite.closeOpened());
  afterAll(() => suite.stop());
  return suite;
}
