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
 * listing answers `listed`, a DELETE answers `deleted`; every call is kept.
 */
function setup(listed: Annotation[], deleted: () => Response = () => new Response(null, { status: 204 })) {
  const calls: { method: string; url: string }[] = [];
  const fetcher = vi.fn((url: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    calls.push({ method, url });
    return Promise.resolve(method === 'DELETE' ? deleted() : Response.json(listed));
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
  return { calls, consumer, list, release, removed };
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
});
