import { defineConfig } from 'vitest/config';

export default defineConfig({
  worker: { format: 'es' },
  // wa-sqlite resolves its .wasm relative to its own module; pre-bundling breaks that.
  optimizeDeps: { exclude: ['@vlcn.io/wa-sqlite', '@vlcn.io/crsqlite-wasm'] },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  test: {
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
