import { jsonSyntaxProblem } from '@pulseboard/api';
import { jsonLimitsProblem } from './json-limits.js';
import type { ParseOptions, ParseResult } from './parse-result.js';
import { PointCollector, tooManyPoints } from './point-collector.js';

/**
 * `application/x-ndjson`: one point object per line. Blank lines are skipped;
 * `index` in errors counts points (0-based), `line` counts lines (1-based).
 */
export function parseNdjsonPoints(body: string, options: ParseOptions): ParseResult {
  const collector = new PointCollector(options, Math.min(options.maxPoints, 1024));
  let index = 0;
  let line = 0;
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf('\n', start);
    if (end === -1) end = body.length;
    line++;
    const text = body.slice(start, end).trim();
    start = end + 1;
    if (text === '') continue;
    if (index === options.maxPoints) return tooManyPoints(options.maxPoints);
    let decoded: unknown;
    try {
      decoded = JSON.parse(text);
    } catch {
      collector.reject(jsonSyntaxProblem(text, 'the line'), index++, line);
      continue;
    }
    const limits = jsonLimitsProblem(text, decoded, options, 'point');
    if (limits !== undefined) return { ...limits, message: `line ${line}: ${limits.message}` };
    collector.add(decoded, index++, line);
  }
  return collector.result();
}
