import {
  DASHBOARD_COLUMNS,
  DASHBOARD_LIMITS as LIMITS,
  PANEL_AGGREGATES,
  TIME_WINDOWS,
  labelKeyProblem,
  selectorProblem,
  type DashboardDocument,
} from '@pulseboard/protocol';
import { z } from 'zod';

/** Largest accepted dashboard body, in bytes. */
export const DASHBOARD_BODY_MAX_BYTES = 256 * 1024;

// a plain feed name is a selector too, so dashboards saved before labels keep passing
const selector = z.string().superRefine((text, ctx) => {
  const problem = selectorProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, params: { code: 'invalid_pattern' } });
});

const labelKey = z.string().superRefine((key, ctx) => {
  const problem = labelKeyProblem(key);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const panel = z
  .strictObject({
    id: z
      .string()
      .min(1)
      .max(LIMITS.panelIdMaxLength)
      .regex(/^[A-Za-z0-9_-]*$/, 'may only contain A-Z a-z 0-9 _ -'),
    kind: z.enum(['timeseries', 'stat']),
    title: z.string().max(LIMITS.panelTitleMaxLength),
    unit: z.string().max(LIMITS.panelUnitMaxLength),
    feeds: z.array(selector).max(LIMITS.panelMaxFeeds),
    groupBy: labelKey.optional(),
    aggregate: z.enum(PANEL_AGGREGATES).optional(),
    x: z
      .int()
      .min(0)
      .max(DASHBOARD_COLUMNS - 1),
    y: z.int().min(0).max(LIMITS.panelMaxY),
    w: z.int().min(1).max(DASHBOARD_COLUMNS),
    h: z.int().min(1).max(LIMITS.panelMaxHeight),
  })
  .superRefine((p, ctx) => {
    // reported only when x and w are each in range, so one mistake is one issue
    const inRange = p.x >= 0 && p.x < DASHBOARD_COLUMNS && p.w >= 1 && p.w <= DASHBOARD_COLUMNS;
    if (inRange && p.x + p.w > DASHBOARD_COLUMNS) {
      ctx.addIssue({ code: 'custom', path: ['w'], message: `x + w must be at most ${DASHBOARD_COLUMNS}` });
    }
  });

/**
 * A dashboard as a client sends it to `POST`/`PUT /api/v1/dashboards`. Unknown
 * keys are refused at every level, so a misspelt field is an error rather than
 * silently dropped. A bad selector in a panel's `feeds` answers
 * `invalid_pattern`; anything else `invalid_body`.
 */
export const dashboardDocumentSchema: z.ZodType<DashboardDocument> = z
  .strictObject({
    title: z.string().min(1).max(LIMITS.titleMaxLength),
    window: z.enum(TIME_WINDOWS),
    panels: z.array(panel).max(LIMITS.maxPanels),
  })
  .superRefine((document, ctx) => {
    const seen = new Set<string>();
    document.panels.forEach((p, i) => {
      if (seen.has(p.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['panels', i, 'id'],
          message: `duplicate panel id ${JSON.stringify(p.id)}`,
        });
      }
      seen.add(p.id);
    });
  });
