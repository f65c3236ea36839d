import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET, token } from './support/auth.js';
import { Bystander } from './support/bystander.js';
import { ServerProcess } from './support/server-process.js';

/** Lines of the access log about `/api/v1/feeds` requests. */
const feedsLines = (lines: readonly string[]): string[] =>
  lines.filter((line) => line.includes('"url":"/api/v1/feeds'));

describe('tokens never reach the log', () => {
  let dir: string;
  let server: ServerProcess;
  let bystander: Bystander;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pulseboard-log-'));
    server = await ServerProcess.start(
      { AUTH_SECRET: TEST_SECRET, LOG_LEVEL: 'debug' },
      20_000,
      join(dir, 'server.log'),
    );
    bystander = await Bystander.open(server.url, { token: await token({ role: 'admin', sub: 'bystander' }) });
  });
  afterAll(async () => {
    bystander.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('redacts every spelling of the token parameter a parser could read, and anything shaped like a JWT', async () => {
    const jwt = await token({ role: 'viewer', sub: 'log-reader' });
    // the server reads each of these as the token, so the request is served
    const read = [
      `/api/v1/feeds?access_token=${jwt}`,
      `/api/v1/feeds?access%5Ftoken=${jwt}`,
      `/api/v1/feeds?%61ccess_token=${jwt}&match=a.%3E`,
      `/api/v1/feeds?%61%63%63%65%73%73%5f%74%6f%6b%65%6e=${jwt}`,
      `/api/v1/feeds?match=a.%3E&access_token=${jwt}&access_token=${jwt}`,
      `/api/v1/feeds?match=a.%3E&&access_token=${jwt}#fragment`,
    ];
    // no parser reads these as the token, but each carries it
    const carried = [
      `/api/v1/feeds?ACCESS%5FTOKEN=${jwt}`,
      `/api/v1/feeds?Access_Token=${jwt}`,
      `/api/v1/feeds;access_token=${jwt}`,
      `/api/v1/feeds;match=a;access%5Ftoken=${jwt}?match=a.%3E`,
      `/api/v1/feeds/a.b;ACCESS_TOKEN=${jwt}/points`,
      `/api/v1/feeds?access_token[]=${jwt}`,
      `/api/v1/feeds?access_token%3D${jwt}`,
      `/api/v1/feeds?note=${jwt}`,
      `/api/v1/feeds/${jwt}/points`,
    ];
    for (const path of read) expect((await fetch(`${server.url}${path}`)).status, path).toBe(200);
    for (const path of carried) expect((await fetch(`${server.url}${path}`)).status, path).toBeGreaterThanOrEqual(400);
    await server.untilOutput(
      (lines) => feedsLines(lines).length >= read.length + carried.length,
      'an access log line for each request',
    );
    expect(feedsLines(server.output).join('\n')).toContain('/api/v1/feeds?%61ccess_token=[redacted]&match=a.%3E');
    await bystander.stillServes();

    await server.stop();
    const log = readFileSync(join(dir, 'server.log'), 'utf8');
    expect(feedsLines(log.split('\n'))).toHaveLength(read.length + carried.length);
    const [, claims, signature] = jwt.split('.');
    expect(log).not.toContain(claims);
    expect(log).not.toContain(signature);
    expect(log).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });
});
