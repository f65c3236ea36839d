import { jsonSyntaxProblem } from '@pulseboard/api';
import { jsonLimitsProblem } from './json-limits.js';
import type { ParseOptions, ParseResult } from './parse-result.js';
import { PointCollector, tooManyPoints } from './point-collector.js';

/** `application/json`: `{"points":[{"feed","labels","t","v"}, ...]}` (`labels`, `t` optional), validated whole. */
export function parseJsonPoints(body: string, options: ParseOptions): ParseResult {
  let decoded: unknown;
  try {
    decoded = JSON.parse(body);
  } catch {
    return { ok: false, code: 'invalid_json', message: jsonSyntaxProblem(body), details: [] };
  }
  const limits = jsonLimitsProblem(body, decoded, options, 'document');
  if (limits !== undefined) return limits;
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) {
    return invalidBody('the body must be an object {"points":[...]}');
  }
  const points = (decoded as { points?: unknown }).points;
  if (!Array.isArray(points)) return invalidBody('"points" must be an array of points');
  if (points.length > options.maxPoints) return tooManyPoints(options.maxPoints);
  const collector = new PointCollector(options, points.length);
  for (let i = 0; i < points.length; i++) collector.add(points[i], i);
  return collector.result();
}

function invalidBody(message: string): ParseResult {
  return { ok: false, code: 'invalid_body', message, details: [] };
}
