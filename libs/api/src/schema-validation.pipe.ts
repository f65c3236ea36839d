import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ERROR_CODES, type ErrorCode, type ErrorDetail } from '@pulseboard/protocol';
import { z } from 'zod';
import { ApiError } from './api-error.js';
import { productIssueMessage } from './issue-messages.js';

/**
 * Validates parameters that carry a zod schema (`@Query({ schema })`) and
 * answers the contract's 400. A refinement can choose its error code by
 * setting `params: { code }` on its issue (e.g. `invalid_pattern`); the
 * others get `invalid_query` / `invalid_body`.
 */
@Injectable()
export class SchemaValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const schema: unknown = metadata.schema;
    if (!(schema instanceof z.ZodType)) return value;
    return parseWithSchema(schema, value, metadata.type === 'body' ? 'invalid_body' : 'invalid_query');
  }
}

/** Most `details` one validation error lists; the message gives the total. */
export const MAX_VALIDATION_DETAILS = 100;

/**
 * Parses `value` with `schema` or throws a 400 `ApiError` whose code comes
 * from the first issue. Each detail names its field by path (`panels.2.w`);
 * an unknown key is named itself.
 */
export function parseWithSchema<T>(schema: z.ZodType<T>, value: unknown, fallback: ErrorCode): T {
  const result = schema.safeParse(value, { error: productIssueMessage });
  if (result.success) return result.data;
  const issues = result.error.issues;
  const code = issueCode(issues[0]) ?? fallback;
  // a body of many small bad items yields an issue per item: answer a bounded list, not an echo of the body
  const all = issues.flatMap(issueDetails);
  const details = all.slice(0, MAX_VALIDATION_DETAILS);
  const listed = details.map((d) => (d.field === '' ? d.reason : `${d.field}: ${d.reason}`)).join('; ');
  const message =
    all.length > details.length ? `${all.length} problems, the first ${details.length}: ${listed}` : listed;
  throw new ApiError(400, code, message, details);
}

function issueDetails(issue: z.core.$ZodIssue): ErrorDetail[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), reason: 'unknown key' }));
  }
  return [{ field: issue.path.join('.'), reason: issue.message }];
}

function issueCode(issue: z.core.$ZodIssue | undefined): ErrorCode | undefined {
  if (issue === undefined || issue.code !== 'custom') return undefined;
  const code: unknown = issue.params?.code;
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code)
    ? (code as ErrorCode)
    : undefined;
}
