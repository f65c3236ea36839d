import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { get } from 'node:http';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Channel, type Message } from './ipc.js';

const DIST = new URL('../', import.meta.url);
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A file of the compiled bench, e.g. `load/producer.js`. */
export function benchScript(relative: string): string {
  return fileURLToPath(new URL(relative, DIST));
}

export type ServerKind = 'pulseboard' | 'limit' | 'naive';
export const SERVER_KINDS: readonly ServerKind[] = ['pulseboard', 'limit', 'naive'];
/** The Socket.IO baselines (`bench/servers/<kind>-server.ts`); they serve no SSE streams. */
export type SocketBaselineKind = 'naive-socketio' | 'batching-socketio';
export type ProcessKind = ServerKind | SocketBaselineKind;

const live = new Set<ChildProcess>();

/** Kills every child still running; synchronous, so it is safe in an `exit` handler. */
export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
}

function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function exited(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Sends `signal`, waits up to `graceMs`, then kills. */
async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (hasExited(child)) return;
  child.kill(signal);
  await Promise.race([exited(child), sleep(graceMs)]);
  if (!hasExited(child)) {
    child.kill('SIGKILL');
    await exited(child);
  }
}

/** A bench child process (load generator, producer...) driven over IPC. */
export class Worker {
  readonly child: ChildProcess;
  private readonly channel: Channel;

  constructor(
    readonly name: string,
    relativeScript: string,
  ) {
    // the child's stdout goes to our stderr: our stdout carries only the report
    this.child = fork(benchScript(relativeScript), [], { stdio: ['ignore', 2, 2, 'ipc'] });
    track(this.child);
    this.channel = new Channel(name, this.child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  request(message: Message, timeoutMs = 10_000): Promise<unknown> {
    return this.channel.request(message, timeoutMs);
  }

  async stop(): Promise<void> {
    if (hasExited(this.child)) return;
    try {
      await this.request({ type: 'close' }, 5000);
    } catch {
      // it may be too busy to answer; it is killed below
    }
    await Promise.race([exited(this.child), sleep(3000)]);
    await stopChild(this.child, 'SIGKILL', 1000);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `node` flags that write a CPU profile of the process to `bench/results/profiles/<name>-<time>.cpuprofile` on exit. */
export function cpuProfile(name: string): { nodeArgs: string[]; path: string } {
  const dir = `${REPO_ROOT}bench/results/profiles`;
  mkdirSync(dir, { recursive: true });
  const file = `${name}-${Date.now()}.cpuprofile`;
  return { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${file}`], path: `${dir}/${file}` };
}

export interface ServerOptions {
  /** Extra `node` flags (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** Arguments of the server script (e.g. a baseline's `--deflate`). */
  args?: string[];
  env?: Record<string, string>;
}

/** One server under test as a child process on a free loopback port. */
export class ServerProcess {
  private output = '';

  private constructor(
    readonly kind: ProcessKind,
    readonly port: number,
    readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static async start(kind: ProcessKind, options: ServerOptions = {}): Promise<ServerProcess> {
    const port = await freePort();
    const script =
      kind === 'pulseboard' ? `${REPO_ROOT}apps/server/dist/main.js` : benchScript(`servers/${kind}-server.js`);
    const env: Record<string, string | undefined> = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DEMO: '0',
      SELF_METRICS: '0',
      LOG_LEVEL: 'warn',
      // one load generator stands in for thousands of clients: no per-client limits
      MAX_CONNECTIONS_PER_IP: '0',
      MAX_INFLIGHT_BODY_BYTES_PER_IP: '0',
      INGEST_RATE_LIMIT: '0',
      ...options.env,
    };
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...(options.args ?? [])], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);
    const server = new ServerProcess(kind, port, child);
    await server.waitReady(30_000);
    return server;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** How the process ended, or `undefined` while it runs. */
  get exit(): string | undefined {
    return hasExited(this.child) ? String(this.child.signalCode ?? this.child.exitCode) : undefined;
  }

  /** Recent output, for error reports. */
  get recentOutput(): string {
    return this.output.trim();
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (hasExited(this.child)) {
        throw new Error(`${this.kind} server exited before it was ready: ${this.recentOutput}`);
      }
      if ((await statusOf(this.port, '/health/ready')) === 200) return;
      await sleep(100);
    }
    throw new Error(`${this.kind} server not ready within ${timeoutMs} ms: ${this.recentOutput}`);
  }

  /** Pulseboard gets a graceful shutdown (so a CPU profile is written); baselines just end. */
  stop(): Promise<void> {
    return stopChild(this.child, 'SIGTERM', this.kind === 'pulseboard' ? 15_000 : 2000);
  }
}

function statusOf(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Another program the bench needs (`redis-server`, `nginx`), stopped with the run. */
export class HelperProcess {
  private constructor(readonly child: ChildProcess) {}

  static start(command: string, args: string[]): HelperProcess {
    const child = spawn(command, args, { stdio: 'ignore' });
    track(child);
    return new HelperProcess(child);
  }

  /** Waits until `port` answers `path` (any HTTP status) or, without a path, accepts connections. */
  async waitListening(port: number, path?: string, timeoutMs = 10_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (hasExited(this.child)) throw new Error(`${String(this.child.spawnfile)} exited before it listened`);
      if (path !== undefined ? (await statusOf(port, path)) !== 0 : await accepts(port)) return;
      await sleep(50);
    }
    throw new Error(`${String(this.child.spawnfile)} did not listen on ${port} within ${timeoutMs} ms`);
  }

  stop(): Promise<void> {
    return stopChild(this.child, 'SIGTERM', 2000);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
