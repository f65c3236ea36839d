import { DASHBOARD_COLUMNS, type Panel } from '@pulseboard/protocol';
import { describe, expect, it } from 'vitest';
import { bottomRow, clampPlacement, movePanel, overlaps, placePanel, resizePanel } from './grid-layout';

const panel = (id: string, x: number, y: number, w: number, h: number): Panel => ({
  id,
  kind: 'timeseries',
  title: id,
  unit: '',
  feeds: ['a.b'],
  x,
  y,
  w,
  h,
});

const noOverlap = (panels: Panel[]) => {
  for (const a of panels) for (const b of panels) if (a !== b) expect(overlaps(a, b)).toBe(false);
};

describe('grid layout', () => {
  it('clamps a placement into the 12 columns (x + w ≤ 12) and to the minimum size', () => {
    expect(clampPlacement({ x: 10, y: -3, w: 6, h: 1 })).toEqual({ x: 6, y: 0, w: 6, h: 2 });
    expect(clampPlacement({ x: -2, y: 1.4, w: 40, h: 4 })).toEqual({ x: 0, y: 1, w: DASHBOARD_COLUMNS, h: 4 });
  });

  it('moves by whole cells and stops at the edges', () => {
    const panels = [panel('a', 0, 0, 6, 4)];
    expect(movePanel(panels, 'a', 1, 0)[0]).toMatchObject({ x: 1, y: 0 });
    expect(movePanel(panels, 'a', 20, 0)[0]).toMatchObject({ x: 6 });
    expect(movePanel(panels, 'a', -1, -1)[0]).toMatchObject({ x: 0, y: 0 });
  });

  it('resizes from the top-left corner without passing the right edge', () => {
    const panels = [panel('a', 8, 0, 3, 4)];
    expect(resizePanel(panels, 'a', 1, 0)[0]).toMatchObject({ x: 8, w: 4 });
    expect(resizePanel(panels, 'a', 5, 0)[0]).toMatchObject({ x: 8, w: 4 });
    expect(resizePanel(panels, 'a', -5, -5)[0]).toMatchObject({ w: 2, h: 2 });
    const right = resizePanel(panels, 'a', 5, 2)[0];
    expect(right.x + right.w).toBeLessThanOrEqual(DASHBOARD_COLUMNS);
  });

  it('pushes the panels a move covers down, cascading, and leaves the others alone', () => {
    const panels = [panel('a', 0, 0, 6, 4), panel('b', 6, 0, 6, 4), panel('c', 6, 4, 6, 4), panel('d', 0, 4, 6, 4)];
    const next = placePanel(panels, 'a', { x: 6, y: 0, w: 6, h: 4 });
    expect(next.map((p) => [p.id, p.x, p.y])).toEqual([
      ['a', 6, 0],
      ['b', 6, 4],
      ['c', 6, 8],
      ['d', 0, 4],
    ]);
    noOverlap(next);
    // untouched panels keep their identity, so their charts are not rebuilt
    expect(next[3]).toBe(panels[3]);
  });

  it('keeps the grid free of overlaps whatever the sequence of moves', () => {
    let panels = [panel('a', 0, 0, 4, 2), panel('b', 4, 0, 4, 3), panel('c', 8, 0, 4, 2), panel('d', 0, 3, 12, 2)];
    const moves: [string, number, number][] = [
      ['a', 5, 1],
      ['d', 0, -3],
      ['c', -8, 2],
      ['b', 3, 3],
    ];
    for (const [id, dx, dy] of moves) {
      panels = movePanel(panels, id, dx, dy);
      noOverlap(panels);
      for (const p of panels) expect(p.x + p.w).toBeLessThanOrEqual(DASHBOARD_COLUMNS);
    }
  });

  it('finds the first free row below everything', () => {
    expect(bottomRow([])).toBe(0);
    expect(bottomRow([panel('a', 0, 0, 6, 4), panel('b', 6, 2, 6, 5)])).toBe(7);
  });
});
