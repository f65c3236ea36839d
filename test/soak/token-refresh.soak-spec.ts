import { describe, expect, it } from 'vitest';
import { streamThroughTokenExpiries } from '../support/token-refresh.js';

const MINUTE = 60_000;

describe('a minute of 3-second tokens', () => {
  it('streams every value exactly once while stream, socket and producer tokens are renewed', async () => {
    const outcome = await streamThroughTokenExpiries(MINUTE, 3);
    expect(outcome.sent).toBeGreaterThan(1000);
    expect(outcome.values).toHaveLength(outcome.sent);
    expect(outcome.values).toEqual(Array.from({ length: outcome.sent }, (_, i) => i));
    expect(outcome.gaps).toEqual([]);
    // tokens last 2–3 s: at least 20 renewals of the stream and 20 of the socket in a minute
    expect(outcome.expiries).toBeGreaterThanOrEqual(40);
    expect(outcome.feedsAfter).toEqual(['renew.v', 'renew.w', 'renew.x']);
    expect(outcome.addedFeedValues).toEqual([42]);
  });
});
