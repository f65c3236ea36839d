import type { Annotation, AnnotationRemovedEvent } from '@pulseboard/protocol';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, PulseboardApi } from './api';
import { LiveClient } from './live-client.svelte';
import { FakeConsumer } from './testing/fake-consumer';

const deploy: Annotation = { id: 'n1', dashboard: 'ops', t: 1_000, text: 'deploy v2', feed: null, author: 'Ada' };
const rollback: Annotation = { id: 'n2', dashboard: 'ops', t: 2_000, text: 'rollback', feed: null, author: 'Bo' };

const refusal = (status: number, code: string, message: string) =>
  Response.json({ error: { code, message, details: [] } }, { status });

/**
 * A scripted server (the real endpoints are covered by the e2e suites): the
 * listing answers `listed` (as it is when asked, once `answer` resolves), a
 * DELETE answers `deleted`; every call is kept.
 */
function setup(
  listed: Annotation[],
  deleted: () => Response = () => new Response(null, { status: 204 }),
  answer: () => Promise<void> = () => Promise.resolve(),
) {
  const calls: { method: string; url: string }[] = [];
  const fetcher = vi.fn(async (url: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    calls.push({ method, url });
    if (method === 'DELETE') return deleted();
    const snapshot = [...listed];
    await answer();
    return Response.json(snapshot);
  });
  const consumer = new FakeConsumer();
  const client = new LiveClient({
    url: 'http://pulse.test',
    consumer,
    api: new PulseboardApi('http://pulse.test', fetcher),
  });
  client.listen();
  const { list, release } = client.annotations('ops');
  const removed = (event: AnnotationRemovedEvent) => {
    for (const listener of consumer.socketListeners.get('annotation_removed') ?? []) listener(event);
  };
  const reconnect = () => {
    for (const listener of consumer.socketListeners.get('connect') ?? []) listener(undefined);
  };
  return { calls, consumer, list, release, removed, reconnect };
}

describe('PulseboardApi.deleteAnnotation', () => {
  it('sends DELETE to the annotation’s URL and resolves on 204', async () => {
    const fetcher = vi.fn((_url: string, _init?: RequestInit) => Promise.resolve(new Response(null, { status: 204 })));
    const api = new PulseboardApi('http://pulse.test/', fetcher);
    await expect(api.deleteAnnotation('ops', 'n 1/2')).resolves.toBeUndefined();
    expect(fetcher).toHaveBeenCalledOnce();
    const [url, init] = fetcher.mock.calls[0];
    expect(init?.method).toBe('DELETE');
    expect(url).toBe('http://pulse.test/api/v1/dashboards/ops/annotations/n%201%2F2');
  });

  it('rejects with the server’s code when refused', async () => {
    const api = new PulseboardApi('http://pulse.test', () =>
      Promise.resolve(refusal(403, 'forbidden', 'only its author or an admin may delete an annotation')),
    );
    const failure = await api.deleteAnnotation('ops', 'n1').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 403, code: 'forbidden' });
  });
});

describe('AnnotationList', () => {
  it('drops an annotation announced deleted on its dashboard, and ignores other dashboards’', async () => {
    const { list, removed, release, consumer } = setup([deploy, rollback]);
    await vi.waitFor(() => expect(list.items).toEqual([deploy, rollback]));

    removed({ dashboard: 'other', id: 'n1' });
    expect(list.items).toEqual([deploy, rollback]);

    removed({ dashboard: 'ops', id: 'n1' });
    expect(list.items).toEqual([rollback]);

    // told twice, or about one it never held: nothing changes
    removed({ dashboard: 'ops', id: 'n1' });
    removed({ dashboard: 'ops', id: 'unknown' });
    expect(list.items).toEqual([rollback]);

    release();
    expect(consumer.socketListeners.get('annotation_removed')?.size).toBe(0);
  });

  it('drops an annotation once the server has deleted it, without waiting for the announcement', async () => {
    const { list, calls } = setup([deploy, rollback]);
    await vi.waitFor(() => expect(list.items).toHaveLength(2));

    await list.delete('n1');
    expect(calls.at(-1)).toEqual({ method: 'DELETE', url: 'http://pulse.test/api/v1/dashboards/ops/annotations/n1' });
    expect(list.items).toEqual([rollback]);
  });

  it('keeps an annotation the server refuses to delete, rejecting with its 403', async () => {
    const { list } = setup([deploy], () => refusal(403, 'forbidden', 'only its author or an admin may delete'));
    await vi.waitFor(() => expect(list.items).toEqual([deploy]));

    await expect(list.delete('n1')).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    expect(list.items).toEqual([deploy]);
  });

  it('drops an annotation the server no longer has (deleted elsewhere)', async () => {
    const { list } = setup([deploy], () => refusal(404, 'annotation_not_found', 'no annotation "n1"'));
    await vi.waitFor(() => expect(list.items).toEqual([deploy]));

    await list.delete('n1');
    expect(list.items).toEqual([]);
  });

  it('does not bring back a deleted annotation with a later load or announcement', async () => {
    const listed = [deploy, rollback];
    const { list, removed, consumer } = setup(listed);
    await vi.waitFor(() => expect(list.items).toHaveLength(2));

    removed({ dashboard: 'ops', id: 'n1' });
    // a reconnect's load that the server answered before the deletion, with one made meanwhile
    const later: Annotation = { ...rollback, id: 'n3', t: 3_000, text: 'scaled up' };
    listed.push(later);
    for (const listener of consumer.socketListeners.get('connect') ?? []) listener(undefined);
    await vi.waitFor(() => expect(list.items).toContainEqual(later));
    list.add(deploy);
    expect(list.items).toEqual([rollback, later]);
  });

  it('asks for the last hour, at most a thousand', async () => {
    const { list, calls } = setup([]);
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    const url = new URL(calls[0].url);
    expect(url.pathname).toBe('/api/v1/dashboards/ops/annotations');
    expect(Number(url.searchParams.get('from'))).toBeGreaterThan(Date.now() - 3_600_000 - 5_000);
    expect(url.searchParams.get('limit')).toBe('1000');
    expect(list.items).toEqual([]);
  });

  it('drops, when the socket is back, what was deleted in the last hour while it was away', async () => {
    const now = Date.now();
    const recent: Annotation = { ...deploy, id: 'r1', t: now - 60_000 };
    const other: Annotation = { ...deploy, id: 'r2', t: now - 30_000 };
    // older than the hour a load covers: kept whatever the answer says
    const old: Annotation = { ...deploy, id: 'o1', t: now - 2 * 3_600_000 };
    const listed = [old, recent, other];
    const { list, reconnect } = setup(listed);
    await vi.waitFor(() => expect(list.items).toEqual([old, recent, other]));

    // deleted while the socket was away: no announcement reached the page
    listed.splice(0, listed.length, other);
    reconnect();
    await vi.waitFor(() => expect(list.items).toEqual([old, other]));
  });

  it('keeps one announced while the reload was on its way, though the answer predates it', async () => {
    const now = Date.now();
    const first: Annotation = { ...deploy, id: 'a1', t: now - 60_000 };
    const listed = [first];
    let release: () => void = () => undefined;
    let held = false;
    const { list, reconnect } = setup(listed, undefined, () =>
      held ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve(),
    );
    await vi.waitFor(() => expect(list.items).toEqual([first]));

    // made while the socket was away: in the reload's answer, which shows when the reload is done
    const meanwhile: Annotation = { ...deploy, id: 'a3', t: now - 30_000 };
    listed.push(meanwhile);
    held = true;
    reconnect();
    const announced: Annotation = { ...deploy, id: 'a2', t: now - 1_000 };
    list.add(announced);
    release();
    await vi.waitFor(() => expect(list.items).toContainEqual(meanwhile));
    expect(list.items).toEqual([first, meanwhile, announced]);
  });
});
