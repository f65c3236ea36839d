import { historyValue, maxRateValue, selectorValue } from '@pulseboard/api';
import {
  annotationTextProblem,
  dashboardIdProblem,
  seriesKeyProblem,
  timestampProblem,
  type ControlEventName,
  type ErrorCode,
} from '@pulseboard/protocol';
import { z } from 'zod';

/** The events a client may send; anything else is answered `unknown_event`. */
export const CONTROL_EVENTS: ReadonlySet<string> = new Set<ControlEventName>([
  'subscribe',
  'unsubscribe',
  'join',
  'leave',
  'annotate',
]);

/** Longest session id accepted (they are far shorter). */
const SESSION_MAX_LENGTH = 128;
/** Longest cursor accepted: one position for each of up to 256 partitions of a split log. */
const CURSOR_MAX_LENGTH = 3200;

export interface ControlLimits {
  maxSubscriptions: number;
  maxHistoryMs: number;
}

/** A non-empty list of selectors (in canonical form once parsed), no longer than one connection may hold. */
function feedList(max: number) {
  return z
    .array(z.unknown(), 'feeds must be an array of selectors')
    .min(1, 'feeds must list at least one selector')
    .superRefine((feeds, ctx) => {
      if (feeds.length > max) {
        ctx.addIssue({
          code: 'custom',
          message: `at most ${max} feeds or selectors per connection`,
          params: { code: 'too_many_subscriptions' },
        });
      }
    })
    .pipe(z.array(selectorValue));
}

/** A value that `problem` finds nothing wrong with; otherwise an issue with the given error code. */
function checked<T = string>(problem: (value: unknown) => string | undefined, code: ErrorCode) {
  return z.unknown().transform((value, ctx) => {
    const found = problem(value);
    if (found !== undefined) {
      ctx.addIssue({ code: 'custom', message: found, params: { code } });
      return z.NEVER;
    }
    return value as T;
  });
}

const dashboardId = checked(dashboardIdProblem, 'invalid_dashboard');
const feedName = checked(seriesKeyProblem, 'invalid_feed_name');
// the same checks as annotations written any other way, answered as a bad message
const annotationText = checked(annotationTextProblem, 'invalid_message');
const timestamp = checked<number>(timestampProblem, 'invalid_message');

const session = z.string().min(1).max(SESSION_MAX_LENGTH);
const cursor = z.string().min(1).max(CURSOR_MAX_LENGTH);

/** One schema per control message; unknown keys are refused so that a typo is not silently ignored. */
export function controlSchemas(limits: ControlLimits) {
  return {
    subscribe: z
      .strictObject({
        feeds: feedList(limits.maxSubscriptions),
        history: historyValue(limits.maxHistoryMs).optional(),
        maxRate: maxRateValue.optional(),
        session: session.optional(),
        cursor: cursor.optional(),
      })
      .refine((m) => m.session === undefined || m.cursor === undefined, {
        message: 'cursor resumes this socket’s own data; an SSE stream resumes with Last-Event-ID',
        path: ['cursor'],
      }),
    unsubscribe: z.strictObject({
      feeds: feedList(limits.maxSubscriptions),
      session: session.optional(),
    }),
    dashboard: z.strictObject({ dashboard: dashboardId }),
    annotate: z.strictObject({
      dashboard: dashboardId,
      t: timestamp,
      text: annotationText,
      feed: feedName.optional(),
    }),
  };
}

export type ControlSchemas = ReturnType<typeof controlSchemas>;
