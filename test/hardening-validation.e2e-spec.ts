import { ANNOTATION_TEXT_MAX_LENGTH } from '@pulseboard/protocol';
import { describe, expect, it } from 'vitest';
import { errorCode, getJson } from './support/http.js';
import { hardenedSuite } from './support/hardened-suite.js';
import { metricValue } from './support/metrics.js';
import { startServer } from './support/server.js';

const REFUSED_MESSAGES = 'pulseboard_refusals_total{code="invalid_message"}';

describe('one validation per option, whatever the transport', () => {
  const suite = hardenedSuite(() => startServer({ MAX_HISTORY_MS: '60000' }));

  // poll takes maxRate but no history
  it.each<[string, string, Record<string, unknown>, string[]]>([
    ['maxRate 0', 'maxRate=0', { maxRate: 0 }, ['stream', 'poll']],
    ['a negative maxRate', 'maxRate=-1', { maxRate: -1 }, ['stream', 'poll']],
    ['a maxRate over 1,000,000', 'maxRate=1000001', { maxRate: 1_000_001 }, ['stream', 'poll']],
    ['a negative history', 'history=-1', { history: -1 }, ['stream']],
    ['a fractional history', 'history=1.5', { history: 1.5 }, ['stream']],
    ['a history over MAX_HISTORY_MS', 'history=60001', { history: 60_001 }, ['stream']],
  ])(
    'refuses %s over HTTP (invalid_query) and on the socket (invalid_message)',
    async (_name, query, option, paths) => {
      for (const path of paths) {
        const res = await getJson(`${suite.server.url}/api/v1/${path}?feeds=val.a&timeoutMs=0&${query}`);
        expect(res.status, path).toBe(400);
        expect(errorCode(res.body), path).toBe('invalid_query');
      }

      const refused = await metricValue(suite.server.url, REFUSED_MESSAGES);
      const socket = await suite.socket();
      expect(await socket.ack('subscribe', { feeds: ['val.a'], ...option })).toMatchObject({
        ok: false,
        error: { code: 'invalid_message' },
      });
      expect(await metricValue(suite.server.url, REFUSED_MESSAGES)).toBe(refused + 1);
      // the same socket still subscribes with a valid option
      expect(await socket.ack('subscribe', { feeds: ['val.a'], maxRate: 0.5, history: 1000 })).toMatchObject({
        ok: true,
      });
      await suite.bystander.stillServes();
    },
  );

  it.each<[string, string]>([
    ['text over 2,000 characters', 'x'.repeat(ANNOTATION_TEXT_MAX_LENGTH + 1)],
    ['text with a NUL character', 'deploy\u0000v2'],
    ['empty text', ''],
  ])('answers an annotation with %s with invalid_message, storing nothing', async (_name, text) => {
    const socket = await suite.socket();
    const refused = await metricValue(suite.server.url, REFUSED_MESSAGES);
    expect(await socket.ack('annotate', { dashboard: 'val-d', t: 1000, text })).toMatchObject({
      ok: false,
      error: { code: 'invalid_message' },
    });
    expect(await metricValue(suite.server.url, REFUSED_MESSAGES)).toBe(refused + 1);
    const listed = await getJson<unknown[]>(`${suite.server.url}/api/v1/dashboards/val-d/annotations`);
    expect(listed.body).toEqual([]);
    await suite.bystander.stillServes();
  });

  it('stores an annotation of exactly 2,000 characters (on the Overview, which always takes them)', async () => {
    const socket = await suite.socket();
    const text = 'y'.repeat(ANNOTATION_TEXT_MAX_LENGTH);
    expect(await socket.ack('annotate', { dashboard: 'home', t: 1000, text })).toMatchObject({ ok: true });
    const listed = await getJson<{ text: string }[]>(`${suite.server.url}/api/v1/dashboards/home/annotations`);
    expect(listed.body.map((a) => a.text)).toEqual([text]);
    await suite.bystander.stillServes();
  });
});
