import type { Clock } from './clock.js';

/** A clock that moves only when told to, for deterministic tests. */
export class ManualClock implements Clock {
  constructor(private time = 1_764_230_400_000) {}

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }
}
