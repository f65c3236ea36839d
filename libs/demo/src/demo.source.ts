import { Inject, Injectable } from '@nestjs/common';
import type { Point } from '@pulseboard/protocol';
import { FeedSourceProvider, type FeedSource } from '@pulseboard/streaming';
import { interval, map, type Observable } from 'rxjs';
import { DEMO_OPTIONS, type DemoModuleOptions } from './demo.options.js';
import { noisySine, randomWalk, spikyLatency, type Signal } from './demo-signals.js';

/** Demo feeds under `demo.>`, so a fresh server has something to show. */
@Injectable()
@FeedSourceProvider()
export class DemoFeedSource implements FeedSource {
  readonly name = 'demo';
  private readonly signals: [string, Signal][] = [
    ['demo.random_walk', randomWalk(50, 1.5, 0, 100)],
    ['demo.sine', noisySine(60_000, 10, 20, 0.8)],
    ['demo.latency_ms', spikyLatency(22, 0.004)],
    ['demo.cpu.user', randomWalk(35, 2, 0, 100)],
    ['demo.cpu.system', randomWalk(8, 0.6, 0, 100)],
    ['demo.requests_per_s', noisySine(300_000, 150, 400, 25)],
  ];

  constructor(@Inject(DEMO_OPTIONS) private readonly options: DemoModuleOptions) {}

  /** The feed names this source writes. */
  get feeds(): string[] {
    return this.signals.map(([feed]) => feed);
  }

  points(): Observable<readonly Point[]> {
    return interval(Math.max(1, Math.round(1000 / this.options.rate))).pipe(
      map(() => {
        const t = Date.now();
        return this.signals.map(([feed, signal]) => ({ feed, t, v: Math.round(signal(t) * 1000) / 1000 }));
      }),
    );
  }
}
