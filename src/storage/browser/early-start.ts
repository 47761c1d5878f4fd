/// Starting the storage worker before the page's code has loaded. A page may run
/// `earlyStartScript(...)` inline in its <head> (the app's build injects it, see
/// vite.config.ts): the worker thread starts and the wasm compiles while the browser still
/// fetches and runs the page's modules, instead of after. The first openBrowserDatabase of
/// that database adopts both (client.ts). No imports: the build runs this module too.

/// Where the inline script leaves what it started.
export const EARLY_START_KEY = '__storageEarlyStart';

export interface EarlyStart {
  readonly name: string;
  readonly worker: Worker;
  readonly wasm: Promise<WebAssembly.Module | undefined>;
  /// Set if the worker's script failed before anyone listened.
  error: string | null;
}

/// The inline script's text. `workerUrl` and `wasmUrl` are the built storage worker and the
/// synchronous cr-sqlite wasm; `name` is the database it will be asked to open.
export function earlyStartScript(workerUrl: string, wasmUrl: string, name: string): string {
  const [worker, wasm, db, key] = [workerUrl, wasmUrl, name, EARLY_START_KEY].map((s) => JSON.stringify(s));
  // Classic, dependency-free and guarded: where any of it is missing, the page starts
  // everything itself as it would without this script.
  return `try{const s={name:${db},worker:new Worker(${worker},{type:"module",name:"storage: "+${db}}),wasm:WebAssembly.compileStreaming(fetch(${wasm})).catch(()=>undefined),error:null};s.worker.addEventListener("error",e=>{s.error=e.message||"script error"},{once:true});self[${key}]=s}catch{}`;
}
