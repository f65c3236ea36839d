import { Injectable } from '@nestjs/common';
import type { PresenceEvent, Viewer } from '@pulseboard/protocol';

/**
 * Who views which dashboard. A viewer with several sockets on one dashboard
 * (two tabs) is listed once, and stays listed until the last one leaves.
 */
@Injectable()
export class PresenceService {
  /** dashboard → socket id → viewer, in joining order. */
  private readonly dashboards = new Map<string, Map<string, Viewer>>();

  /** Adds a socket's viewer to a dashboard; returns the dashboard's presence. */
  join(dashboard: string, socketId: string, viewer: Viewer): PresenceEvent {
    let sockets = this.dashboards.get(dashboard);
    if (sockets === undefined) {
      sockets = new Map();
      this.dashboards.set(dashboard, sockets);
    }
    sockets.set(socketId, viewer);
    return this.presence(dashboard);
  }

  /** Removes a socket from a dashboard; returns the presence, or `undefined` if it was not there. */
  leave(dashboard: string, socketId: string): PresenceEvent | undefined {
    const sockets = this.dashboards.get(dashboard);
    if (sockets?.delete(socketId) !== true) return undefined;
    if (sockets.size === 0) this.dashboards.delete(dashboard);
    return this.presence(dashboard);
  }

  /** Who views a dashboard now. */
  presence(dashboard: string): PresenceEvent {
    const viewers = new Map<string, Viewer>();
    for (const viewer of this.dashboards.get(dashboard)?.values() ?? []) {
      if (!viewers.has(viewer.id)) viewers.set(viewer.id, viewer);
    }
    return { dashboard, viewers: [...viewers.values()] };
  }
}
