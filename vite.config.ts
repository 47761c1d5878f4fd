import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { defineConfig } from 'vitest/config';

/// STORAGE_HARNESS=1 adds the storage test harness page (e2e/harness) as a second input and
/// builds into dist-harness/, so the production build (dist/) never contains test code.
const storageHarness = process.env.STORAGE_HARNESS === '1';

export default defineConfig({
  plugins: [
    react(),
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
