import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The process-level tests run the built server (`node apps/server/dist/main.js`),
 * exactly as `npm start` does; build it (incrementally) before they run.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'apps/server/tsconfig.app.json'], {
    cwd: root,
    stdio: 'inherit',
  });
}
