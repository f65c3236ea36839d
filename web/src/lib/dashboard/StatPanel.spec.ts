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

  it('shows the last value with its unit, and the change since the start of the window', async () => {
    const now = Date.now();
    const consumer = new FakeConsumer();
    const history = vi.fn((_url: string) =>
      Promise.resolve(Response.json({ t: [now - 50_000, now - 20_000], v: [10, 12] })),
    );
    const client = new LiveClient({
      url: 'http://pulse.test',
      consumer,
      api: new PulseboardApi('http://pulse.test', history),
    });
    const stop = client.listen();
    consumer.setState('connected');

    render(StatPanel, { props: { panel, window: '1m' }, context: new Map([[LIVE_CLIENT_KEY, client]]) });
    expect(screen.getByTestId('legend-last').textContent).toBe('–');
    consumer.ackAll();
    await vi.waitFor(() => expect(history).toHaveBeenCalledOnce());
    expect(history.mock.calls[0][0]).toMatch(/\/api\/v1\/feeds\/api\.latency\/points\?from=\d+&maxPoints=\d+/);

    consumer.emit('points', { cursor: 'c1', feeds: { 'api.latency': { t: [now - 1_000], v: [15] } } });
    await vi.waitFor(() => expect(screen.getByTestId('legend-last').textContent).toBe('15'));
    expect(screen.getByTestId('legend-last').dataset.feed).toBe('api.latency');
    expect(screen.getByTestId('stat-trend').textContent).toMatch(/Up\s*\+5 ms \(\+50%\)\s*since 1m ago/);
    expect(screen.getByTestId('panel-lag').textContent).toMatch(/lag \d+(\.\d)? s|lag \d+ ms/);
    stop();
  });
});
