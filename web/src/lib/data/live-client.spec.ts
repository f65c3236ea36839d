import type { Annotation } from '@pulseboard/protocol';
import { PulseboardError } from '@pulseboard/sdk';
import { describe, expect, it, vi } from 'vitest';
import { PulseboardApi } from './api';
import { LiveClient, type FeedSink } from './live-client.svelte';
import { FakeConsumer } from './testing/fake-consumer';

function recordingSink() {
  const received: [string, number[], number[]][] = [];
  const live: string[] = [];
  const gaps: string[][] = [];
  const sink: FeedSink = {
    points: (feed, t, v) => received.push([feed, [...t], [...v]]),
    gap: (gap) => gaps.push(gap.feeds),
    live: (feed) => live.push(feed),
  };
  return { sink, received, live, gaps };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup() {
  const consumer = new FakeConsumer();
  const fetchMock = vi.fn<(input: string) => Promise<Response>>(() => Promise.resolve(Response.json([])));
  const client = new LiveClient({
    url: 'http://pulse.test',
    consumer,
    api: new PulseboardApi('http://pulse.test', fetchMock),
  });
  return { consumer, client, fetchMock };
}

describe('LiveClient', () => {
  it('maps the SDK’s states: connecting, connected, reconnecting, offline', () => {
    const { consumer, client } = setup();
    const stop = client.listen();
    expect(client.state).toBe('connecting');
    consumer.setState('connected');
    expect(client.state).toBe('connected');
    consumer.setState('connecting');
    expect(client.state).toBe('reconnecting');
    consumer.setState('connected');
    consumer.emit('error', Object.assign(new Error('token refused'), { code: 'unauthorized' }) as never);
    consumer.setState('disconnected');
    expect(client.state).toBe('offline');
    expect(client.problem).toBe('token refused');
    client.retry();
    expect(client.state).toBe('reconnecting');
    stop();
    expect(consumer.calls.at(-1)).toBe('close');
  });

  it('routes each series key to every panel whose selectors match it, once per panel', () => {
    const { consumer, client } = setup();
    client.listen();
    consumer.setState('connected');
    const all = recordingSink();
    const hostA = recordingSink();
    const regex = recordingSink();
    client.subscribe(['cpu.usage'], all.sink);
    // two selectors of one panel that match one series: its points come once
    client.subscribe(['cpu.usage{host="a"}', 'cpu.*{host="a"}'], hostA.sink);
    const stopRegex = client.subscribe(['cpu.*{host=~"a|b",dc!="us"}'], regex.sink);

    consumer.emit('points', {
      cursor: 'c1',
      feeds: {
        'cpu.usage{host="a"}': { t: [1], v: [10] },
        'cpu.usage{dc="us",host="b"}': { t: [1], v: [20] },
        'cpu.usage': { t: [1], v: [30] },
        'mem.used{host="a"}': { t: [1], v: [40] },
      },
    });
    expect(all.received.map(([key]) => key)).toEqual([
      'cpu.usage{host="a"}',
      'cpu.usage{dc="us",host="b"}',
      'cpu.usage',
    ]);
    expect(hostA.received).toEqual([['cpu.usage{host="a"}', [1], [10]]]);
    expect(regex.received.map(([key]) => key)).toEqual(['cpu.usage{host="a"}']);

    consumer.emit('gap', { feeds: ['cpu.usage{dc="us",host="b"}', 'cpu.usage'], reason: 'slow' });
    expect(all.gaps).toHaveLength(1);
    expect(hostA.gaps).toHaveLength(0);

    // a panel that leaves stops getting points the routes gave it before
    stopRegex();
    consumer.emit('points', { cursor: 'c2', feeds: { 'cpu.usage{host="a"}': { t: [2], v: [11] } } });
    expect(regex.received).toHaveLength(1);
    expect(hostA.received).toHaveLength(2);
  });

  it('puts a feed on the stream once however many panels want it, and takes it off after the last', () => {
    const { consumer, client } = setup();
    client.listen();
    consumer.setState('connected');
    const a = recordingSink();
    const b = recordingSink();
    const stopA = client.subscribe(['x.one', 'x.two'], a.sink);
    const stopB = client.subscribe(['x.two', 'x.two', 'x.three'], b.sink);
    expect(consumer.calls.filter((c) => c.startsWith('subscribe'))).toEqual([
      'subscribe x.one,x.two',
      'subscribe x.three',
    ]);
    expect(client.subscriptions).toEqual(
      new Map([
        ['x.one', 1],
        ['x.two', 2],
        ['x.three', 1],
      ]),
    );

    consumer.emit('points', { cursor: 'c1', feeds: { 'x.two': { t: [1], v: [2] }, 'x.nobody': { t: [1], v: [9] } } });
    expect(a.received).toEqual([['x.two', [1], [2]]]);
    expect(b.received).toEqual([['x.two', [1], [2]]]);

    stopA();
    stopA();
    expect(consumer.calls.at(-1)).toBe('unsubscribe x.one');
    stopB();
    expect(consumer.calls.at(-1)).toBe('unsubscribe x.two,x.three');
    expect(client.subscriptions.size).toBe(0);
  });

  it('says a feed is live only after the server acknowledged it, then at once for later panels', async () => {
    const { consumer, client } = setup();
    client.listen();
    consumer.setState('connected');
    const first = recordingSink();
    client.subscribe(['x.one'], first.sink);
    await flush();
    expect(first.live).toEqual([]);
    consumer.ackAll();
    await flush();
    expect(first.live).toEqual(['x.one']);

    const second = recordingSink();
    client.subscribe(['x.one'], second.sink);
    await flush();
    expect(second.live).toEqual(['x.one']);
  });

  it('confirms feeds added before the stream connected at its hello', async () => {
    const { consumer, client } = setup();
    client.listen();
    const sink = recordingSink();
    client.subscribe(['x.one'], sink.sink);
    await flush();
    expect(sink.live).toEqual([]);
    consumer.setState('connected');
    consumer.emit('hello', { session: 's1', batchMs: 50 });
    expect(consumer.calls.filter((c) => c === 'subscribe x.one')).toHaveLength(2);
    consumer.ackAll();
    await flush();
    expect(sink.live).toEqual(['x.one']);
  });

  it('tells each sink about a gap of its feeds once', () => {
    const { consumer, client } = setup();
    client.listen();
    const a = recordingSink();
    const b = recordingSink();
    client.subscribe(['x.one', 'x.two'], a.sink);
    client.subscribe(['x.three'], b.sink);
    consumer.emit('gap', { feeds: ['x.one', 'x.two'], reason: 'retention' });
    expect(a.gaps).toEqual([['x.one', 'x.two']]);
    expect(b.gaps).toEqual([]);
  });

  it('joins a dashboard and shares one annotation list among its panels', async () => {
    const { consumer, client, fetchMock } = setup();
    client.listen();
    await expect(client.join('ops')).resolves.toEqual({
      dashboard: 'ops',
      viewers: [{ id: 'v1', name: 'Ada' }],
      count: 1,
    });
    const one = client.annotations('ops');
    const two = client.annotations('ops');
    expect(one.list).toBe(two.list);
    await flush();
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(String(fetchMock.mock.calls[0][0])).toMatch(
      /^http:\/\/pulse\.test\/api\/v1\/dashboards\/ops\/annotations\?from=/,
    );

    const note: Annotation = { id: 'n1', dashboard: 'ops', t: 5, text: 'deploy', feed: null, author: 'Ada' };
    for (const listener of consumer.socketListeners.get('annotation') ?? []) listener(note);
    for (const listener of consumer.socketListeners.get('annotation') ?? []) listener({ ...note, dashboard: 'other' });
    expect(one.list.items).toEqual([note]);
    one.release();
    two.release();
    expect(consumer.socketListeners.get('annotation')?.size).toBe(0);
  });

  it('tells of a refused token once: the stream refused or stopped by it, or a 401 of the API', async () => {
    const { consumer, client, fetchMock } = setup();
    const heard: string[] = [];
    const stopHearing = client.onUnauthorized((refusal) => heard.push(`${refusal.code}: ${refusal.message}`));
    client.listen();
    consumer.setState('connected');

    // expired mid-stream, then a reconnection that is let in: nothing to tell
    consumer.emit('error', new PulseboardError('token_expired', 'expired'));
    consumer.setState('connecting');
    consumer.setState('connected');
    expect(heard).toEqual([]);

    // a reconnection refused with a 401, after which the SDK stops
    consumer.emit('error', new PulseboardError('invalid_token', 'bad signature', { status: 401 }));
    consumer.setState('disconnected');
    expect(heard).toEqual(['invalid_token: bad signature']);

    // the SDK stops after a token error that came without an answer
    client.retry();
    consumer.emit('error', new PulseboardError('token_expired', 'expired'));
    consumer.setState('disconnected');
    expect(heard).toEqual(['invalid_token: bad signature', 'token_expired: expired']);

    // other refusals are the connection indicator's business
    consumer.emit('error', new PulseboardError('invalid_pattern', 'bad feed', { status: 400 }));
    expect(heard).toHaveLength(2);

    fetchMock.mockResolvedValueOnce(
      Response.json({ error: { code: 'unauthorized', message: 'a token is required', details: [] } }, { status: 401 }),
    );
    await expect(client.api.feeds()).rejects.toMatchObject({ code: 'unauthorized' });
    expect(heard.at(-1)).toBe('unauthorized: a token is required');

    stopHearing();
    consumer.emit('error', new PulseboardError('unauthorized', 'no', { status: 401 }));
    expect(heard).toHaveLength(3);
  });

  it('opens no control socket to leave a room after it closed', () => {
    const { consumer, client } = setup();
    const stop = client.listen();
    client.leave('ops');
    stop();
    client.leave('ops');
    expect(consumer.emitted).toEqual([['leave', { dashboard: 'ops' }, expect.any(Function)]]);
  });
});
