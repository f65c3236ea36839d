import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { PresenceEvent, Viewer } from '@pulseboard/protocol';
import { AnnouncementWindow } from './announcement-window.js';
import { GATEWAY_OPTIONS, type GatewayModuleOptions } from './gateway.options.js';

/**
 * How long a dashboard's presence changes wait after an announcement, to be
 * told together. A crowd joining at once is told in a few announcements
 * rather than one per join, which made presence cost the square of the room.
 */
export const PRESENCE_WINDOW_MS = 200;

/** Who views one dashboard. */
interface Room {
  /** socket id → its viewer. */
  sockets: Map<string, Viewer>;
  /** viewer id → the viewer and how many of its sockets are here; in order of arrival. */
  viewers: Map<string, { viewer: Viewer; sockets: number }>;
}

/**
 * Who views which dashboard, and when to tell them. A viewer with several
 * sockets on one dashboard (two tabs) is listed once, and stays listed until
 * the last one leaves. Presence lists name at most `presenceMaxViewers`
 * viewers and count the rest, so an event's size does not grow with the room.
 */
@Injectable()
export class PresenceService implements OnModuleDestroy {
  private readonly dashboards = new Map<string, Room>();
  private readonly window: AnnouncementWindow;
  private announce: (dashboard: string, told: string | undefined) => void = () => undefined;

  constructor(@Inject(GATEWAY_OPTIONS) private readonly options: Pick<GatewayModuleOptions, 'presenceMaxViewers'>) {
    this.window = new AnnouncementWindow(PRESENCE_WINDOW_MS, (dashboard, told) => this.announce(dashboard, told));
  }

  /**
   * Sets what announces a dashboard's presence: called when its viewers
   * changed, at most twice per {@link PRESENCE_WINDOW_MS}; `told` is a socket
   * to leave out, already answered with this presence.
   */
  announceWith(announce: (dashboard: string, told: string | undefined) => void): void {
    this.announce = announce;
  }

  /** Adds a socket's viewer to a dashboard; the socket is answered with the presence by its caller. */
  join(dashboard: string, socketId: string, viewer: Viewer): void {
    let room = this.dashboards.get(dashboard);
    if (room === undefined) {
      room = { sockets: new Map(), viewers: new Map() };
      this.dashboards.set(dashboard, room);
    }
    if (room.sockets.has(socketId)) return;
    room.sockets.set(socketId, viewer);
    const present = room.viewers.get(viewer.id);
    if (present !== undefined) {
      present.sockets++;
      return;
    }
    room.viewers.set(viewer.id, { viewer, sockets: 1 });
    this.window.changed(dashboard, socketId);
  }

  /** Removes a socket from a dashboard; `false` if it was not there. */
  leave(dashboard: string, socketId: string): boolean {
    const room = this.dashboards.get(dashboard);
    const viewer = room?.sockets.get(socketId);
    if (room === undefined || viewer === undefined) return false;
    room.sockets.delete(socketId);
    const present = room.viewers.get(viewer.id);
    if (present !== undefined && --present.sockets === 0) {
      room.viewers.delete(viewer.id);
      this.window.changed(dashboard);
    }
    if (room.sockets.size === 0) this.dashboards.delete(dashboard);
    return true;
  }

  /** Who views a dashboard on this instance: the first viewers, and how many there are. */
  presence(dashboard: string): PresenceEvent {
    const viewers = this.dashboards.get(dashboard)?.viewers;
    const listed: Viewer[] = [];
    for (const { viewer } of viewers?.values() ?? []) {
      if (listed.length === this.options.presenceMaxViewers) break;
      listed.push(viewer);
    }
    return { dashboard, viewers: listed, count: viewers?.size ?? 0 };
  }

  /** Every viewer of a dashboard on this instance, for the other instances to count. */
  viewers(dashboard: string): Viewer[] {
    return [...(this.dashboards.get(dashboard)?.viewers.values() ?? [])].map(({ viewer }) => viewer);
  }

  /** The presence of a dashboard whose viewers are spread over several instances; each viewer counts once. */
  merge(dashboard: string, instances: Viewer[][]): PresenceEvent {
    const seen = new Set<string>();
    const listed: Viewer[] = [];
    for (const viewers of instances) {
      for (const viewer of viewers) {
        if (seen.has(viewer.id)) continue;
        seen.add(viewer.id);
        if (listed.length < this.options.presenceMaxViewers) listed.push(viewer);
      }
    }
    return { dashboard, viewers: listed, count: seen.size };
  }

  onModuleDestroy(): void {
    this.window.close();
  }
}
