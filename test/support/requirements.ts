import { existsSync } from 'node:fs';
import { it } from 'vitest';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether an outside requirement (Chromium, Redis) is here. When it is not, the
 * suite is skipped with a loud message — except in CI (`PULSEBOARD_CI=1`),
 * where a missing requirement is a failing test, so nothing is skipped silently.
 */
export function requirement(name: string, available: boolean, install: string): boolean {
  if (available) return true;
  if (process.env.PULSEBOARD_CI === '1') {
    it(`requires ${name}`, () => {
      throw new Error(`${name} is required in CI but is not available: ${install}`);
    });
  } else {
    process.stderr.write(`\n!!! SKIPPING tests that need ${name}: it is not available (${install})\n\n`);
  }
  return false;
}

export function chromiumAvailable(): boolean {
  return requirement('Chromium', existsSync(CHROMIUM_PATH), 'apt-get install -y chromium');
}
