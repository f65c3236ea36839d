import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from './polling.js';
import { freePort } from './ports.js';
import { requirement } from './requirements.js';

/** Whether `redis-server` can be started here (loud skip locally, a failure in CI). */
export function redisServerAvailable(): boolean {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  return requirement('redis-server', found, 'apt-get install -y redis-server');
}

/**
 * A private `redis-server` on a free loopback port, for tests that stop and
 * restart Redis. It keeps an append-only file (fsync on every write) in a
 * temporary directory, so what it acknowledged survives a restart — as a
 * production Redis with persistence would.
 */
export class RedisServer {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), mkdtempSync(join(tmpdir(), 'pulseboard-redis-')));
    await server.startProcess();
    return server;
  }

  /** Starts the process again on the same port, with the same data. */
  async restart(): Promise<void> {
    await this.stop();
    await this.startProcess();
  }

  /** Starts the process again on the same port with no data: a Redis restarted without persistence. */
  async restartEmpty(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir);
    await this.startProcess();
  }

  /** Stops the process (SIGKILL: nothing is flushed beyond what was fsynced). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** Stops the process and removes its data. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async startProcess(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
      ],
      { stdio: 'ignore' },
    );
    await pollUntil(() => answers(this.port), `redis-server to start on port ${this.port}`, 10_000, 25);
  }
}

/** Whether something accepts connections and answers PING on the port. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
  });
}
