import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { build } from 'vite';
import playwrightConfig from '../../playwright.config';
import type { BenchResult } from '../../e2e/harness/storage-bench';
import { median, type Metric, type Suite } from '../harness';

const root = path.resolve(import.meta.dirname, '../..');
const HARNESS = '/e2e/harness/storage.html';
const OPTIONS = { txRows: 2000, batchSize: 100, bulkRows: 10_000, notes: 10_000, wordsPerNote: 200, searches: 200, opens: 5 } as const;
const COLD_OPENS = 3;
const TARGETS = { txPerSec: 2000, openMs: 300, searchP95Ms: 30 };
const BASELINE = 'in-memory database, same wasm build, same worker path, same page';

/// The browser storage adapter on OPFS in the system Chromium (headless, a persistent
/// profile, so OPFS is files on disk as in a person's browser), against the same operations
/// on an in-memory database of the same build in the same page. Everything goes through the
/// adapter: page -> comlink -> worker -> WasmSqlDatabase.
export const opfsSuite: Suite = {
  name: 'opfs',
  description: 'browser storage adapter on OPFS vs in-memory, in headless Chromium (tx/s, bulk, open, FTS5 search)',
  async run(log) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'notes-bench-opfs-'));
    let server: ChildProcess | undefined;
    const launchOptions = playwrightConfig.use?.launchOptions ?? {};
    try {
      log('building the storage harness');
      const outDir = path.join(work, 'dist');
      await buildHarness(outDir);
      const served = await serve(outDir);
      server = served.child;
      log(`serving it at ${served.url}`);
      const context = await chromium.launchPersistentContext(path.join(work, 'profile'), { ...launchOptions, headless: true, baseURL: served.url });
      try {
        const page = context.pages()[0] ?? (await context.newPage());
        page.on('pageerror', (error) => log(`page error: ${error.message}`));
        await openHarness(page);
        log(`${await page.evaluate(() => /Chrom\S+/.exec(navigator.userAgent)?.[0] ?? navigator.userAgent)}; ${OPTIONS.txRows} single-row transactions, ${OPTIONS.bulkRows} rows in one, ${OPTIONS.notes} notes of ${OPTIONS.wordsPerNote} words`);
        // The memory run first also warms the HTTP cache and V8's code cache for both.
        const memory = await page.evaluate((options) => window.storageHarness.bench({ ...options, storage: 'memory' }), OPTIONS);
        log(`memory: ${summary(memory)}`);
        const opfs = await page.evaluate((options) => window.storageHarness.bench({ ...options, storage: 'opfs', keepNotes: true }), OPTIONS);
        log(`opfs:   ${summary(opfs)}`);

        // A cold open: the first in a freshly loaded page, which compiles the wasm again.
        const cold = { opfs: [] as number[], memory: [] as number[] };
        for (let i = 0; i < COLD_OPENS; i++) {
          for (const storage of ['memory', 'opfs'] as const) {
            await openHarness(page);
            cold[storage].push(await page.evaluate(([name, storage]) => window.storageHarness.timeOpen(name, storage), [storage === 'opfs' ? opfs.notesName : `cold-${i}`, storage] as const));
          }
        }
        log(`cold open (page reloaded each time): opfs ${cold.opfs.map((ms) => ms.toFixed(0)).join(' / ')} ms; memory ${cold.memory.map((ms) => ms.toFixed(0)).join(' / ')} ms`);
        await page.evaluate((name) => window.storageHarness.deleteDatabase(name), opfs.notesName);

        const metrics = toMetrics(opfs, memory, median(cold.opfs), median(cold.memory));
        for (const line of targetLines(opfs, median(cold.opfs))) log(line);
        return metrics;
      } finally {
        await context.close();
      }
    } finally {
      if (server?.pid !== undefined) server.kill('SIGTERM');
      fs.rmSync(work, { recursive: true, force: true });
    }
  },
};

/// Builds only the harness page (not the app), with the settings the adapter needs.
async function buildHarness(outDir: string): Promise<void> {
  await build({
    root,
    configFile: false,
    logLevel: 'warn',
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, rolldownOptions: { input: { storageHarness: path.join(root, 'e2e/harness/storage.html') } } },
  });
}

/// Starts scripts/serve.mjs on a free 127.0.0.1 port (PORT=0) and reads the port it took.
function serve(dir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'scripts/serve.mjs')], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DIST_DIR: dir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error('the harness server did not start within 10 s'));
    }, 10_000);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /running at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]! });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the harness server exited (${code})`));
    });
  });
}

async function openHarness(page: Page): Promise<void> {
  await page.goto(HARNESS);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
}

function summary(r: BenchResult): string {
  return [
    `tx/s ${r.txPerSecPipelined.toFixed(0)} issued together, ${r.txPerSecSequential.toFixed(0)} awaited one by one`,
    `batched ${r.batchedRowsPerSec.toFixed(0)} rows/s`,
    `bulk ${r.bulkMs.toFixed(0)} ms`,
    `fill ${r.fillNotesMs.toFixed(0)} ms`,
    `open ${r.openSamples.map((ms) => ms.toFixed(0)).join('/')} ms`,
    `search p50 ${r.searchP50Ms.toFixed(1)} p95 ${r.searchP95Ms.toFixed(1)} ms (${r.searchHits} hits)`,
  ].join('; ');
}

function toMetrics(opfs: BenchResult, memory: BenchResult, coldOpfs: number, coldMemory: number): Metric[] {
  const ratio = (metric: string, value: number): Metric => ({ metric, value, unit: 'x', baseline: BASELINE });
  return [
    { metric: 'opfs.tx_per_s', value: opfs.txPerSecPipelined, unit: 'tx/s', baseline: null },
    ratio('opfs.tx_per_s_ratio', opfs.txPerSecPipelined / memory.txPerSecPipelined),
    { metric: 'opfs.tx_per_s_awaited', value: opfs.txPerSecSequential, unit: 'tx/s', baseline: null },
    ratio('opfs.tx_per_s_awaited_ratio', opfs.txPerSecSequential / memory.txPerSecSequential),
    { metric: 'opfs.batched_rows_per_s', value: opfs.batchedRowsPerSec, unit: 'rows/s', baseline: null },
    ratio('opfs.batched_rows_per_s_ratio', opfs.batchedRowsPerSec / memory.batchedRowsPerSec),
    { metric: 'opfs.bulk_10k_ms', value: opfs.bulkMs, unit: 'ms', baseline: null },
    ratio('opfs.bulk_10k_ratio', opfs.bulkMs / memory.bulkMs),
    { metric: 'opfs.open_10k_ms', value: opfs.openMs, unit: 'ms', baseline: null },
    { metric: 'opfs.open_10k_ratio', value: opfs.openMs / memory.openMs, unit: 'x', baseline: 'opening a new, empty in-memory database in the same page' },
    { metric: 'opfs.open_10k_cold_ms', value: coldOpfs, unit: 'ms', baseline: null },
    { metric: 'opfs.open_10k_cold_ratio', value: coldOpfs / coldMemory, unit: 'x', baseline: 'opening a new, empty in-memory database first thing in a reloaded page' },
    { metric: 'opfs.search_p95_ms', value: opfs.searchP95Ms, unit: 'ms', baseline: null },
    ratio('opfs.search_p95_ratio', opfs.searchP95Ms / memory.searchP95Ms),
    { metric: 'opfs.search_p50_ms', value: opfs.searchP50Ms, unit: 'ms', baseline: null },
    { metric: 'opfs.fill_10k_notes_ms', value: opfs.fillNotesMs, unit: 'ms', baseline: null },
  ];
}

function targetLines(opfs: BenchResult, coldOpenMs: number): string[] {
  const check = (ok: boolean) => (ok ? 'meets' : 'MISSES');
  return [
    `target tx/s >= ${TARGETS.txPerSec} (batching allowed): ${check(opfs.txPerSecPipelined >= TARGETS.txPerSec)} with single-row transactions issued together (${opfs.txPerSecPipelined.toFixed(0)}, group commit), ${check(opfs.batchedRowsPerSec >= TARGETS.txPerSec)} batched by the caller (${opfs.batchedRowsPerSec.toFixed(0)} rows/s), ${check(opfs.txPerSecSequential >= TARGETS.txPerSec)} awaited one by one (${opfs.txPerSecSequential.toFixed(0)}: two OPFS flushes per commit)`,
    `target open <= ${TARGETS.openMs} ms (open and list the 50 latest notes): ${check(opfs.openMs <= TARGETS.openMs)} in a page that has compiled the wasm (${opfs.openMs.toFixed(0)} ms), ${check(coldOpenMs <= TARGETS.openMs)} first thing after a page load (${coldOpenMs.toFixed(0)} ms)`,
    `target search p95 <= ${TARGETS.searchP95Ms} ms: ${check(opfs.searchP95Ms <= TARGETS.searchP95Ms)} (${opfs.searchP95Ms.toFixed(1)} ms)`,
  ];
}
