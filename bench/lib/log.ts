/** Progress goes to stderr; stdout carries only the report. */
export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export async function medianRss(read: () => number | undefined, samples: number, everyMs: number): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < samples; i++) {
    const value = read();
    if (value !== undefined) values.push(value);
    if (i < samples - 1) await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  if (values.length === 0) throw new Error('the process is gone');
  values.sort((a, b) => a - b);
  return values[values.length >> 1];
}
