import type { SessionInfo } from '@pulseboard/protocol';
import { PulseboardError } from '@pulseboard/sdk';
import { describe, expect, it, vi } from 'vitest';
import { PulseboardApi } from '../data/api';
import { LiveClient } from '../data/live-client.svelte';
import { FakeConsumer } from '../data/testing/fake-consumer';
import { mayDeleteAnnotation, SessionManager, type SessionState } from './session.svelte';

const alice: SessionInfo = {
  auth: true,
  sub: 'alice',
  name: 'Alice',
  role: 'viewer',
  feeds: ['host1.>'],
  expiresAt: 1_764_230_400_000,
};
const open: SessionInfo = {
  auth: false,
  sub: 'anonymous',
  name: 'anonymous',
  role: 'admin',
  feeds: ['>'],
  expiresAt: null,
};

const refusal = (status: number, code: string, message: string) =>
  Response.json({ error: { code, message, details: [] } }, { status });

type Answer = Response | Error;

/**
 * A scripted server for `/api/v1/session` and one other endpoint: each
 * answer is taken in turn (the last one repeats). The real endpoints are
 * covered by the e2e suites.
 */
function server(answers: Record<string, Answer[]>) {
  const calls: { method: string; url: string; init?: RequestInit }[] = [];
  const fetcher = vi.fn((url: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    calls.push({ method, url, init });
    const key = `${method} ${new URL(url).pathname}`;
    const queue = answers[key];
    if (queue === undefined) return Promise.reject(new Error(`unexpected ${key}`));
    const answer = queue.length > 1 ? queue.shift()! : queue[0];
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer.clone());
  });
  const consumer = new FakeConsumer();
  const client = new LiveClient({
    url: 'http://pulse.test',
    consumer,
    api: new PulseboardApi('http://pulse.test', fetcher),
  });
  return { client, consumer, calls };
}

async function started(answers: Record<string, Answer[]>) {
  const fake = server(answers);
  const session = new SessionManager(fake.client);
  const stop = session.listen();
  expect(session.state).toEqual({ status: 'loading' });
  await vi.waitFor(() => expect(session.state.status).not.toBe('loading'));
  return { ...fake, session, stop };
}

describe('SessionManager', () => {
  it('is open when the server runs without authentication: pages load, nobody signs in', async () => {
    const { session } = await started({ 'GET /api/v1/session': [Response.json(open)] });
    expect(session.state).toEqual({ status: 'open' });
    expect(session.admitted).toBe(true);
  });

  it('is signed in as the one the session cookie names', async () => {
    const { session } = await started({ 'GET /api/v1/session': [Response.json(alice)] });
    expect(session.state).toEqual({
      status: 'signed-in',
      sub: 'alice',
      name: 'Alice',
      role: 'viewer',
      feeds: ['host1.>'],
      expiresAt: 1_764_230_400_000,
    });
    expect(session.admitted).toBe(true);
  });

  it('is signed out with the server’s code when it wants a token', async () => {
    const { session } = await started({
      'GET /api/v1/session': [refusal(401, 'unauthorized', 'a token is required')],
    });
    expect(session.state).toEqual({ status: 'signed-out', reason: 'unauthorized', message: 'a token is required' });
    expect(session.admitted).toBe(false);
  });

  it('counts a server that cannot say as open, so the pages report their own failures', async () => {
    const { session } = await started({ 'GET /api/v1/session': [refusal(404, 'not_found', 'no such route')] });
    expect(session.state).toEqual({ status: 'open' });
  });

  it('signs in by posting the token as JSON', async () => {
    const { session, calls } = await started({
      'GET /api/v1/session': [refusal(401, 'unauthorized', 'a token is required')],
      'POST /api/v1/session': [Response.json(alice)],
    });
    await session.signIn('  eyJ.token.sig \n');
    const post = calls.find((call) => call.method === 'POST')!;
    expect(post.url).toBe('http://pulse.test/api/v1/session');
    expect(new Headers(post.init?.headers).get('content-type')).toBe('application/json');
    expect(JSON.parse(post.init?.body as string)).toEqual({ token: 'eyJ.token.sig' });
    expect(session.state).toMatchObject({ status: 'signed-in', name: 'Alice', role: 'viewer' });
  });

  it('stays signed out when the token is refused, rejecting with the server’s code and message', async () => {
    const { session } = await started({
      'GET /api/v1/session': [refusal(401, 'unauthorized', 'a token is required')],
      'POST /api/v1/session': [refusal(401, 'token_expired', 'the token expired at 2025-11-27T08:00:00Z')],
    });
    await expect(session.signIn('old')).rejects.toMatchObject({
      code: 'token_expired',
      message: 'the token expired at 2025-11-27T08:00:00Z',
    });
    expect(session.state).toMatchObject({ status: 'signed-out', reason: 'unauthorized' });
  });

  it('signs out with a DELETE, and stays signed in when the server cannot be reached', async () => {
    const { session, calls } = await started({
      'GET /api/v1/session': [Response.json(alice)],
      'DELETE /api/v1/session': [new TypeError('Failed to fetch'), new Response(null, { status: 204 })],
    });
    await expect(session.signOut()).rejects.toThrow('Failed to fetch');
    expect(session.state.status).toBe('signed-in');

    // the signed-in pages are left before the cookie goes, so none of their requests meets it cleared
    const signingOut = session.signOut();
    expect(session.state.status).toBe('loading');
    await signingOut;
    expect(calls.filter((call) => call.method === 'DELETE').map((call) => call.url)).toEqual([
      'http://pulse.test/api/v1/session',
      'http://pulse.test/api/v1/session',
    ]);
    expect(session.state).toEqual({ status: 'signed-out', reason: 'signed_out' });
  });

  it('ends the session at a 401 from any API call, with its reason', async () => {
    const { session, client } = await started({
      'GET /api/v1/session': [Response.json(alice)],
      'GET /api/v1/feeds': [refusal(401, 'token_expired', 'the token expired')],
    });
    await expect(client.api.feeds()).rejects.toMatchObject({ status: 401 });
    expect(session.state).toEqual({ status: 'signed-out', reason: 'token_expired', message: 'the token expired' });
  });

  it('ends the session when the stream’s reconnection is refused, not at the expiry it retries after', async () => {
    const { session, client, consumer } = await started({ 'GET /api/v1/session': [Response.json(alice)] });
    client.listen();
    consumer.setState('connected');

    // the stream says the token expired and the consumer tries again: a renewed cookie would do
    consumer.emit('error', new PulseboardError('token_expired', 'the token expired'));
    consumer.setState('connecting');
    expect(session.state.status).toBe('signed-in');
    consumer.setState('connected');

    consumer.emit('error', new PulseboardError('token_expired', 'the token expired'));
    consumer.setState('connecting');
    // the cookie expired with the token, so the reconnection carries none; the expiry is the reason
    consumer.emit('error', new PulseboardError('unauthorized', 'a token is required', { status: 401 }));
    expect(session.state).toEqual({ status: 'signed-out', reason: 'token_expired', message: 'the token expired' });
  });

  it('stops hearing refusals after its cleanup', async () => {
    const { session, client, stop } = await started({
      'GET /api/v1/session': [Response.json(open)],
      'GET /api/v1/feeds': [refusal(401, 'unauthorized', 'a token is required')],
    });
    stop();
    await expect(client.api.feeds()).rejects.toMatchObject({ status: 401 });
    expect(session.state).toEqual({ status: 'open' });
  });
});

describe('mayDeleteAnnotation', () => {
  const signedIn = (role: SessionInfo['role']): SessionState => ({
    status: 'signed-in',
    sub: 'alice',
    name: 'Alice',
    role,
    feeds: ['>'],
    expiresAt: null,
  });

  it('offers Delete to everyone on an open server', () => {
    expect(mayDeleteAnnotation({ status: 'open' }, { author: 'Bo' })).toBe(true);
  });

  it('offers Delete to an admin for any note, and to others for their own notes only', () => {
    expect(mayDeleteAnnotation(signedIn('admin'), { author: 'Bo' })).toBe(true);
    expect(mayDeleteAnnotation(signedIn('viewer'), { author: 'Alice' })).toBe(true);
    expect(mayDeleteAnnotation(signedIn('producer'), { author: 'Alice' })).toBe(true);
    expect(mayDeleteAnnotation(signedIn('viewer'), { author: 'Bo' })).toBe(false);
    expect(mayDeleteAnnotation(signedIn('producer'), { author: 'alice' })).toBe(false);
  });

  it('offers nothing before the server has said who this is, or when signed out', () => {
    expect(mayDeleteAnnotation({ status: 'loading' }, { author: 'Alice' })).toBe(false);
    expect(mayDeleteAnnotation({ status: 'signed-out', reason: 'signed_out' }, { author: 'Alice' })).toBe(false);
  });
});
