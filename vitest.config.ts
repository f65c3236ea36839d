import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// Libs resolve to their TypeScript sources through the `@pulseboard/source` export condition.
const resolve = { conditions: ['@pulseboard/source', 'module', 'node', 'default'] };

export default defineConfig({
  resolve,
  ssr: { resolve: { conditions: resolve.conditions, externalConditions: ['@pulseboard/source'] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts'],
          environment: 'node',
        },
      },
      {
        // the dashboard's managers and components: runes compiled by the Svelte plugin, a DOM from jsdom
        extends: true,
        plugins: [svelte({ configFile: false, compilerOptions: { runes: true } })],
        resolve: { conditions: ['@pulseboard/source', 'browser', 'module', 'default'] },
        test: {
          name: 'web',
          include: ['web/src/**/*.spec.ts'],
          environment: 'jsdom',
        },
      },
      {
        // slower runs (a minute or more each), apart from `npm test`: `npm run test:soak`
        extends: true,
        test: {
          name: 'soak',
          include: ['test/soak/**/*.soak-spec.ts'],
          environment: 'node',
          testTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e-spec.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
