import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defaultClientConditions, defineConfig, type ProxyOptions } from 'vite';

const target = 'http://127.0.0.1:8080';

/**
 * The dev server stands in for the server's own origin: the page's `Origin`
 * (the dev server) is rewritten to the target's, which the server's origin
 * check accepts as same-origin.
 */
const api: ProxyOptions = {
  target,
  changeOrigin: true,
  configure: (proxy) => {
    proxy.on('proxyReq', (request) => {
      if (request.getHeader('origin') !== undefined) request.setHeader('origin', target);
    });
    proxy.on('proxyReqWs', (request) => {
      if (request.getHeader('origin') !== undefined) request.setHeader('origin', target);
    });
  },
};

export default defineConfig({
  // The config is run from the repository root, so every path is anchored to this file.
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [svelte({ configFile: false, compilerOptions: { runes: true } })],
  resolve: {
    // Workspace libs are consumed as TypeScript sources; their dist/ may not be built.
    conditions: ['@pulseboard/source', ...defaultClientConditions],
  },
  build: {
    outDir: fileURLToPath(new URL('dist', import.meta.url)),
    emptyOutDir: true,
  },
  server: {
    proxy: {
      // The proxy pipes responses through as they arrive; a compressing upstream would hold
      // events back until its buffer fills, so the stream is requested uncompressed.
      // Listed before '/api' because the first matching prefix wins.
      '/api/v1/stream': { ...api, headers: { 'accept-encoding': 'identity' } },
      '/api': api,
      '/health': api,
      '/metrics': api,
      // the control socket: WebSocket upgrades pass through too
      '/socket.io': { ...api, ws: true },
    },
  },
});
