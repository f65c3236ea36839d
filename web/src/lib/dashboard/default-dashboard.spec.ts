import { DASHBOARD_COLUMNS } from '@pulseboard/protocol';
import { describe, expect, it } from 'vitest';
import { defaultDashboard, guessUnit } from './default-dashboard';
import { overlaps } from './grid-layout';

describe('defaultDashboard', () => {
  it('builds an Overview of the first eight feeds by name: two stats, then charts two per row', () => {
    const feeds = ['z.last', 'a.one', 'c.three', 'b.two', 'd.four', 'e.five', 'f.six', 'g.seven', 'h.eight', 'i.nine'];
    const dashboard = defaultDashboard(feeds);
    expect(dashboard.title).toBe('Overview');
    expect(dashboard.window).toBe('5m');
    expect(dashboard.panels.map((p) => [p.kind, p.feeds[0]])).toEqual([
      ['stat', 'a.one'],
      ['stat', 'b.two'],
      ['timeseries', 'c.three'],
      ['timeseries', 'd.four'],
      ['timeseries', 'e.five'],
      ['timeseries', 'f.six'],
      ['timeseries', 'g.seven'],
      ['timeseries', 'h.eight'],
    ]);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(8);
    for (const a of dashboard.panels) {
      expect(a.x + a.w).toBeLessThanOrEqual(DASHBOARD_COLUMNS);
      for (const b of dashboard.panels) if (a !== b) expect(overlaps(a, b)).toBe(false);
    }
  });

  it('gives a lone last chart the whole row, and a lone stat the whole width', () => {
    const dashboard = defaultDashboard(['a', 'b', 'c']);
    expect(dashboard.panels.map((p) => [p.kind, p.x, p.y, p.w])).toEqual([
      ['stat', 0, 0, 6],
      ['stat', 6, 0, 6],
      ['timeseries', 0, 2, 12],
    ]);
    expect(defaultDashboard(['only']).panels).toMatchObject([{ kind: 'stat', w: 12 }]);
  });

  it('has no panels without feeds', () => {
    expect(defaultDashboard([]).panels).toEqual([]);
  });

  it('reads a unit off a feed name', () => {
    expect(guessUnit('demo.latency_ms')).toBe('ms');
    expect(guessUnit('demo.requests_per_s')).toBe('/s');
    expect(guessUnit('demo.cpu.user')).toBe('%');
    expect(guessUnit('demo.sine')).toBe('');
  });
});
