import { ApiError, RateLimiter } from '@pulseboard/api';
import type { ErrorCode } from '@pulseboard/protocol';
import type { AnnotationUsage } from './annotation-store.js';
import type { DashboardUsage } from './dashboard-store.js';

/**
 * What users may store and how fast they may write it. A user is a token
 * subject, or a client address in open mode (`Principal.id`). `0` turns a
 * limit off.
 */
export interface WriteLimitsOptions {
  /** Annotations one user may keep; default `DEFAULT_WRITE_LIMITS.maxAnnotationsPerUser`. */
  maxAnnotationsPerUser?: number;
  /** Annotations kept in all. */
  maxAnnotations?: number;
  /** Dashboards one user may create (replacing one counts against whoever created it). */
  maxDashboardsPerUser?: number;
  /** Dashboards saved in all. */
  maxDashboards?: number;
  /** Bytes of JSON all saved dashboards may take. */
  maxDashboardBytes?: number;
  /** Writes (annotations added or deleted, dashboards saved or deleted) per second per user. */
  writeRateLimit?: number;
  /** Writes a user may make at once before the rate applies. */
  writeRateBurst?: number;
}

/**
 * Sized for a small team's server: people annotating and editing by hand
 * stay far below each, while one client cannot fill the disk (at most
 * 100,000 annotations of 2,000 characters, and 128 MiB of dashboards).
 */
export const DEFAULT_WRITE_LIMITS: Required<WriteLimitsOptions> = {
  maxAnnotationsPerUser: 10_000,
  maxAnnotations: 100_000,
  maxDashboardsPerUser: 500,
  maxDashboards: 5000,
  maxDashboardBytes: 128 * 1024 * 1024,
  writeRateLimit: 10,
  writeRateBurst: 50,
};

/**
 * Quotas on stored annotations and dashboards, per user and in all, and a
 * write rate per user. The services check them before they write, so the
 * HTTP API and the control socket are held alike. Counts are read just
 * before a write, so writes racing at the moment a quota is reached may pass
 * it by a few — at most one user's write burst per instance.
 */
export class WriteLimits {
  private readonly limits: Required<WriteLimitsOptions>;
  private readonly rate: RateLimiter;

  constructor(options: WriteLimitsOptions = {}) {
    this.limits = { ...DEFAULT_WRITE_LIMITS, ...definedOnly(options) };
    this.rate = new RateLimiter(this.limits.writeRateLimit, this.limits.writeRateBurst);
  }

  /** Takes one write of `user` (`Principal.id`); throws 429 `rate_limited` with `Retry-After` past the rate. */
  takeWrite(user: string): void {
    const wait = this.rate.take(user, 1, Date.now());
    if (wait > 0) {
      throw new ApiError(
        429,
        'rate_limited',
        `at most ${this.limits.writeRateLimit} writes per second per user; retry in ${wait} s`,
        [],
        { 'Retry-After': String(wait) },
      );
    }
  }

  /** Throws 403 `annotation_quota_exceeded` or 507 `too_many_annotations` when one more annotation is too many. */
  checkAnnotation(usage: AnnotationUsage): void {
    checkQuota(usage, ANNOTATION_QUOTA, this.limits.maxAnnotationsPerUser, this.limits.maxAnnotations);
  }

  /** Throws 403 `dashboard_quota_exceeded` or 507 `too_many_dashboards` when one more dashboard is too many. */
  checkNewDashboard(usage: DashboardUsage): void {
    checkQuota(usage, DASHBOARD_QUOTA, this.limits.maxDashboardsPerUser, this.limits.maxDashboards);
  }

  /** Throws 507 `dashboard_storage_full` when a save growing the dashboards by `added` bytes is too much. */
  checkDashboardBytes(usage: DashboardUsage, added: number): void {
    const { maxDashboardBytes } = this.limits;
    // a save that shrinks a dashboard is always let through, so a full server can be tidied
    if (maxDashboardBytes > 0 && added > 0 && usage.bytes + added > maxDashboardBytes) {
      throw new ApiError(
        507,
        'dashboard_storage_full',
        `saved dashboards may take at most ${maxDashboardBytes} bytes on this server`,
      );
    }
  }
}

/** What a count quota is of, and the codes its refusals answer with. */
interface CountQuota {
  /** Plural noun: `annotations`. */
  things: string;
  /** What a user does to make one: `add`. */
  verb: string;
  perUserCode: ErrorCode;
  totalCode: ErrorCode;
}

const ANNOTATION_QUOTA: CountQuota = {
  things: 'annotations',
  verb: 'add',
  perUserCode: 'annotation_quota_exceeded',
  totalCode: 'too_many_annotations',
};
const DASHBOARD_QUOTA: CountQuota = {
  things: 'dashboards',
  verb: 'create',
  perUserCode: 'dashboard_quota_exceeded',
  totalCode: 'too_many_dashboards',
};

/** Throws 403 (this user's quota) or 507 (the server's) when one more thing is too many. */
function checkQuota(usage: { own: number; total: number }, quota: CountQuota, perUser: number, total: number): void {
  if (reached(usage.own, perUser)) {
    throw new ApiError(
      403,
      quota.perUserCode,
      `at most ${perUser} ${quota.things} per user; delete some of yours to ${quota.verb} more`,
    );
  }
  if (reached(usage.total, total)) {
    throw new ApiError(507, quota.totalCode, `this server keeps at most ${total} ${quota.things}`);
  }
}

/** Whether `count` leaves no room under `max` (`0`: no limit). */
function reached(count: number, max: number): boolean {
  return max > 0 && count >= max;
}

/** `options` without its `undefined` values, which would otherwise override the defaults. */
function definedOnly(options: WriteLimitsOptions): WriteLimitsOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
