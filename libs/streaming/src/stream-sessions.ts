import { Injectable } from '@nestjs/common';
import type { Principal } from '@pulseboard/api';
import type { Connection } from '@pulseboard/core';

/** A connection another client may steer by its session id (an SSE stream's `hello` announces it). */
export interface StreamSession {
  id: string;
  connection: Connection;
  owner: Principal;
}

/**
 * The open connections that can be steered from elsewhere, by session id.
 * A transport whose connections cannot change their own subscription (SSE)
 * registers them here; a control transport (the socket) finds them here,
 * without knowing which transport holds them.
 */
@Injectable()
export class StreamSessions {
  private readonly sessions = new Map<string, StreamSession>();

  get size(): number {
    return this.sessions.size;
  }

  /** Registers a session until the returned function is called. */
  add(session: StreamSession): () => void {
    this.sessions.set(session.id, session);
    return () => {
      if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
    };
  }

  get(id: string): StreamSession | undefined {
    return this.sessions.get(id);
  }
}
