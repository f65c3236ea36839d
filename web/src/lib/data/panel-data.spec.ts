import type { FeedChunk } from '@pulseboard/protocol';
import { describe, expect, it } from 'vitest';
import type { SeriesInfo } from './api';
import { listedSeries } from './testing/listed-series';
import type { FeedSink } from './live-client.svelte';
import { MAX_PANEL_SERIES, PanelData, type PanelDataSource } from './panel-data';

function source() {
  const log: string[] = [];
  let sink: FeedSink | undefined;
  const answers = new Map<string, (chunk: FeedChunk) => void>();
  const lists = new Map<string, (series: SeriesInfo[]) => void>();
  const data: PanelDataSource = {
    subscribe: (feeds, s) => {
      log.push(`subscribe ${feeds.join(',')}`);
      sink = s;
      return () => log.push('unsubscribe');
    },
    api: {
      feeds: (match) => {
        log.push(`list ${match}`);
        return new Promise((resolve) => lists.set(match, resolve));
      },
      points: (series, query) => {
        log.push(`history ${series} from=${query.from} maxPoints=${query.maxPoints}`);
        return new Promise((resolve) => answers.set(series, resolve));
      },
    },
  };
  return {
    data,
    log,
    sink: () => sink!,
    answer: (series: string, chunk: FeedChunk) => answers.get(series)!(chunk),
    list: (match: string, keys: string[]) => lists.get(match)!(keys.map((key) => listedSeries(key))),
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function times(data: PanelData, key: string): number[] {
  const buffer = data.series.find((series) => series.key === key)!.buffer;
  return Array.from({ length: buffer.length }, (_, i) => buffer.timeAt(i));
}

function panel(server: ReturnType<typeof source>, feeds: string[], accept?: (key: string) => boolean) {
  const changes: string[] = [];
  const data = new PanelData(server.data, {
    feeds,
    windowMs: 60_000,
    width: () => 640,
    onChange: (reason) => changes.push(reason),
    accept,
    now: () => 100_000,
  });
  return { data, changes, stop: data.listen() };
}

describe('PanelData', () => {
  it('lists the series of a selector once it is live, then asks for each one’s history and merges it', async () => {
    const server = source();
    const { data, stop } = panel(server, ['cpu.usage']);
    expect(server.log).toEqual(['subscribe cpu.usage']);
    server.sink().live!('cpu.usage');
    expect(server.log[1]).toBe('list cpu.usage');
    server.list('cpu.usage', ['cpu.usage{host="b"}', 'cpu.usage{host="a"}']);
    await flush();
    expect(server.log.slice(2)).toEqual([
      'history cpu.usage{host="b"} from=34000 maxPoints=640',
      'history cpu.usage{host="a"} from=34000 maxPoints=640',
    ]);
    // sorted by key, whatever order they came in
    expect(data.series.map((series) => series.key)).toEqual(['cpu.usage{host="a"}', 'cpu.usage{host="b"}']);
    // a live point that comes before its history waits for it
    server.sink().points('cpu.usage{host="a"}', [100_001], [3]);
    server.answer('cpu.usage{host="a"}', { t: [98_000, 99_000], v: [1, 2] });
    server.answer('cpu.usage{host="b"}', { t: [99_500], v: [7] });
    await flush();
    expect(times(data, 'cpu.usage{host="a"}')).toEqual([98_000, 99_000, 100_001]);
    expect(times(data, 'cpu.usage{host="b"}')).toEqual([99_500]);
    stop();
    expect(server.log.at(-1)).toBe('unsubscribe');
  });

  it('takes a series first seen on the stream, asking for its history at once', async () => {
    const server = source();
    const { data, changes } = panel(server, ['cpu.*']);
    server.sink().points('cpu.idle{host="c"}', [99_000], [1]);
    expect(server.log.at(-1)).toBe('history cpu.idle{host="c"} from=34000 maxPoints=640');
    expect(changes).toEqual(['series', 'live']);
    server.sink().points('cpu.idle{host="c"}', [100_001], [3]);
    server.answer('cpu.idle{host="c"}', { t: [98_000, 99_000, 100_000], v: [0, 1, 2] });
    await flush();
    expect(times(data, 'cpu.idle{host="c"}')).toEqual([98_000, 99_000, 100_000, 100_001]);
    // listed later: known already, so not asked for again
    server.sink().live!('cpu.*');
    server.list('cpu.*', ['cpu.idle{host="c"}']);
    await flush();
    expect(server.log.filter((line) => line.startsWith('history'))).toHaveLength(1);
  });

  it('leaves out the series it does not accept, and those past its bound', async () => {
    const server = source();
    const { data } = panel(server, ['cpu.usage{host="a"}'], (key) => key === 'cpu.usage{host="a"}');
    server.sink().points('cpu.usage{host="a",dc="x"}', [1], [1]);
    server.sink().live!('cpu.usage{host="a"}');
    server.list('cpu.usage{host="a"}', ['cpu.usage{host="a"}', 'cpu.usage{dc="x",host="a"}']);
    await flush();
    expect(data.series.map((series) => series.key)).toEqual(['cpu.usage{host="a"}']);

    const many = source();
    const bounded = panel(many, ['>']);
    for (let i = 0; i <= MAX_PANEL_SERIES; i++) many.sink().points(`m{i="${String(i).padStart(3, '0')}"}`, [1], [i]);
    expect(bounded.data.series).toHaveLength(MAX_PANEL_SERIES);
    expect(bounded.data.capped).toBe(true);
  });

  it('marks gaps only on its own series and asks for every history again on a new window', async () => {
    const server = source();
    const { data, changes } = panel(server, ['a.b']);
    server.sink().points('a.b', [99_000], [1]);
    server.answer('a.b', { t: [], v: [] });
    await flush();
    changes.length = 0;
    server.sink().gap!({ feeds: ['other'], reason: 'slow' });
    expect(changes).toEqual([]);
    server.sink().gap!({ feeds: ['a.b'], reason: 'slow' });
    expect(changes).toEqual(['gap']);
    data.setWindow(300_000);
    expect(server.log.at(-1)).toBe('history a.b from=-230000 maxPoints=640');
  });
});
