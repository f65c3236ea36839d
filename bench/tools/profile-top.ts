import { readFileSync } from 'node:fs';
import { isRecord } from '../lib/ipc.js';

/*
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with
 * the most self time and the most total (inclusive) time.
 *
 *   node bench/dist/tools/profile-top.js <file.cpuprofile> [count]
 */

interface ProfileNode {
  id: number;
  name: string;
  children: number[];
}

function location(frame: Record<string, unknown>): string {
  const name = typeof frame.functionName === 'string' && frame.functionName !== '' ? frame.functionName : '(anonymous)';
  const url = typeof frame.url === 'string' ? frame.url : '';
  const line = typeof frame.lineNumber === 'number' ? frame.lineNumber + 1 : 0;
  if (url === '') return name;
  const short = url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/(libs|apps|bench)\//, '$1/');
  return `${name} ${short}:${line}`;
}

function load(path: string): { nodes: Map<number, ProfileNode>; self: Map<number, number>; total: number } {
  const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isRecord(raw) || !Array.isArray(raw.nodes) || !Array.isArray(raw.samples) || !Array.isArray(raw.timeDeltas)) {
    throw new Error(`${path} is not a .cpuprofile`);
  }
  const nodes = new Map<number, ProfileNode>();
  for (const entry of raw.nodes as unknown[]) {
    if (!isRecord(entry) || typeof entry.id !== 'number' || !isRecord(entry.callFrame)) continue;
    const children = Array.isArray(entry.children)
      ? (entry.children as unknown[]).filter((c) => typeof c === 'number')
      : [];
    nodes.set(entry.id, { id: entry.id, name: location(entry.callFrame), children });
  }
  const self = new Map<number, number>();
  let total = 0;
  const samples = raw.samples as unknown[];
  const deltas = raw.timeDeltas as unknown[];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i];
    const next = deltas[i + 1];
    // a sample's time is the gap to the next one
    const dt = typeof next === 'number' ? Math.max(0, next) : 0;
    if (typeof id !== 'number') continue;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  }
  return { nodes, self, total };
}

function main(): void {
  const [path, countArg] = process.argv.slice(2);
  if (path === undefined) {
    process.stderr.write('usage: node bench/dist/tools/profile-top.js <file.cpuprofile> [count]\n');
    process.exit(2);
  }
  const count = Number(countArg ?? 25);
  const { nodes, self, total } = load(path);
  const idle = new Set(['(idle)', '(program)', '(garbage collector)']);

  const selfByName = new Map<string, number>();
  for (const [id, us] of self) {
    const name = nodes.get(id)?.name ?? '?';
    selfByName.set(name, (selfByName.get(name) ?? 0) + us);
  }
  // inclusive time per function name, counted once per stack even when recursive
  const totalByName = new Map<string, number>();
  const root = [...nodes.values()].find((n) => n.name === '(root)');
  const walk = (id: number, onStack: Set<string>): number => {
    const node = nodes.get(id);
    if (node === undefined) return 0;
    let sum = self.get(id) ?? 0;
    const fresh = !onStack.has(node.name);
    if (fresh) onStack.add(node.name);
    for (const child of node.children) sum += walk(child, onStack);
    if (fresh) {
      onStack.delete(node.name);
      totalByName.set(node.name, (totalByName.get(node.name) ?? 0) + sum);
    }
    return sum;
  };
  if (root !== undefined) walk(root.id, new Set());

  const busy = total - [...idle].reduce((a, name) => a + (name === '(idle)' ? (selfByName.get(name) ?? 0) : 0), 0);
  const pct = (us: number): string => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
  const ms = (us: number): string => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const out: string[] = [];
  out.push(`${path}`);
  out.push(`profile ${ms(total)}, busy (not idle) ${ms(busy)}; percentages are of busy time`);
  for (const name of idle) out.push(`  ${name.padEnd(22)} ${ms(selfByName.get(name) ?? 0)}`);
  out.push('', `top ${count} by self time:`);
  for (const [name, us] of [...selfByName]
    .filter(([n]) => !idle.has(n))
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)) {
    out.push(`  ${pct(us)} ${ms(us)}  ${name}`);
  }
  out.push('', `top ${count} by total time:`);
  for (const [name, us] of [...totalByName]
    .filter(([n]) => !idle.has(n) && n !== '(root)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)) {
    out.push(`  ${pct(us)} ${ms(us)}  ${name}`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

main();
