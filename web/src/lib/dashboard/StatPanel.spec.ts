import type { Panel } from '@pulseboard/protocol';
import { cleanup, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PulseboardApi } from '../data/api';
import { LIVE_CLIENT_KEY, LiveClient } from '../data/live-client.svelte';
import { FakeConsumer } from '../data/testing/fake-consumer';
import StatPanel from './StatPanel.svelte';

const panel: Panel = {
  id: 's1',
  kind: 'stat',
  title: 'Latency',
  unit: 'ms',
  feeds: ['api.latency'],
  x: 0,
  y: 0,
  w: 3,
  h: 2,
};

describe('StatPanel', () => {
  beforeEach(() => {
    // jsdom has neither layout observers nor a 2D canvas; the panel's numbers do not need them
    vi.stubGlobal(
      'ResizeObserver',
      class {
        observe() {}
        disconnect() {}
      },
    );
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
  });
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  /** The server's feed list and points endpoint, answering from `series` (key → points). */
  function fakeServer(series: Record<string, { t: number[]; v: number[] }>) {
    return vi.fn((input: string) => {
      const url = new URL(input);
      if (url.pathname === '/api/v1/feeds') {
        const listed = Object.keys(series).map((key) => ({
          series: key,
          name: key.split('{')[0],
          rate: 1,
          last: null,
          retained: 1,
        }));
        return Promise.resolve(Response.json(listed));
      }
      const key = decodeURIComponent(url.pathname.split('/')[4]);
      return Promise.resolve(Response.json(series[key] ?? { t: [], v: [] }));
    });
  }

  function start(fetch: ReturnType<typeof fakeServer>) {
    const consumer = new FakeConsumer();
    const client = new LiveClient({
      url: 'http://pulse.test',
      consumer,
      api: new PulseboardApi('http://pulse.test', fetch),
    });
    const stop = client.listen();
    consumer.setState('connected');
    return { consumer, client, stop };
  }

  const pointRequests = (fetch: ReturnType<typeof fakeServer>) =>
    fetch.mock.calls.map(([url]) => url).filter((url) => url.includes('/points'));

  it('shows the last value with its unit, and the change since the start of the window', async () => {
    const now = Date.now();
    const history = fakeServer({ 'api.latency': { t: [now - 50_000, now - 20_000], v: [10, 12] } });
    const { consumer, client, stop } = start(history);

    render(StatPanel, { props: { panel, window: '1m' }, context: new Map([[LIVE_CLIENT_KEY, client]]) });
    expect(screen.getByTestId('legend-last').textContent).toBe('–');
    consumer.ackAll();
    await vi.waitFor(() => expect(pointRequests(history)).toHaveLength(1));
    expect(pointRequests(history)[0]).toMatch(/\/api\/v1\/feeds\/api\.latency\/points\?from=\d+&maxPoints=\d+/);

    consumer.emit('points', { cursor: 'c1', feeds: { 'api.latency': { t: [now - 1_000], v: [15] } } });
    await vi.waitFor(() => expect(screen.getByTestId('legend-last').textContent).toBe('15'));
    expect(screen.getByTestId('legend-last').dataset.feed).toBe('api.latency');
    expect(screen.getByTestId('stat-trend').textContent).toMatch(/Up\s*\+5 ms \(\+50%\)\s*since 1m ago/);
    expect(screen.getByTestId('panel-lag').textContent).toMatch(/lag \d+(\.\d)? s|lag \d+ ms/);
    expect(screen.queryByTestId('stat-combined')).toBeNull();
    stop();
  });

  it('combines the series a selector matches with the panel’s aggregate', async () => {
    const now = Date.now();
    const history = fakeServer({
      'api.latency{host="a"}': { t: [now - 3_000], v: [10] },
      'api.latency{host="b"}': { t: [now - 2_000], v: [30] },
    });
    const { consumer, client, stop } = start(history);
    const summed: Panel = { ...panel, aggregate: 'sum' };

    render(StatPanel, { props: { panel: summed, window: '1m' }, context: new Map([[LIVE_CLIENT_KEY, client]]) });
    consumer.ackAll();
    await vi.waitFor(() => expect(screen.getByTestId('legend-last').textContent).toBe('40'));
    expect(screen.getByTestId('stat-combined').textContent).toBe('sum of 2 series');
    consumer.emit('points', { cursor: 'c1', feeds: { 'api.latency{host="b"}': { t: [now - 500], v: [50] } } });
    await vi.waitFor(() => expect(screen.getByTestId('legend-last').textContent).toBe('60'));
    stop();
  });
});
