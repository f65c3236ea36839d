import { expect } from 'vitest';

/** A stack frame as V8 prints it, at the start of a line. */
const STACK_FRAME = /(^|\n)\s+at\s/;

/** Text for the producer holds no stack frame and no server path, unless the body itself had them. */
export function expectNoInternals(text: string, input: string): void {
  expect(typeof text).toBe('string');
  expect(text).not.toBe('');
  if (!STACK_FRAME.test(input)) expect(text).not.toMatch(STACK_FRAME);
  for (const marker of [process.cwd(), 'file://', 'node_modules', 'node:internal']) {
    if (!input.includes(marker)) expect(text).not.toContain(marker);
  }
}
