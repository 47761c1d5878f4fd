import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { earlyStartScript } from './src/storage/browser/early-start.ts';
import { NOTES_DATABASE } from './src/ui/runtime/database-name.ts';

/// STORAGE_HARNESS=1 adds the storage test harness page (e2e/harness) as a second input and
/// builds into dist-harness/, so the production build (dist/) never contains test code.
const storageHarness = process.env.STORAGE_HARNESS === '1';

/// Puts the storage worker's early start (src/storage/browser/early-start.ts) into the built
/// index.html: the worker and the wasm start while the app's modules load. Build only: the
/// dev server's worker has no built file to name.
function earlyStorageStart(): Plugin {
  return {
    name: 'early-storage-start',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, { bundle, path }) {
        if (!bundle || path !== '/index.html') return html;
        const files = Object.keys(bundle);
        const worker = files.find((f) => /^assets\/storage\.worker-[\w-]+\.js$/.test(f));
        const wasm = files.find((f) => /^assets\/crsqlite-sync-[\w-]+\.wasm$/.test(f));
        if (!worker || !wasm) throw new Error(`early storage start: no built storage worker (${worker}) or sync wasm (${wasm})`);
        // Right after the charset, before the stylesheet: an inline script waits for the
        // stylesheets above it to load.
        const charset = '<meta charset="UTF-8" />';
        if (!html.includes(charset)) throw new Error('early storage start: index.html has no <meta charset="UTF-8" />');
        return html.replace(charset, `${charset}\n    <script>${earlyStartScript(`/${worker}`, `/${wasm}`, NOTES_DATABASE)}</script>`);
      },
    },
  };
}

export default defineConfig({
  plugins: [
    react(),
    earlyStorageStart(),
    VitePWA({
      // The app asks before it reloads into a new version (see src/ui/pwa/register.ts).
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['icon.svg', 'icons/apple-touch-icon.png'],
      manifest: {
        name: 'Notes',
        short_name: 'Notes',
        description: 'Local-first collaborative notes that you own.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#fbfaf7',
        theme_color: '#1f6f5c',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The app shell, the storage worker and both cr-sqlite wasm builds work offline.
        globPatterns: ['**/*.{js,css,html,wasm,svg,png,webmanifest}'],
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  worker: { format: 'es' },
  // wa-sqlite resolves its .wasm relative to its own module; pre-bundling breaks that.
  optimizeDeps: { exclude: ['@vlcn.io/wa-sqlite', '@vlcn.io/crsqlite-wasm'] },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: {
    outDir: storageHarness ? 'dist-harness' : 'dist',
    rolldownOptions: {
      input: storageHarness ? { main: 'index.html', storageHarness: 'e2e/harness/storage.html' } : { main: 'index.html' },
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'bench/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
