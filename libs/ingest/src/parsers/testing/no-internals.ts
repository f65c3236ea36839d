import { expect } from 'vitest';

/** A stack frame as V8 prints it, at the start of a line. */
const STACK_FRAME = /(^|\n)\s+at\s/;

/**
 * How the libraries under the parsers word their errors (V8's JSON parser in
 * its Node 18–22 spellings, zlib, zod): a producer gets the product's words
 * instead, which do not change when Node or a dependency does.
 */
export const LIBRARY_WORDS = [
  'Unexpected token',
  'Unexpected end of JSON',
  'Unexpected non-whitespace',
  'is not valid JSON',
  'in JSON at position',
  'JSON.parse',
  'SyntaxError',
  'incorrect header check',
  'unexpected end of file',
  'invalid stored block',
  'Invalid input:',
  'Too big:',
  'Too small:',
  'Invalid option:',
];

/**
 * Text for the producer holds no stack frame, no server path and no
 * library's wording, unless the body itself had them.
 */
export function expectNoInternals(text: string, input: string): void {
  expect(typeof text).toBe('string');
  expect(text).not.toBe('');
  if (!STACK_FRAME.test(input)) expect(text).not.toMatch(STACK_FRAME);
  for (const marker of [process.cwd(), 'file://', 'node_modules', 'node:internal', ...LIBRARY_WORDS]) {
    if (!input.includes(marker)) expect(text).not.toContain(marker);
  }
}
