import { DASHBOARD_COLUMNS, DASHBOARD_LIMITS, type Panel } from '@pulseboard/protocol';

/** Where a panel sits on the grid: `x`, `w` in columns, `y`, `h` in rows. */
export interface Placement {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Smallest panel: narrower or lower and a chart has no room for its axes. */
export const MIN_PANEL_WIDTH = 2;
export const MIN_PANEL_HEIGHT = 2;

/** `p` moved inside the grid: whole cells, at least the minimum size, `x + w ≤ 12`, `y ≥ 0`. */
export function clampPlacement(p: Placement): Placement {
  const w = clamp(Math.round(p.w), MIN_PANEL_WIDTH, DASHBOARD_COLUMNS);
  const h = clamp(Math.round(p.h), MIN_PANEL_HEIGHT, DASHBOARD_LIMITS.panelMaxHeight);
  return {
    x: clamp(Math.round(p.x), 0, DASHBOARD_COLUMNS - w),
    y: clamp(Math.round(p.y), 0, DASHBOARD_LIMITS.panelMaxY),
    w,
    h,
  };
}

export function overlaps(a: Placement, b: Placement): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/**
 * Puts panel `id` at `placement` (clamped to the grid) and pushes every panel
 * it now covers down, as far as needed, cascading; panels it does not touch
 * stay where they are. Answers new panel objects only where something moved.
 */
export function placePanel(panels: readonly Panel[], id: string, placement: Placement): Panel[] {
  const target = panels.find((panel) => panel.id === id);
  if (target === undefined) return [...panels];
  const moved: Panel = { ...target, ...clampPlacement(placement) };
  const placed: Placement[] = [moved];
  const result = new Map<string, Panel>([[id, moved]]);
  const others = panels.filter((panel) => panel.id !== id).sort((a, b) => a.y - b.y || a.x - b.x);
  for (const panel of others) {
    let y = panel.y;
    for (;;) {
      const box = { ...panel, y };
      const hit = placed.find((other) => overlaps(other, box));
      if (hit === undefined) break;
      y = hit.y + hit.h;
    }
    const next = y === panel.y ? panel : { ...panel, y };
    placed.push(next);
    result.set(panel.id, next);
  }
  return panels.map((panel) => result.get(panel.id) ?? panel);
}

/** Moves panel `id` by whole cells. */
export function movePanel(panels: readonly Panel[], id: string, dx: number, dy: number): Panel[] {
  const panel = panels.find((p) => p.id === id);
  if (panel === undefined) return [...panels];
  return placePanel(panels, id, { x: panel.x + dx, y: panel.y + dy, w: panel.w, h: panel.h });
}

/** Resizes panel `id` by whole cells, keeping its top-left corner; it never grows past the right edge. */
export function resizePanel(panels: readonly Panel[], id: string, dw: number, dh: number): Panel[] {
  const panel = panels.find((p) => p.id === id);
  if (panel === undefined) return [...panels];
  const w = clamp(panel.w + dw, MIN_PANEL_WIDTH, DASHBOARD_COLUMNS - panel.x);
  return placePanel(panels, id, { x: panel.x, y: panel.y, w, h: panel.h + dh });
}

/** The first row below every panel: where a new panel goes. */
export function bottomRow(panels: readonly Placement[]): number {
  return panels.reduce((bottom, panel) => Math.max(bottom, panel.y + panel.h), 0);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
