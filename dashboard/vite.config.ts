import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { cityopsSprite } from './sprite/build-sprite.ts';

const backend = process.env.CITYOPS_DEV_BACKEND ?? 'http://127.0.0.1:8080';

// The page is served by the dashboard's Fastify server in production; `vite` (dev) proxies the API to a running center.
export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  base: '/',
  // The map's icon sprite (sprites/cityops{,@2x}.{json,png}) is drawn from sprite/icons/*.svg at build time.
  plugins: [cityopsSprite()],
  resolve: {
    /*
     * MapLibre's CSP build: its worker is a script of its own (served from /assets, see map.ts), not a
     * blob: URL built from the main bundle, so the page's Content-Security-Policy needs no blob: workers
     * and the browser can cache the worker's compiled code like any script.
     */
    alias: [{ find: /^maplibre-gl$/, replacement: 'maplibre-gl/dist/maplibre-gl-csp.js' }],
  },
  // Copied verbatim into the build: the committed map-label glyph PBFs (web/public/glyphs/).
  publicDir: fileURLToPath(new URL('./web/public', import.meta.url)),
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // MapLibre alone is ~1 MB minified; one chunk is fine for a control-room app on a LAN.
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      '/api': backend,
      '/basemap': backend,
      '/socket.io': { target: backend, ws: true },
    },
  },
});
