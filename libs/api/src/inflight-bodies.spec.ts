import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { InflightBodies } from './inflight-bodies.js';

/** Just what an allowance watches of a response: its `close` event and whether it closed already. */
class FakeResponse extends EventEmitter {
  closed = false;

  close(): void {
    this.closed = true;
    this.emit('close');
  }
}
const response = (): FakeResponse & ServerResponse => new FakeResponse() as FakeResponse & ServerResponse;

function refusal(run: () => void): { status: number; code: string; headers: Record<string, string> } | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { status: error.getStatus(), code: error.code, headers: error.headers };
  }
}

describe('InflightBodies', () => {
  it('refuses an address past its share with 429, and everyone past the total with 503, reserving nothing then', () => {
    const bodies = new InflightBodies({ total: 250, perAddress: 100 });
    const a = bodies.open('a', response());
    a.take(60);
    expect(refusal(() => a.take(41))).toEqual({
      status: 429,
      code: 'too_many_inflight_bytes',
      headers: { 'Retry-After': '1' },
    });
    expect(bodies.inflight('a')).toBe(60);
    bodies.open('b', response()).take(100);
    bodies.open('c', response()).take(80);
    expect(refusal(() => bodies.open('d', response()).take(11))).toMatchObject({
      status: 503,
      code: 'inflight_bytes_exhausted',
    });
    expect(bodies.inflight()).toBe(240);
  });

  it('gives every byte of a request back when its response closes, once', () => {
    const bodies = new InflightBodies({ total: 0, perAddress: 100 });
    const res = response();
    const first = bodies.open('a', res);
    first.take(70);
    first.take(30);
    const second = bodies.open('a', response());
    expect(refusal(() => second.take(1))).toMatchObject({ code: 'too_many_inflight_bytes' });
    res.close();
    first.release();
    expect(bodies.inflight('a')).toBe(0);
    expect(bodies.inflight()).toBe(0);
    second.take(100);
    expect(bodies.inflight('a')).toBe(100);
  });

  it('holds nothing for a response that closed before its body was read', () => {
    const bodies = new InflightBodies({ total: 0, perAddress: 100 });
    const res = response();
    res.closed = true;
    const late = bodies.open('a', res);
    expect(refusal(() => late.take(10))).toMatchObject({ status: 400, code: 'invalid_body' });
    expect(bodies.inflight()).toBe(0);
  });

  it('limits nothing at 0', () => {
    const bodies = new InflightBodies({ total: 0, perAddress: 0 });
    bodies.open('a', response()).take(Number.MAX_SAFE_INTEGER / 2);
    expect(bodies.inflight('a')).toBe(Number.MAX_SAFE_INTEGER / 2);
  });
});
