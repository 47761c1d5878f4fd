import { describe, expect, it } from 'vitest';
import { EARLY_START_KEY, earlyStartScript, type EarlyStart } from './early-start';

/// Runs the inline script with the given globals, as a page would.
function runScript(globals: Record<string, unknown>): Record<string, unknown> {
  const scope: Record<string, unknown> = { ...globals };
  scope.self = scope;
  const names = Object.keys(scope);
  new Function(...names, earlyStartScript('/assets/storage.worker-abc.js', '/assets/crsqlite-sync-abc.wasm', 'notes'))(...names.map((n) => scope[n]));
  return scope;
}

class FakeWorker {
  static started: { url: string; options: WorkerOptions }[] = [];
  readonly listeners = new Map<string, (event: { message: string }) => void>();
  constructor(url: string, options: WorkerOptions) {
    FakeWorker.started.push({ url, options });
  }
  addEventListener(type: string, listener: (event: { message: string }) => void) {
    this.listeners.set(type, listener);
  }
}

describe('the early start script', () => {
  it('starts the named database\'s worker and the wasm compile, and records a script error', async () => {
    const fetched: string[] = [];
    const scope = runScript({
      Worker: FakeWorker,
      fetch: (url: string) => (fetched.push(url), Promise.resolve('response')),
      WebAssembly: { compileStreaming: async (response: Promise<string>) => `module of ${await response}` },
    });
    const early = scope[EARLY_START_KEY] as EarlyStart;
    expect(early.name).toBe('notes');
    expect(FakeWorker.started).toEqual([{ url: '/assets/storage.worker-abc.js', options: { type: 'module', name: 'storage: notes' } }]);
    expect(fetched).toEqual(['/assets/crsqlite-sync-abc.wasm']);
    expect(await early.wasm).toBe('module of response');
    expect(early.error).toBeNull();
    (early.worker as unknown as FakeWorker).listeners.get('error')!({ message: 'Failed to fetch' });
    expect(early.error).toBe('Failed to fetch');
  });

  it('leaves nothing, and throws nothing, where workers or WebAssembly are missing', () => {
    expect(runScript({ Worker: undefined, fetch: () => Promise.resolve(), WebAssembly: undefined })[EARLY_START_KEY]).toBeUndefined();
  });

  it('gives a failed wasm compile as undefined: the worker compiles it itself', async () => {
    const scope = runScript({ Worker: FakeWorker, fetch: () => Promise.reject(new TypeError('offline')), WebAssembly: { compileStreaming: (response: Promise<unknown>) => response } });
    expect(await (scope[EARLY_START_KEY] as EarlyStart).wasm).toBeUndefined();
  });
});
