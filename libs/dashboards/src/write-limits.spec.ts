import { ApiError } from '@pulseboard/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_WRITE_LIMITS, WriteLimits } from './write-limits.js';

/** The status, code and headers `check` throws with, or `undefined` when it passes. */
function refusal(check: () => void): { status: number; code: string; headers: Record<string, string> } | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return { status: error.getStatus(), code: error.code, headers: error.headers };
    throw error;
  }
}

describe('WriteLimits', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('uses the defaults for limits not given, and 0 turns a limit off', () => {
    const defaults = new WriteLimits({ maxAnnotations: undefined });
    const full = { total: DEFAULT_WRITE_LIMITS.maxAnnotations, own: 0 };
    expect(refusal(() => defaults.checkAnnotation(full))?.code).toBe('too_many_annotations');
    const off = new WriteLimits({ maxAnnotationsPerUser: 0, maxAnnotations: 0, maxDashboardsPerUser: 0 });
    expect(refusal(() => off.checkAnnotation({ total: 1e9, own: 1e9 }))).toBeUndefined();
    expect(refusal(() => off.checkNewDashboard({ total: 0, own: 1e9, bytes: 0 }))).toBeUndefined();
  });

  it('checks the user’s quota before the total', () => {
    const limits = new WriteLimits({
      maxAnnotationsPerUser: 2,
      maxAnnotations: 2,
      maxDashboardsPerUser: 1,
      maxDashboards: 1,
    });
    expect(refusal(() => limits.checkAnnotation({ total: 1, own: 1 }))).toBeUndefined();
    expect(refusal(() => limits.checkAnnotation({ total: 2, own: 2 }))?.code).toBe('annotation_quota_exceeded');
    expect(refusal(() => limits.checkAnnotation({ total: 2, own: 0 }))).toMatchObject({
      status: 507,
      code: 'too_many_annotations',
    });
    expect(refusal(() => limits.checkNewDashboard({ total: 1, own: 1, bytes: 0 }))).toMatchObject({
      status: 403,
      code: 'dashboard_quota_exceeded',
    });
    expect(refusal(() => limits.checkNewDashboard({ total: 1, own: 0, bytes: 0 }))?.code).toBe('too_many_dashboards');
  });

  it('lets a save through that fits the bytes or shrinks them, even on a full server', () => {
    const limits = new WriteLimits({ maxDashboardBytes: 1000 });
    expect(refusal(() => limits.checkDashboardBytes({ total: 1, own: 1, bytes: 600 }, 400))).toBeUndefined();
    expect(refusal(() => limits.checkDashboardBytes({ total: 1, own: 1, bytes: 600 }, 401))).toMatchObject({
      status: 507,
      code: 'dashboard_storage_full',
    });
    expect(refusal(() => limits.checkDashboardBytes({ total: 1, own: 1, bytes: 5000 }, -10))).toBeUndefined();
  });

  it('allows the burst, then the rate, per user, answering 429 with Retry-After', () => {
    const limits = new WriteLimits({ writeRateLimit: 2, writeRateBurst: 3 });
    for (let i = 0; i < 3; i++) limits.takeWrite('alice');
    expect(refusal(() => limits.takeWrite('alice'))).toEqual({
      status: 429,
      code: 'rate_limited',
      headers: { 'Retry-After': '1' },
    });
    expect(refusal(() => limits.takeWrite('address:10.0.0.1'))).toBeUndefined();
    vi.advanceTimersByTime(500);
    expect(refusal(() => limits.takeWrite('alice'))).toBeUndefined();
  });
});
