import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../apps/server/src/config/config.js';

const ROOT = join(import.meta.dirname, '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** What compose does to `${NAME:-default}` and `${NAME}`, with `shell` as the caller's environment. */
function interpolate(environment: Record<string, string>, shell: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [
      key,
      String(value).replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_, name: string, fallback?: string) =>
        shell[name] !== undefined && shell[name] !== '' ? shell[name] : (fallback ?? ''),
      ),
    ]),
  );
}

interface Service {
  build?: string;
  image?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  ports?: string[];
  command?: string[];
}

/**
 * docker-compose.yml and the Dockerfile cannot be run here (no Docker engine):
 * what can be checked without one is checked — the topology, that every
 * instance's environment is one the server accepts, and that every file they
 * name is there. The same topology runs with processes in cluster-process.
 */
describe('the deployment files', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
  const { services } = compose;
  const instances = Object.entries(services).filter(([, service]) => service.build !== undefined);

  it('runs Redis with persistence, two instances on it and nginx in front', () => {
    expect(Object.keys(services).sort()).toEqual(['nginx', 'pulseboard-1', 'pulseboard-2', 'redis']);
    expect(services.redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(instances.map(([name]) => name)).toEqual(['pulseboard-1', 'pulseboard-2']);
    for (const [, service] of instances) {
      expect(service.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
      expect(service.healthcheck?.test.join(' ')).toContain('/health/ready');
    }
    expect(services.nginx.depends_on).toEqual({
      'pulseboard-1': { condition: 'service_healthy' },
      'pulseboard-2': { condition: 'service_healthy' },
    });
  });

  it('gives every instance an environment the server accepts, on the shared Redis, one of them with the demo feeds', () => {
    for (const [name, service] of instances) {
      // AUTH_SECRET="$(openssl rand -base64 48)" docker compose up, as the file's header says
      const config = loadConfig(interpolate(service.environment ?? {}, { AUTH_SECRET: 'a'.repeat(64) }));
      expect(config.server).toMatchObject({ host: '0.0.0.0', port: 8080 });
      expect(config.streaming.redis?.url).toBe('redis://redis:6379');
      expect(config.observability.selfMetricsPrefix).toBe(`pulseboard.${name}`);
      expect(config.auth.trustProxy).toBeDefined();
      // without a secret the instances refuse to start on every interface, unless ALLOW_OPEN says so
      expect(() => loadConfig(interpolate(service.environment ?? {}, {}))).toThrow(/ALLOW_OPEN/);
      expect(loadConfig(interpolate(service.environment ?? {}, { ALLOW_OPEN: '1' })).server.allowOpen).toBe(true);
    }
    expect(instances.filter(([, service]) => service.environment?.DEMO === '1')).toHaveLength(1);
  });

  it('points nginx at both instances with the repository’s proxy configuration', () => {
    const mount = services.nginx.volumes?.[0] ?? '';
    const [source, target] = mount.split(':');
    expect(existsSync(join(ROOT, source))).toBe(true);
    expect(target).toMatch(/^\/etc\/nginx\/templates\/.+\.template$/);
    const template = read(source);
    for (const variable of Object.keys(services.nginx.environment ?? {})) expect(template).toContain(`\${${variable}}`);
    expect(services.nginx.environment).toMatchObject({
      PULSEBOARD_A: 'pulseboard-1:8080',
      PULSEBOARD_B: 'pulseboard-2:8080',
    });
    // streams pass through unbuffered, sockets upgrade
    expect(template).toMatch(/proxy_buffering\s+off;/);
    expect(template).toMatch(/proxy_set_header\s+Upgrade\s+\$http_upgrade;/);
  });

  it('builds in stages and runs as an unprivileged user with a health check', () => {
    const dockerfile = read('Dockerfile');
    const stages = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gm)].map((match) => match[1]);
    expect(stages).toEqual(['build', 'runtime']);
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK /m);
    expect(runtime).toContain('/health/ready');
    expect(runtime).toMatch(/^CMD \["node", "apps\/server\/dist\/main\.js"\]$/m);
    // what the runtime stage copies from the build is what the build produces
    const build = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(build.scripts['build:server']).toContain('apps/server');
    expect(build.scripts['build:web']).toContain('vite build');
    expect(read('.dockerignore')).toMatch(/node_modules/);
  });
});
