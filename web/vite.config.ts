/**
 * Builds the node's web page: `npx vite build web` → `web/dist/` (served by src/rpc/web.ts).
 * Relative asset paths (`base: './'`) so the page works on any host, port or path prefix;
 * everything is bundled (no CDN, no request leaves the node's origin).
 */
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  publicDir: 'public',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 260,
    reportCompressedSize: false,
  },
  server: {
    // `npx vite web` for development against a local node on the default port
    proxy: Object.fromEntries(
      ['/api', '/status', '/block', '/blockchain', '/block_results', '/tx_search', '/validators', '/net_info', '/num_unconfirmed_txs', '/websocket'].map((p) => [
        p,
        { target: 'http://127.0.0.1:26657', ws: p === '/api' || p === '/websocket' },
      ]),
    ),
  },
});
