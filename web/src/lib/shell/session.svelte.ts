import type { Annotation, SessionInfo, TOKEN_ERROR_CODES } from '@pulseboard/protocol';
import { getContext, setContext } from 'svelte';
import { ApiError, isTokenError, type PulseboardApi, type TokenRefusal } from '../data/api';

/** Why the page asks for a token: the server's code, or `signed_out` after Sign out. */
export type SignedOutReason = (typeof TOKEN_ERROR_CODES)[number] | 'signed_out';

/**
 * - `loading`: the server has not said yet;
 * - `open`: the server runs without authentication: no sign-in, no sign-out;
 * - `signed-in`: the session cookie names someone;
 * - `signed-out`: the server wants a token (none given, refused, expired, or signed out).
 */
export type SessionState =
  | { status: 'loading' }
  | { status: 'open' }
  | {
      status: 'signed-in';
      sub: string;
      name: string;
      role: SessionInfo['role'];
      feeds: string[];
      expiresAt: number | null;
    }
  | { status: 'signed-out'; reason: SignedOutReason; message?: string };

/** What the session needs of the page's client: its REST side, and news of a refused token. */
export interface SessionClient {
  readonly api: PulseboardApi;
  onUnauthorized(listener: (refusal: TokenRefusal) => void): () => void;
}

/**
 * Who the page acts as. Asks the server at `listen()`; afterwards any 401 of
 * the API or the stream ends the session, so the page shows the sign-in form
 * instead of pages that can no longer load.
 *
 * A server that cannot say (no session endpoint, or not answering) counts as
 * open: the pages then report their own failures, and a 401 from any of them
 * still leads to the sign-in form.
 */
export class SessionManager {
  #state = $state.raw<SessionState>({ status: 'loading' });
  readonly #client: SessionClient;

  constructor(client: SessionClient) {
    this.#client = client;
  }

  get state(): SessionState {
    return this.#state;
  }

  /** Pages may load and the stream may open: the server is open, or knows who this is. */
  get admitted(): boolean {
    return this.#state.status === 'open' || this.#state.status === 'signed-in';
  }

  /** Asks the server who this is and follows refusals; returns the cleanup. */
  listen(): () => void {
    const controller = new AbortController();
    void this.#load(controller.signal);
    const stop = this.#client.onUnauthorized((refusal) => this.#refused(refusal));
    return () => {
      controller.abort();
      stop();
    };
  }

  /** Trades `token` for a session; rejects with the server's {@link ApiError} (e.g. `token_expired`) when refused. */
  async signIn(token: string): Promise<void> {
    this.#state = admittedState(await this.#client.api.signIn(token.trim()));
  }

  /**
   * Clears the session cookie; rejects, still signed in, when the server could
   * not be reached. The signed-in pages are left first, so that nothing they
   * fetch meets the cleared cookie (and a refusal) while the answer is on its way.
   */
  async signOut(): Promise<void> {
    const before = this.#state;
    this.#state = { status: 'loading' };
    try {
      await this.#client.api.signOut();
    } catch (error) {
      // a cookie the server no longer accepts is as good as cleared
      if (!(error instanceof ApiError && error.status === 401)) {
        this.#state = before;
        throw error;
      }
    }
    this.#state = { status: 'signed-out', reason: 'signed_out' };
  }

  async #load(signal: AbortSignal): Promise<void> {
    try {
      const session = await this.#client.api.session(signal);
      if (!signal.aborted) this.#state = admittedState(session);
    } catch (error) {
      if (signal.aborted) return;
      this.#state = error instanceof ApiError && error.status === 401 ? signedOut(error) : { status: 'open' };
    }
  }

  #refused(refusal: TokenRefusal): void {
    // while loading the first answer decides; once signed out, later refusals say nothing new
    if (this.admitted) this.#state = signedOut(refusal);
  }
}

/**
 * Whether the page offers to delete `annotation`: the server is open, or the
 * session is an admin's or the annotation's author's. The server decides by
 * token subject; annotations carry only the author's name, so this is the
 * page's best guess and a refusal is still possible.
 */
export function mayDeleteAnnotation(session: SessionState, annotation: Pick<Annotation, 'author'>): boolean {
  if (session.status === 'open') return true;
  if (session.status !== 'signed-in') return false;
  return session.role === 'admin' || annotation.author === session.name;
}

/** The context key of the page's session; `mount(…, { context: new Map([[SESSION_KEY, session]]) })` outside the app. */
export const SESSION_KEY = Symbol('session');

export function setSession(session: SessionManager): void {
  setContext(SESSION_KEY, session);
}

/** The page's session; `undefined` outside the app (a component mounted on its own). */
export function getSession(): SessionManager | undefined {
  return getContext<SessionManager | undefined>(SESSION_KEY);
}

function admittedState(session: SessionInfo): SessionState {
  if (!session.auth) return { status: 'open' };
  const { sub, name, role, feeds, expiresAt } = session;
  return { status: 'signed-in', sub, name, role, feeds, expiresAt };
}

function signedOut(refusal: TokenRefusal): SessionState {
  const reason = isTokenError(refusal.code) ? (refusal.code as SignedOutReason) : 'unauthorized';
  return { status: 'signed-out', reason, message: refusal.message };
}
