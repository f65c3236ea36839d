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

  describe('with labels', () => {
    const acme = new FeedAccess(['>{tenant="acme"}']);
    const eu = new FeedAccess(['cpu.*{region=~"eu-.*",env!="test"}']);

    it('allows a series only when its labels satisfy every matcher of one selector', () => {
      expect(acme.allowsSeries('cpu.usage{host="h1",tenant="acme"}')).toBe(true);
      expect(acme.allowsSeries('cpu.usage{tenant="other"}')).toBe(false);
      expect(acme.allowsSeries('cpu.usage')).toBe(false);
      expect(acme.allowsSeries('cpu.usage{tenant="acme2"}')).toBe(false);
      expect(eu.allowsSeries('cpu.user{region="eu-west"}')).toBe(true);
      expect(eu.allowsSeries('cpu.user{env="test",region="eu-west"}')).toBe(false);
      expect(eu.allowsSeries('cpu.user{region="us-east"}')).toBe(false);
      // a regex matches the whole value
      expect(eu.allowsSeries('cpu.user{region="xeu-west"}')).toBe(false);
      expect(eu.allowsSeries('mem.used{region="eu-west"}')).toBe(false);
    });

    it('reads a key with its labels in any order and refuses a malformed one', () => {
      expect(acme.allowsSeries('cpu.usage{tenant="acme",host="h1"}')).toBe(true);
      expect(acme.allowsSeries('cpu.usage{tenant="acme"')).toBe(false);
      expect(acme.allowsSeries('cpu.usage{tenant=acme}')).toBe(false);
    });

    it('admits a subscription that narrows an allowed selector: the same matchers at least, a narrower name', () => {
      for (const allowed of [
        '>{tenant="acme"}',
        'cpu.usage{tenant="acme"}',
        'cpu.*{host="h1",tenant="acme"}',
        '*.usage{host=~"h.*",tenant="acme"}',
      ]) {
        expect(
          refusal(() => acme.checkSubscription([allowed])),
          allowed,
        ).toBeUndefined();
      }
      for (const refused of [
        '>',
        'cpu.usage',
        '>{tenant="other"}',
        '>{tenant!="other"}',
        '>{tenant=~"acme"}',
        '>{tenant=~"acme|other"}',
        '>{host="h1"}',
      ]) {
        expect(
          refusal(() => acme.checkSubscription([refused])),
          refused,
        ).toMatchObject({
          status: 403,
          code: 'forbidden',
        });
      }
    });

    it('judges a subscription against each allowed selector on its own', () => {
      const two = new FeedAccess(['cpu.>{tenant="acme"}', 'mem.>{tenant="acme",env="prod"}']);
      expect(refusal(() => two.checkSubscription(['cpu.user{tenant="acme"}']))).toBeUndefined();
      expect(refusal(() => two.checkSubscription(['mem.used{env="prod",tenant="acme"}']))).toBeUndefined();
      expect(refusal(() => two.checkSubscription(['mem.used{tenant="acme"}']))?.code).toBe('forbidden');
      // within neither alone, though each matcher is in one of them
      expect(refusal(() => two.checkSubscription(['>{env="prod",tenant="acme"}']))?.code).toBe('forbidden');
    });

    it('names the selector that reaches too far', () => {
      expect(refusal(() => acme.checkSubscription(['cpu.usage{tenant="acme"}', 'cpu.usage']))).toEqual({
        status: 403,
        code: 'forbidden',
        details: [{ field: 'feeds', reason: 'cpu.usage is not within >{tenant="acme"}' }],
      });
    });

    it('refuses a single series of another tenant, or of none', () => {
      expect(refusal(() => acme.checkSeries('cpu.usage{tenant="acme"}'))).toBeUndefined();
      expect(refusal(() => acme.checkSeries('cpu.usage{tenant="other"}'))).toMatchObject({ code: 'forbidden' });
      expect(refusal(() => acme.checkSeries('cpu.usage'))).toMatchObject({ code: 'forbidden' });
    });

    it('lets a label-less pattern in a token cover selectors with matchers', () => {
      expect(host1.covers('host1.cpu{core="0"}')).toBe(true);
      expect(host1.covers('>{host="host1"}')).toBe(false);
      expect(host1.allowsSeries('host1.cpu{core="0"}')).toBe(true);
    });
  });
});
