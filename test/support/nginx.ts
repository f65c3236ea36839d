import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pollUntil } from './polling.js';
import { freePort } from './ports.js';
import { requirement } from './requirements.js';

const TEMPLATE = fileURLToPath(new URL('../../deploy/nginx/pulseboard.conf.template', import.meta.url));
/** Debian installs nginx in /usr/sbin, which is not on every user's PATH. */
const NGINX = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';

/** Whether Debian's nginx is here (loud skip locally, a failure in CI). */
export function nginxAvailable(): boolean {
  const found = spawnSync(NGINX, ['-v'], { stdio: 'ignore' }).status === 0;
  return requirement('nginx', found, 'apt-get install -y nginx');
}

/**
 * nginx in front of two instances, with the repository's own proxy
 * configuration (`deploy/nginx/pulseboard.conf.template`, as docker-compose
 * uses it) rendered for loopback ports.
 */
export class NginxProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(upstreams: { a: string; b: string }): Promise<NginxProcess> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'pulseboard-nginx-'));
    // workers may run as another user: they need to reach the temporary directories
    chmodSync(dir, 0o755);
    for (const name of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
      mkdirSync(join(dir, name));
      chmodSync(join(dir, name), 0o777);
    }
    const site = readFileSync(TEMPLATE, 'utf8')
      .replaceAll('${PULSEBOARD_A}', upstreams.a)
      .replaceAll('${PULSEBOARD_B}', upstreams.b)
      .replaceAll('${LISTEN_PORT}', `127.0.0.1:${port}`);
    const config = [
      'worker_processes 1;',
      'daemon off;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '  access_log off;',
      ...['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (name) => `  ${name === 'body' ? 'client_body' : name}_temp_path ${join(dir, name)};`,
      ),
      site,
      '}',
    ].join('\n');
    const file = join(dir, 'nginx.conf');
    writeFileSync(file, config);
    const child = spawn(NGINX, ['-p', dir, '-c', file], { stdio: 'ignore' });
    const nginx = new NginxProcess(child, port, dir);
    try {
      await pollUntil(
        () =>
          fetch(`${nginx.url}/health/live`).then(
            () => true,
            () => {
              if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
              return false;
            },
          ),
        'nginx to answer',
        10_000,
        25,
      );
    } catch (error) {
      throw new Error(`nginx did not start (${String(error)}): ${readFileSync(join(dir, 'error.log'), 'utf8')}`, {
        cause: error,
      });
    }
    return nginx;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      await new Promise<void>((resolve) => {
        this.child.once('exit', () => resolve());
        this.child.kill('SIGTERM');
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
