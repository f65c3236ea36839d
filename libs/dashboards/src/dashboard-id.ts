import { randomInt } from 'node:crypto';
import { ApiError } from '@pulseboard/api';
import { dashboardIdProblem } from '@pulseboard/protocol';

/** Length of the ids the server gives new dashboards. */
export const NEW_DASHBOARD_ID_LENGTH = 10;

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Answers `id` when it is a valid dashboard id; throws a 400 `invalid_dashboard` `ApiError` otherwise. */
export function checkDashboardId(id: unknown): string {
  const problem = dashboardIdProblem(id);
  if (problem !== undefined) throw new ApiError(400, 'invalid_dashboard', problem);
  return id as string;
}

/**
 * A random id for a new dashboard: 10 lowercase base-36 characters, about 51
 * bits, so ids cannot be guessed from one another and short enough to read
 * out. `randomInt` draws each character without modulo bias.
 */
export function newDashboardId(): string {
  let id = '';
  for (let i = 0; i < NEW_DASHBOARD_ID_LENGTH; i++) id += BASE36[randomInt(BASE36.length)];
  return id;
}
