import type { Annotation, AnnotationRemovedEvent, Viewer } from './dashboard.js';
import type { ErrorCode } from './errors.js';
import type { FeedChunks, GapEvent } from './messages.js';

/*
 * The Socket.IO control protocol (path `/socket.io`, default namespace).
 * Every client→server event takes an acknowledgement callback that receives
 * `{ok:true,...}` or `{ok:false,error:{code,message}}`.
 */

/** `subscribe`: add feeds to this socket's data, or (with `session`) to an SSE stream of the same client. */
export interface SubscribeMessage {
  /** Feed names and patterns to add. */
  feeds: string[];
  /** Milliseconds of retained history to send first for the feeds this adds. */
  history?: number;
  /** Points per second per feed for the whole stream, above 0 (left out: the stream's rate stays as it is). */
  maxRate?: number;
  /** The `session` of an SSE stream's `hello`: change that stream instead of this socket's data. */
  session?: string;
  /** Resume this socket's data after this cursor, as `Last-Event-ID` does for SSE. */
  cursor?: string;
}

/** `unsubscribe`: remove feeds from this socket's data, or from an SSE stream. */
export interface UnsubscribeMessage {
  feeds: string[];
  session?: string;
}

/** `join` / `leave`: enter or leave a dashboard's presence room. */
export interface DashboardMessage {
  dashboard: string;
}

/** `annotate`: store a note on a dashboard and show it to its room. */
export interface AnnotateMessage {
  dashboard: string;
  /** The moment it marks, in ms since the epoch. */
  t: number;
  text: string;
  feed?: string;
}

/** What a failed acknowledgement carries. */
export interface ControlError {
  code: ErrorCode;
  message: string;
}

export type AckFailure = { ok: false; error: ControlError };
/** The acknowledgement of a control event. */
export type Ack<T extends object = object> = ({ ok: true } & T) | AckFailure;

/** What `subscribe` and `unsubscribe` acknowledge: the stream's feeds after the change. */
export interface SubscriptionState {
  feeds: string[];
  /** This socket's data cursor (absent when an SSE stream was changed). */
  cursor?: string;
}

/** `points` on the socket: the new points of its feeds, at most one per batch window. */
export interface SocketPointsEvent {
  cursor: string;
  feeds: FeedChunks;
}

/**
 * `presence`: who views a dashboard, sent to its room when that changes;
 * changes that come close together are told in one event.
 */
export interface PresenceEvent {
  dashboard: string;
  /** Each viewer once, in order of arrival: the first `PRESENCE_MAX_VIEWERS` (100 by default). */
  viewers: Viewer[];
  /** How many viewers there are in all, listed or not. */
  count: number;
}

export interface ClientToServerEvents {
  subscribe: (message: SubscribeMessage, ack: (answer: Ack<SubscriptionState>) => void) => void;
  unsubscribe: (message: UnsubscribeMessage, ack: (answer: Ack<SubscriptionState>) => void) => void;
  join: (message: DashboardMessage, ack: (answer: Ack<PresenceEvent>) => void) => void;
  leave: (message: DashboardMessage, ack: (answer: Ack) => void) => void;
  annotate: (message: AnnotateMessage, ack: (answer: Ack<{ id: string }>) => void) => void;
}

export interface ServerToClientEvents {
  points: (event: SocketPointsEvent) => void;
  gap: (event: GapEvent) => void;
  presence: (event: PresenceEvent) => void;
  annotation: (event: Annotation) => void;
  annotation_removed: (event: AnnotationRemovedEvent) => void;
  /** Why the server is about to disconnect the socket (`token_expired`). */
  error: (event: ControlError) => void;
}

/** The control events a client may send. */
export type ControlEventName = keyof ClientToServerEvents;
