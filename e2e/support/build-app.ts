import path from 'node:path';
import { build, type Plugin } from 'vite';

const root = path.resolve(import.meta.dirname, '../..');

export interface AppBuildOptions {
  /// Where the build goes (emptied first). Never dist/ or dist-harness/: tests and benches
  /// build into their own temporary directories.
  readonly outDir: string;
  /// Test pages built beside the app, by input name (paths relative to the repository).
  readonly pages?: Readonly<Record<string, string>>;
  /// Marks the build: its app sets `<html data-build>` to this id when it starts, so a test
  /// can tell which build a page runs, and two ids give two builds with different asset
  /// hashes, service worker and precache manifest, as two releases have.
  readonly buildId?: string;
  /// false: keep function names, for CPU profiles.
  readonly minify?: false;
}

/// Builds the app with its own vite.config.ts (the PWA and worker settings included), plus
/// whatever test pages and build mark are asked for, into `outDir`.
export async function buildApp(options: AppBuildOptions): Promise<void> {
  const pages = Object.fromEntries(Object.entries(options.pages ?? {}).map(([name, file]) => [name, path.join(root, file)]));
  await build({
    root,
    configFile: path.join(root, 'vite.config.ts'),
    logLevel: 'error',
    plugins: options.buildId === undefined ? [] : [markBuild(options.buildId)],
    build: {
      outDir: options.outDir,
      emptyOutDir: true,
      ...(options.minify === false ? { minify: false } : {}),
      rolldownOptions: { input: { main: path.join(root, 'index.html'), ...pages } },
    },
  });
}

function markBuild(buildId: string): Plugin {
  const entry = path.join(root, 'src/ui/main.tsx');
  return {
    name: 'notes-test-build-id',
    transform(code, id) {
      if (id !== entry) return null;
      return { code: `${code}\ndocument.documentElement.dataset.build = ${JSON.stringify(buildId)};\n`, map: null };
    },
  };
}
