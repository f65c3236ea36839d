import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The process-level and browser tests run the built server and dashboard
 * (`node apps/server/dist/main.js` serving `web/dist`), exactly as `npm start`
 * does; build both (the server incrementally) before they run.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const run = (script: string, args: string[]): void => {
    execFileSync(process.execPath, [script, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  };
  run('node_modules/typescript/bin/tsc', ['-b', 'apps/server/tsconfig.app.json']);
  run('node_modules/vite/bin/vite.js', ['build', '--config', 'web/vite.config.ts', '--logLevel', 'error']);
}
