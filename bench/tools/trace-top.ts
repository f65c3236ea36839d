import { readFileSync } from 'node:fs';
import { isRecord } from '../lib/ipc.js';

/*
 * Summarises a Chromium trace (from `--profile` in the browser section, or
 * any trace-event JSON): the busiest threads, then the events of one thread
 * (by default the busiest renderer main thread) by self and total time.
 *
 *   node bench/dist/tools/trace-top.js <file.trace.json> [count] [thread name]
 */

interface Slice {
  name: string;
  ts: number;
  dur: number;
  self: number;
}

interface Thread {
  process: string;
  name: string;
  slices: Slice[];
}

function load(path: string): { threads: Map<string, Thread>; spanUs: number } {
  const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const events = Array.isArray(raw) ? raw : isRecord(raw) && Array.isArray(raw.traceEvents) ? raw.traceEvents : [];
  const processNames = new Map<unknown, string>();
  const threadNames = new Map<string, string>();
  const threads = new Map<string, Thread>();
  let first = Infinity;
  let last = -Infinity;
  for (const e of events as unknown[]) {
    if (!isRecord(e)) continue;
    const key = `${String(e.pid)}:${String(e.tid)}`;
    const name = isRecord(e.args) && typeof e.args.name === 'string' ? e.args.name : undefined;
    if (e.ph === 'M' && e.name === 'process_name' && name !== undefined) processNames.set(e.pid, name);
    if (e.ph === 'M' && e.name === 'thread_name' && name !== undefined) threadNames.set(key, name);
    // complete events carry their duration; that is what Chromium emits for tasks and drawing calls
    if (e.ph !== 'X' || typeof e.ts !== 'number' || typeof e.dur !== 'number' || typeof e.name !== 'string') continue;
    first = Math.min(first, e.ts);
    last = Math.max(last, e.ts + e.dur);
    let thread = threads.get(key);
    if (thread === undefined) {
      thread = { process: String(e.pid), name: key, slices: [] };
      threads.set(key, thread);
    }
    thread.slices.push({ name: e.name, ts: e.ts, dur: e.dur, self: e.dur });
  }
  for (const [key, thread] of threads) {
    thread.name = threadNames.get(key) ?? key;
    thread.process = processNames.get(Number(key.split(':')[0])) ?? thread.process;
  }
  return { threads, spanUs: last - first };
}

/** Nests each thread's slices by time and takes children's time out of their parent's self time; returns busy time. */
function nest(thread: Thread): number {
  thread.slices.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const stack: Slice[] = [];
  let busy = 0;
  for (const slice of thread.slices) {
    while (stack.length > 0 && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= slice.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent === undefined) busy += slice.dur;
    else parent.self -= Math.min(slice.dur, parent.ts + parent.dur - slice.ts);
    stack.push(slice);
  }
  return busy;
}

function main(): void {
  const [path, countArg, wanted] = process.argv.slice(2);
  if (path === undefined) {
    process.stderr.write('usage: node bench/dist/tools/trace-top.js <file.trace.json> [count] [thread name]\n');
    process.exit(2);
  }
  const count = Number(countArg ?? 20);
  const { threads, spanUs } = load(path);
  const busy = new Map([...threads].map(([key, thread]) => [key, nest(thread)]));
  const ms = (us: number): string => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const out: string[] = [path, `trace ${ms(spanUs)}`, '', 'busiest threads:'];
  const ranked = [...threads.entries()].sort((a, b) => (busy.get(b[0]) ?? 0) - (busy.get(a[0]) ?? 0));
  for (const [key, thread] of ranked.slice(0, 10)) {
    const share = ((busy.get(key) ?? 0) / spanUs) * 100;
    out.push(`  ${ms(busy.get(key) ?? 0)} ${share.toFixed(0).padStart(4)} %  ${thread.process} / ${thread.name}`);
  }
  const chosen = ranked.find(([, thread]) => thread.name === (wanted ?? 'CrRendererMain'));
  if (chosen === undefined) {
    process.stdout.write(`${out.join('\n')}\n\nno thread named ${wanted ?? 'CrRendererMain'}\n`);
    return;
  }
  const [key, thread] = chosen;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const slice of thread.slices) {
    self.set(slice.name, (self.get(slice.name) ?? 0) + slice.self);
    total.set(slice.name, (total.get(slice.name) ?? 0) + slice.dur);
  }
  const threadBusy = busy.get(key) ?? 0;
  out.push('', `${thread.process} / ${thread.name}: top ${count} by self time (% of its busy time)`);
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    const share = ((us / threadBusy) * 100).toFixed(1).padStart(5);
    out.push(`  ${share} %  self ${ms(us)}  total ${ms(total.get(name) ?? 0)}  ${name}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
