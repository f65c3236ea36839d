import type { FeedChunk } from '@pulseboard/protocol';
import { describe, expect, it } from 'vitest';
import type { FeedSink } from './live-client.svelte';
import { PanelData, type PanelDataSource } from './panel-data';

function source() {
  const log: string[] = [];
  let sink: FeedSink | undefined;
  const answers = new Map<string, (chunk: FeedChunk) => void>();
  const data: PanelDataSource = {
    subscribe: (feeds, s) => {
      log.push(`subscribe ${feeds.join(',')}`);
      sink = s;
      return () => log.push('unsubscribe');
    },
    api: {
      points: (feed, query) => {
        log.push(`history ${feed} from=${query.from} maxPoints=${query.maxPoints}`);
        return new Promise((resolve) => answers.set(feed, resolve));
      },
    },
  };
  return { data, log, sink: () => sink!, answer: (feed: string, chunk: FeedChunk) => answers.get(feed)!(chunk) };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('PanelData', () => {
  it('asks for history only once the feed is live, at the chart’s width, and merges the two', async () => {
    const server = source();
    let changes = 0;
    const data = new PanelData(server.data, {
      feeds: ['a.b'],
      windowMs: 60_000,
      width: () => 640,
      onChange: () => changes++,
      now: () => 100_000,
    });
    const stop = data.listen();
    expect(server.log).toEqual(['subscribe a.b']);
    // points that arrive before the history wait for it
    server.sink().points('a.b', [99_000], [1]);
    server.sink().live!('a.b');
    expect(server.log[1]).toBe('history a.b from=34000 maxPoints=640');
    server.sink().points('a.b', [100_001], [3]);
    server.answer('a.b', { t: [98_000, 99_000, 100_000], v: [0, 1, 2] });
    await flush();
    const buffer = data.series[0].buffer;
    expect(Array.from({ length: buffer.length }, (_, i) => buffer.timeAt(i))).toEqual([
      98_000, 99_000, 100_000, 100_001,
    ]);
    expect(changes).toBeGreaterThan(0);
    stop();
    expect(server.log.at(-1)).toBe('unsubscribe');
  });
});
