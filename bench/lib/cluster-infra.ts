import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, HelperProcess, REPO_ROOT } from './processes.js';

/** Debian installs nginx in /usr/sbin, which is not on every user's PATH. */
const NGINX = '/usr/sbin/nginx';

/** A private `redis-server` (no persistence) on a free port, for the cluster runs. */
export async function startRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const redis = HelperProcess.start('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  await redis.waitListening(port);
  return { url: `redis://127.0.0.1:${port}`, stop: () => redis.stop() };
}

/** nginx in front of two instances with the repository's proxy configuration (as docker-compose runs it). */
export async function startNginx(a: number, b: number): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pulseboard-bench-nginx-'));
  chmodSync(dir, 0o755);
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => {
    mkdirSync(join(dir, name));
    chmodSync(join(dir, name), 0o777);
    return `${name}_temp_path ${join(dir, name)};`;
  });
  const site = readFileSync(`${REPO_ROOT}deploy/nginx/pulseboard.conf.template`, 'utf8')
    .replaceAll('${PULSEBOARD_A}', `127.0.0.1:${a}`)
    .replaceAll('${PULSEBOARD_B}', `127.0.0.1:${b}`)
    .replaceAll('${LISTEN_PORT}', `127.0.0.1:${port}`);
  const file = join(dir, 'nginx.conf');
  writeFileSync(
    file,
    [
      'worker_processes 1;',
      'worker_rlimit_nofile 65536;',
      'daemon off;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} error;`,
      'events { worker_connections 16384; }',
      `http { access_log off; ${temps.join(' ')}`,
      site,
      '}',
    ].join('\n'),
  );
  const nginx = HelperProcess.start(NGINX, ['-p', dir, '-c', file]);
  await nginx.waitListening(port, '/health/live');
  return {
    port,
    stop: async () => {
      await nginx.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
