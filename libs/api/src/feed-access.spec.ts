import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { FeedAccess } from './feed-access.js';

function refusal(run: () => void): { status: number; code: string; details: unknown } | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { status: error.getStatus(), code: error.code, details: error.details };
  }
}

describe('FeedAccess', () => {
  const host1 = new FeedAccess(['host1.>', '*.load']);

  it('allows feed names matched by one of its patterns', () => {
    expect(host1.allowsSeries('host1.cpu.user')).toBe(true);
    expect(host1.allowsSeries('host2.load')).toBe(true);
    expect(host1.allowsSeries('host2.cpu.user')).toBe(false);
    expect(host1.allowsSeries('host1')).toBe(false);
    expect(host1.allowsSeries('host1.bad name')).toBe(false);
    expect(FeedAccess.ALL.allowsSeries('anything.at.all')).toBe(true);
  });

  it('admits a subscription only within one allowed pattern', () => {
    expect(refusal(() => host1.checkSubscription(['host1.cpu.*', 'host3.load', 'host1.>']))).toBeUndefined();
    expect(refusal(() => host1.checkSubscription(['host1.cpu', '>']))).toEqual({
      status: 403,
      code: 'forbidden',
      details: [{ field: 'feeds', reason: '> is not within host1.>, *.load' }],
    });
    expect(refusal(() => host1.checkSubscription(['*.cpu.user']))?.code).toBe('forbidden');
    expect(refusal(() => FeedAccess.ALL.checkSubscription(['>']))).toBeUndefined();
  });

  it('refuses a single forbidden name', () => {
    expect(refusal(() => host1.checkSeries('host2.cpu'))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(refusal(() => host1.checkSeries('host1.cpu'))).toBeUndefined();
  });
});
