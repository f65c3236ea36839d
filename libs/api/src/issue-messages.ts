import type { z } from 'zod';

/** What a value must be, by the type zod expected. */
const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/**
 * Validation messages in the product's words, for a field named by its path
 * (`panels.2.w: must be an integer`). Zod's own ("Invalid input: expected
 * int, received number") describe its internals and change with its
 * versions. Messages a schema sets itself take precedence over these.
 */
export function productIssueMessage(issue: z.core.$ZodRawIssue): string {
  const missing = issue.input === undefined;
  switch (issue.code) {
    case 'invalid_type':
      return missing ? 'is required' : `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_big':
      return sizeBound(issue.origin, 'at most', 'less than', issue.maximum, issue.inclusive);
    case 'too_small':
      if (issue.minimum === 1 && issue.inclusive !== false && (issue.origin === 'string' || issue.origin === 'array')) {
        return 'must not be empty';
      }
      return sizeBound(issue.origin, 'at least', 'more than', issue.minimum, issue.inclusive);
    case 'invalid_value':
      if (missing) return 'is required';
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'invalid_format':
      return 'is not in the expected format';
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return 'unknown key';
    case 'invalid_union':
      return missing ? 'is required' : 'is not valid';
    default:
      return 'is not valid';
  }
}

function sizeBound(
  origin: string,
  inclusiveWord: string,
  exclusiveWord: string,
  bound: number | bigint | Date,
  inclusive: boolean | undefined,
): string {
  const limit = `${inclusive === false ? exclusiveWord : inclusiveWord} ${String(bound)}`;
  if (origin === 'string') return `must be ${limit} characters long`;
  if (origin === 'array' || origin === 'set') return `must list ${limit} items`;
  return `must be ${limit}`;
}
