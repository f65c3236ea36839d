import { Inject, Injectable } from '@nestjs/common';
import { ApiError, type Principal } from '@pulseboard/api';
import type { Dashboard, DashboardDocument, DashboardSummary } from '@pulseboard/protocol';
import { ANNOTATION_STORE, type AnnotationStore } from './annotation-store.js';
import { checkDashboardId, newDashboardId } from './dashboard-id.js';
import { DASHBOARD_STORE, type DashboardStore } from './dashboard-store.js';
import { WriteLimits } from './write-limits.js';

/** What saving a dashboard under an id did. */
export interface DashboardPutResult {
  dashboard: Dashboard;
  /** `true` when nothing was saved under the id before. */
  created: boolean;
}

// a fresh 51-bit id is taken only when someone chose it for their own dashboard; a few draws always suffice
const NEW_ID_ATTEMPTS = 5;

/**
 * Saved dashboards: listing, reading, creating, replacing and deleting them.
 * Documents arrive validated (`dashboardDocumentSchema`, at the HTTP edge);
 * ids are checked here because they come from paths. Every change takes one
 * write of the caller's write rate, and a save must fit the quotas
 * (`WriteLimits`). Two saves of one dashboard at the same moment: the last one wins.
 */
@Injectable()
export class DashboardsService {
  constructor(
    @Inject(DASHBOARD_STORE) private readonly store: DashboardStore,
    @Inject(ANNOTATION_STORE) private readonly annotations: AnnotationStore,
    private readonly limits: WriteLimits,
  ) {}

  /** Every saved dashboard, ordered by title and then by id (both by UTF-16 code units, as `<` compares). */
  async list(): Promise<DashboardSummary[]> {
    const summaries = await this.store.list();
    return summaries.sort((a, b) => compare(a.title, b.title) || compare(a.id, b.id));
  }

  /** The dashboard saved under `id`. Throws a 400 `invalid_dashboard` or a 404 `dashboard_not_found` `ApiError`. */
  async get(id: string): Promise<Dashboard> {
    const dashboard = await this.store.get(checkDashboardId(id));
    if (dashboard === undefined) throw notFound(id);
    return dashboard;
  }

  /**
   * Saves `document` as a new dashboard of `author` under a new random id
   * (`newDashboardId`). Throws an `ApiError`: 429 `rate_limited`, 403
   * `dashboard_quota_exceeded`, 507 `too_many_dashboards` or `dashboard_storage_full`.
   */
  async create(document: DashboardDocument, author: Principal): Promise<Dashboard> {
    this.limits.takeWrite(author.id);
    for (let attempt = 0; attempt < NEW_ID_ATTEMPTS; attempt++) {
      const id = newDashboardId();
      if (await this.store.has(id)) continue;
      const now = Date.now();
      const dashboard = saved(id, document, now, now, ownerOf(author));
      await this.checkRoom(dashboard, undefined, author);
      await this.store.put(dashboard, author.id);
      return dashboard;
    }
    throw new Error(`no free dashboard id in ${NEW_ID_ATTEMPTS} draws`);
  }

  /**
   * Saves `document` under `id`, which the caller chooses (e.g. `home`):
   * replaces the dashboard saved there, keeping its `createdAt`, or creates
   * it (then `author` owns it). Throws an `ApiError`: 400 `invalid_dashboard`
   * for a bad id, 429 `rate_limited`, 403 `forbidden` when `author` may not
   * change it; as `create` when it would be a new one or grow past the bytes quota.
   */
  async put(id: string, document: DashboardDocument, author: Principal): Promise<DashboardPutResult> {
    checkDashboardId(id);
    this.limits.takeWrite(author.id);
    const existing = await this.store.get(id);
    if (existing !== undefined) checkMayChange(existing, author);
    const now = Date.now();
    const dashboard = saved(id, document, existing?.createdAt ?? now, now, existing?.owner ?? ownerOf(author));
    await this.checkRoom(dashboard, existing, author);
    await this.store.put(dashboard, author.id);
    return { dashboard, created: existing === undefined };
  }

  /**
   * Deletes the dashboard saved under `id` and its annotations. Throws a 400
   * `invalid_dashboard`, a 429 `rate_limited`, a 404 `dashboard_not_found` or
   * a 403 `forbidden` `ApiError`.
   */
  async delete(id: string, author: Principal): Promise<void> {
    checkDashboardId(id);
    this.limits.takeWrite(author.id);
    const existing = await this.store.get(id);
    if (existing === undefined) throw notFound(id);
    checkMayChange(existing, author);
    if (!(await this.store.delete(id))) throw notFound(id);
    // annotations go second: should this fail, what is left belongs to no saved dashboard,
    // rather than a saved dashboard having lost its notes
    await this.annotations.deleteForDashboard(id);
  }

  /** Throws when saving `dashboard` over `existing` (none: a new one of `author`) would pass a quota. */
  private async checkRoom(dashboard: Dashboard, existing: Dashboard | undefined, author: Principal): Promise<void> {
    const usage = await this.store.usage(author.id);
    if (existing === undefined) this.limits.checkNewDashboard(usage);
    this.limits.checkDashboardBytes(
      usage,
      storedBytes(dashboard) - (existing === undefined ? 0 : storedBytes(existing)),
    );
  }
}

/** About what a dashboard takes in a store: the bytes of its JSON. */
function storedBytes(dashboard: Dashboard): number {
  return Buffer.byteLength(JSON.stringify(dashboard));
}

function saved(
  id: string,
  document: DashboardDocument,
  createdAt: number,
  updatedAt: number,
  owner: string | null,
): Dashboard {
  return { id, title: document.title, window: document.window, panels: document.panels, createdAt, updatedAt, owner };
}

/** Dashboards belong to the token subject that created them; open mode has no owners. */
function ownerOf(principal: Principal): string | null {
  return principal.anonymous ? null : principal.id;
}

/** Admins change any dashboard; others only their own (one nobody owns is for admins). */
function checkMayChange(dashboard: Dashboard, principal: Principal): void {
  if (principal.role === 'admin') return;
  if (dashboard.owner !== null && dashboard.owner !== undefined && dashboard.owner === principal.id) return;
  throw new ApiError(
    403,
    'forbidden',
    `only its owner or an admin may change the dashboard ${JSON.stringify(dashboard.id)}`,
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function notFound(id: string): ApiError {
  return new ApiError(404, 'dashboard_not_found', `no dashboard ${JSON.stringify(id)}`);
}
