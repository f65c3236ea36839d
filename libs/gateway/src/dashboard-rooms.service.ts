import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '@pulseboard/api';
import { AnnotationsService } from '@pulseboard/dashboards';
import type { AnnotateMessage, PresenceEvent } from '@pulseboard/protocol';
import { ControlCluster } from './control-cluster.service.js';
import { dashboardRoom, type ControlServer, type ControlSocket } from './control-socket.js';
import { PresenceService } from './presence.service.js';

/** Dashboards one socket may be present on at once. */
const MAX_DASHBOARDS_PER_SOCKET = 100;

/**
 * A dashboard's room on the control socket: who is present (announced to
 * the room on every instance, changes close together in one event) and the
 * annotations its viewers add or an HTTP client deletes.
 */
@Injectable()
export class DashboardRooms {
  private readonly logger = new Logger('Control');
  private server: ControlServer | undefined;

  constructor(
    private readonly presence: PresenceService,
    private readonly annotations: AnnotationsService,
    private readonly cluster: ControlCluster,
  ) {}

  attach(server: ControlServer): void {
    this.server = server;
    this.presence.announceWith((dashboard, told) => {
      this.announcePresence(dashboard, told).catch((error: unknown) => this.logger.error(error));
    });
    // an annotation deleted over HTTP disappears from every viewer's charts
    this.annotations.onRemoved((removed) => {
      server.to(dashboardRoom(removed.dashboard)).emit('annotation_removed', removed);
    });
  }

  /** Puts a socket in a dashboard's room; answers who is there (the room hears of it from the presence window). */
  async join(socket: ControlSocket, dashboard: string): Promise<PresenceEvent> {
    const { dashboards } = socket.data;
    if (!dashboards.has(dashboard) && dashboards.size >= MAX_DASHBOARDS_PER_SOCKET) {
      throw new ApiError(
        400,
        'too_many_subscriptions',
        `a socket may join at most ${MAX_DASHBOARDS_PER_SOCKET} dashboards`,
      );
    }
    dashboards.add(dashboard);
    void socket.join(dashboardRoom(dashboard));
    this.presence.join(dashboard, socket.id, socket.data.viewer);
    return this.cluster.presenceOf(dashboard);
  }

  leave(socket: ControlSocket, dashboard: string): void {
    socket.data.dashboards.delete(dashboard);
    void socket.leave(dashboardRoom(dashboard));
    this.presence.leave(dashboard, socket.id);
  }

  /** Takes a socket that went away out of every room it was in. */
  leaveAll(socket: ControlSocket): void {
    for (const dashboard of socket.data.dashboards) this.presence.leave(dashboard, socket.id);
    socket.data.dashboards.clear();
  }

  /** Stores an annotation by the socket's viewer and shows it to the dashboard's room. */
  async annotate(socket: ControlSocket, input: AnnotateMessage): Promise<{ id: string }> {
    const { principal, viewer } = socket.data;
    const annotation = await this.annotations.create(input, {
      name: viewer.name,
      id: principal.anonymous ? null : principal.id,
      quotaKey: principal.id,
    });
    this.server?.to(dashboardRoom(annotation.dashboard)).emit('annotation', annotation);
    return { id: annotation.id };
  }

  /** Tells a dashboard's room, on every instance, who views it now; `told` (a socket) already knows. */
  private async announcePresence(dashboard: string, told: string | undefined): Promise<void> {
    const presence = await this.cluster.presenceOf(dashboard);
    const room = this.server?.to(dashboardRoom(dashboard));
    // encoded once for the whole room and sent as is: compressed, it would cost a zlib pass per socket
    (told === undefined ? room : room?.except(told))?.compress(false).emit('presence', presence);
  }
}
