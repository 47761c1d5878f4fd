import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type CDPSession, type Page } from '@playwright/test';
import playwrightConfig from '../../playwright.config';
import { createIdentity } from '../../e2e/people';
import { buildApp } from '../../e2e/support/build-app';
import { startStaticServer, type StaticServer } from '../../e2e/support/static-server';
import { median, type Metric, type Suite } from '../harness';
import { SEARCH_FIRST_HITS } from '../../src/notes/model';

const HARNESS = '/e2e/harness/app.html';
const OPTIONS = { notes: Number(process.env.BENCH_NOTES ?? 10_000), pinned: 5, seed: 0x0a11, loads: 5, queries: 200, querySeed: 0x5ea4, searchLimit: SEARCH_FIRST_HITS } as const;
const TARGETS = { listInteractiveMs: 600, searchP95Ms: 30 };

const LIST_DEFINITION = [
  'list interactive: from navigation start of a reload of `/` (performance.timeOrigin) until the',
  'frame is painted in which the note opened by a click is shown; the click (a DOM click on the',
  "first item's button) is made in the first frame after list \"Notes\" has painted its first item,",
  'and "shown" means textbox "Note body" holds that item\'s title. first items: to that first paint.',
  'shell: until the app shell (runtime open, identity loaded) is in the document.',
];
const SEARCH_DEFINITION = [
  'search as seen: the query is typed into an empty textbox "Search notes" as one input event',
  '(a keystroke, or a paste); from that event\'s timestamp until the frame is painted in which list',
  '"Notes" shows highlighted matches (or says that nothing matches).',
];

/// The real app (its production build, plus the app harness page on the same origin) in the
/// system Chromium with a persistent profile, so OPFS is files on disk as in a person's
/// browser. One origin holds 10,000 notes, another one note (the baseline); the harness wrote
/// both through the app's own runtime (e2e/harness/app.ts). BENCH_NOTES changes the 10,000.
export const appSuite: Suite = {
  name: 'app',
  description: `the notes app on ${OPTIONS.notes.toLocaleString('en')} notes in headless Chromium: list interactive after a reload, search as you type`,
  async run(log) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'notes-bench-app-'));
    const servers: StaticServer[] = [];
    try {
      log('building the app with the app harness page');
      const dist = path.join(work, 'dist');
      await buildApp({ outDir: dist, pages: { appHarness: 'e2e/harness/app.html' }, ...(process.env.BENCH_PROFILE_PAGES ? { minify: false as const } : {}) });
      // Two origins of one build: each has its own OPFS, so its own notes database.
      const large = await startStaticServer(dist);
      const small = await startStaticServer(dist);
      servers.push(large, small);
      const launchOptions = playwrightConfig.use?.launchOptions ?? {};
      const context = await chromium.launchPersistentContext(path.join(work, 'profile'), { ...launchOptions, headless: true, viewport: { width: 1280, height: 800 } });
      try {
        // tsx (esbuild's keepNames) wraps named inner functions in __name(), which the
        // functions this suite runs in the page then need there too.
        await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
        await context.addInitScript(listProbe);
        const page = context.pages()[0] ?? (await context.newPage());
        page.on('pageerror', (error) => log(`page error: ${error.message}`));
        page.on('console', (message) => message.text().startsWith('seed: ') && log(message.text()));
        log(`${await page.evaluate(() => /Chrom\S+/.exec(navigator.userAgent)?.[0] ?? navigator.userAgent)}; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} CPUs`);

        const seeded = { large: await prepare(page, large.url, OPTIONS.notes), small: await prepare(page, small.url, 1) };
        log(`seeded ${seeded.large.notes} notes (${seeded.large.pinned} pinned) in ${(seeded.large.ms / 1000).toFixed(1)} s through the app's runtime; database ${(seeded.large.databaseBytes / 2 ** 20).toFixed(1)} MiB; baseline origin: ${seeded.small.notes} note`);

        // BENCH_ONLY=loads or search runs one part (the seeding is always done).
        const only = process.env.BENCH_ONLY;
        // BENCH_TRACE_PAGES=<dir>: Chrome traces (main thread and storage worker: script, style,
        // layout, paint, CPU samples) of one extra reload and of the searches.
        const traceDir = process.env.BENCH_TRACE_PAGES;
        if (traceDir) fs.mkdirSync(traceDir, { recursive: true });
        const result: Results = {};
        // The runtime's search alone, in a freshly loaded page as the app's would be.
        await openHarness(page, large.url);
        const queries = await page.evaluate(([n, seed]) => window.appHarness.queries(n, seed), [OPTIONS.queries, OPTIONS.querySeed] as const);
        if (only !== 'loads') {
          const runtime = await page.evaluate(([qs, limit]) => window.appHarness.timeSearch(qs, limit), [queries, OPTIONS.searchLimit] as const);
          result.runtime = runtime;
          log(`runtime search over ${queries.length} queries (limit ${OPTIONS.searchLimit}: the hits the app shows first, ${(runtime.hits / queries.length).toFixed(0)} hits on average): replica.search p50 ${fmt(median(runtime.runtimeMs))} p95 ${fmt(percentile(runtime.runtimeMs, 95))} ms; plain FTS5 p50 ${fmt(median(runtime.ftsMs))} p95 ${fmt(percentile(runtime.ftsMs, 95))} ms`);
          log(`slowest in the runtime: ${slowest(queries, runtime.runtimeMs)}`);
        }
        await page.evaluate(() => window.appHarness.close());

        // Reloads of the app, alternating between the two origins.
        if (only !== 'search') {
          for (const line of LIST_DEFINITION) log(line);
          const loads = { large: [] as ListProbe[], small: [] as ListProbe[] };
          for (let round = 0; round < OPTIONS.loads; round++) {
            loads.small.push(await loadApp(page, small.url));
            loads.large.push(await loadApp(page, large.url));
          }
          // BENCH_TRACE_PAGES: one more reload of the large origin, traced (not counted).
          if (traceDir) {
            const tracing = await startTrace(await context.newCDPSession(page));
            const traced = await loadApp(page, large.url);
            fs.writeFileSync(path.join(traceDir, 'load.trace.json'), await tracing());
            log(`traced load: ${describeLoad(traced)}; trace written to ${traceDir}`);
          }
          for (const [name, samples] of Object.entries(loads)) {
            log(`${name === 'large' ? `${OPTIONS.notes} notes` : '1 note   '}: ${samples.map(describeLoad).join(' | ')}`);
          }
          result.loads = loads;
        }

        // Search as a person sees it, in the app on the large origin.
        if (only !== 'loads') {
          for (const line of SEARCH_DEFINITION) log(line);
          // BENCH_PROFILE_PAGES=<dir>: a CPU profile of the page while it searches.
          const profileDir = process.env.BENCH_PROFILE_PAGES;
          const cdp = profileDir ? await context.newCDPSession(page) : null;
          if (cdp) {
            await cdp.send('Profiler.enable');
            await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
            await cdp.send('Profiler.start');
          }
          // BENCH_TRACE_PAGES: a trace of the page while it searches.
          const tracing = traceDir ? await startTrace(await context.newCDPSession(page)) : null;
          const ui = await searchInApp(page, large.url, queries);
          if (tracing) {
            fs.writeFileSync(path.join(traceDir!, 'search.trace.json'), await tracing());
            log(`search trace written to ${traceDir}`);
          }
          if (cdp) {
            const { profile } = await cdp.send('Profiler.stop');
            fs.mkdirSync(profileDir!, { recursive: true });
            fs.writeFileSync(path.join(profileDir!, 'search.cpuprofile'), JSON.stringify(profile));
            log(`search profile written to ${profileDir}`);
          }
          log(`slowest in the app: ${slowest(ui.timed, ui.samples)}`);
          log(`load average ${os.loadavg()[0]!.toFixed(1)}; search in the app over ${ui.samples.length} queries: p50 ${fmt(median(ui.samples))} p95 ${fmt(percentile(ui.samples, 95))} max ${fmt(Math.max(...ui.samples))} ms${ui.missed > 0 ? `; ${ui.missed} never showed results` : ''} (hits in the document, before the frame: p50 ${fmt(median(ui.inDocument))} p95 ${fmt(percentile(ui.inDocument, 95))} ms)`);

          result.ui = ui.samples;
        }
        for (const line of targetLines(result)) log(line);
        return toMetrics(result);
      } finally {
        await context.close();
      }
    } finally {
      await Promise.all(servers.map((s) => s.close()));
      fs.rmSync(work, { recursive: true, force: true });
    }
  },
};

/// Goes through onboarding in the app at `origin` (the app's own first run: identity, default
/// notebook, service worker installed), then writes `notes` notes with the app harness.
async function prepare(page: Page, origin: string, notes: number) {
  await page.goto(`${origin}/`);
  await createIdentity(page);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await openHarness(page, origin);
  const seeded = await page.evaluate(({ notes, pinned, seed }) => window.appHarness.seed({ notes, pinned, seed }), { notes, pinned: Math.min(OPTIONS.pinned, notes - 1), seed: OPTIONS.seed });
  await page.evaluate(() => window.appHarness.close());
  if (seeded.notes !== notes || seeded.withText !== notes) throw new Error(`seeding wrote ${seeded.notes} notes, ${seeded.withText} with readable text; expected ${notes}`);
  return seeded;
}

/// Starts a Chrome trace of the page's renderer; the function returned ends it and gives the
/// trace as JSON text.
async function startTrace(cdp: CDPSession): Promise<() => Promise<string>> {
  await cdp.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'v8.execute', 'disabled-by-default-v8.cpu_profiler'] },
  });
  return async () => {
    const complete = new Promise<string>((resolve) => cdp.once('Tracing.tracingComplete', (event) => resolve(event.stream!)));
    await cdp.send('Tracing.end');
    const handle = await complete;
    let text = '';
    for (;;) {
      const chunk = await cdp.send('IO.read', { handle });
      text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString('utf8') : chunk.data;
      if (chunk.eof) break;
    }
    await cdp.send('IO.close', { handle });
    return text;
  };
}

async function openHarness(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}${HARNESS}`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
}

/// What the list probe (an init script in every page) saw, in ms after navigation start.
interface ListProbe {
  /// `<main>` of the shell is in the document: the runtime is open and the identity loaded.
  shellMs: number | null;
  firstItemsMs: number | null;
  clickedMs: number | null;
  openMs: number | null;
  title: string | null;
  domContentLoadedMs: number;
  /// The app's own performance marks (notes:*), by name without the prefix.
  marks?: Record<string, number>;
}

type ProbeWindow = Window & { listProbe?: ListProbe };

/// Runs in the page before its scripts (see LIST_DEFINITION). Self-contained: Playwright
/// passes its source.
function listProbe(): void {
  if (location.pathname !== '/') return;
  const probe: ListProbe = { shellMs: null, firstItemsMs: null, clickedMs: null, openMs: null, title: null, domContentLoadedMs: 0 };
  (window as ProbeWindow).listProbe = probe;
  const afterPaint = (then: () => void) => requestAnimationFrame(() => setTimeout(then, 0));
  let phase: 'list' | 'painting' | 'opening' | 'done' = 'list';
  const opened = () => {
    const body = document.querySelector('[aria-label="Note body"]');
    return body !== null && probe.title !== null && (body.textContent ?? '').includes(probe.title);
  };
  const checkOpened = () => {
    if (phase !== 'opening' || !opened()) return;
    phase = 'done';
    observer.disconnect();
    afterPaint(() => (probe.openMs = performance.now()));
  };
  const observer = new MutationObserver(() => {
    if (probe.shellMs === null && document.querySelector('main.note-area')) probe.shellMs = performance.now();
    if (phase === 'list' && document.querySelector('ul[aria-label="Notes"] > li[role="listitem"]')) {
      phase = 'painting';
      afterPaint(() => {
        probe.firstItemsMs = performance.now();
        const first = document.querySelector('ul[aria-label="Notes"] > li[role="listitem"]')!;
        probe.title = first.getAttribute('aria-label');
        phase = 'opening';
        first.querySelector('button')!.click();
        probe.clickedMs = performance.now();
        checkOpened();
      });
    }
    checkOpened();
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
  addEventListener('DOMContentLoaded', () => (probe.domContentLoadedMs = performance.now()));
}

async function loadApp(page: Page, origin: string): Promise<ListProbe> {
  await page.goto(`${origin}/`, { waitUntil: 'commit' });
  await page.waitForFunction(() => (window as ProbeWindow).listProbe?.openMs != null, null, { timeout: 60_000 });
  return page.evaluate(() => ({
    ...(window as ProbeWindow).listProbe!,
    marks: Object.fromEntries(
      performance
        .getEntriesByType('mark')
        .filter((m) => m.name.startsWith('notes:'))
        .map((m) => [m.name.slice('notes:'.length), m.startTime]),
    ),
  }));
}

function describeLoad(p: ListProbe): string {
  const marks = Object.entries(p.marks ?? {})
    .sort((a, b) => a[1] - b[1])
    .map(([name, ms]) => `${name} ${fmt(ms)}`)
    .join(', ');
  return `DOMContentLoaded ${fmt(p.domContentLoadedMs)}, ${marks ? `${marks}, ` : ''}shell ${fmt(p.shellMs!)}, first items ${fmt(p.firstItemsMs!)}, open ${fmt(p.openMs!)}`;
}

/// The five slowest queries with their times, to see what the tail is made of.
function slowest(queries: readonly string[], ms: readonly number[]): string {
  return ms
    .map((t, i) => [t, queries[i]!] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, 5)
    .map(([t, query]) => `"${query}" ${fmt(t)} ms`)
    .join(', ');
}

type SearchWindow = Window & { searchProbe?: Promise<{ ms: number; inDocument: number } | null> };

/// Types each query into an emptied search box and times it (see SEARCH_DEFINITION).
async function searchInApp(page: Page, origin: string, queries: readonly string[]): Promise<{ samples: number[]; timed: string[]; inDocument: number[]; missed: number }> {
  await loadApp(page, origin);
  const box = page.getByRole('textbox', { name: 'Search notes' });
  const samples: number[] = [];
  const timed: string[] = [];
  const inDocument: number[] = [];
  let missed = 0;
  for (const query of queries) {
    await box.fill('');
    await page.waitForFunction(() => {
      const list = document.querySelector('ul[aria-label="Notes"]');
      return list !== null && list.querySelector('li') !== null && list.querySelector('mark') === null;
    });
    await box.focus();
    await page.evaluate(() => {
      (window as SearchWindow).searchProbe = new Promise<{ ms: number; inDocument: number } | null>((resolve) => {
        let typedAt: number | null = null;
        addEventListener('input', (e) => (typedAt = e.timeStamp), { capture: true, once: true });
        const shown = () =>
          document.querySelector('ul[aria-label="Notes"] mark') !== null ||
          [...document.querySelectorAll('.note-list .empty')].some((p) => p.textContent === 'No notes match.');
        const timeout = setTimeout(() => {
          observer.disconnect();
          resolve(null);
        }, 10_000);
        const observer = new MutationObserver(() => {
          if (typedAt === null || !shown()) return;
          observer.disconnect();
          clearTimeout(timeout);
          const from = typedAt;
          const inDocument = performance.now() - from;
          // Marks for a trace (BENCH_TRACE_PAGES) to find each search in.
          performance.mark('bench:typed', { startTime: from });
          performance.mark('bench:shown');
          requestAnimationFrame(() =>
            setTimeout(() => {
              performance.mark('bench:painted');
              resolve({ ms: performance.now() - from, inDocument });
            }, 0),
          );
        });
        observer.observe(document.body, { childList: true, subtree: true, characterData: true });
      });
    });
    await page.keyboard.insertText(query);
    const probe = await page.evaluate(() => (window as SearchWindow).searchProbe!);
    if (probe === null) missed++;
    else {
      samples.push(probe.ms);
      inDocument.push(probe.inDocument);
      timed.push(query);
    }
  }
  await box.fill('');
  if (samples.length === 0) throw new Error(`none of the ${queries.length} searches showed results`);
  return { samples, timed, inDocument, missed };
}

/// What was measured (BENCH_ONLY leaves parts out).
interface Results {
  loads?: { large: ListProbe[]; small: ListProbe[] };
  runtime?: { runtimeMs: number[]; ftsMs: number[] };
  ui?: number[];
}

function toMetrics({ loads, runtime, ui }: Results): Metric[] {
  const listMs = (samples: ListProbe[], key: 'openMs' | 'firstItemsMs' | 'shellMs') => median(samples.map((p) => p[key]!));
  const oneNote = 'the same load of the app on a database with one note (same build and browser, loads alternated)';
  const fts = 'a plain FTS5 query (same MATCH, rowids by rank, same limit) on the same database, through the same runtime';
  const metrics: Metric[] = [];
  if (loads) {
    metrics.push(
      { metric: 'app.list_interactive_ms', value: listMs(loads.large, 'openMs'), unit: 'ms', baseline: null },
      { metric: 'app.list_interactive_ratio', value: listMs(loads.large, 'openMs') / listMs(loads.small, 'openMs'), unit: 'x', baseline: oneNote },
      { metric: 'app.list_first_items_ms', value: listMs(loads.large, 'firstItemsMs'), unit: 'ms', baseline: null },
      { metric: 'app.list_first_items_ratio', value: listMs(loads.large, 'firstItemsMs') / listMs(loads.small, 'firstItemsMs'), unit: 'x', baseline: oneNote },
      { metric: 'app.shell_ms', value: listMs(loads.large, 'shellMs'), unit: 'ms', baseline: null },
      { metric: 'app.list_interactive_max_ms', value: Math.max(...loads.large.map((p) => p.openMs!)), unit: 'ms', baseline: null },
    );
  }
  if (runtime && ui) {
    metrics.push(
      { metric: 'app.search_ui_p50_ms', value: median(ui), unit: 'ms', baseline: null },
      { metric: 'app.search_ui_p95_ms', value: percentile(ui, 95), unit: 'ms', baseline: null },
      { metric: 'app.search_ui_p95_ratio', value: percentile(ui, 95) / percentile(runtime.ftsMs, 95), unit: 'x', baseline: fts },
      { metric: 'app.search_runtime_p50_ms', value: median(runtime.runtimeMs), unit: 'ms', baseline: null },
      { metric: 'app.search_runtime_p95_ms', value: percentile(runtime.runtimeMs, 95), unit: 'ms', baseline: null },
      { metric: 'app.search_runtime_p95_ratio', value: percentile(runtime.runtimeMs, 95) / percentile(runtime.ftsMs, 95), unit: 'x', baseline: fts },
      { metric: 'app.search_fts_p50_ms', value: median(runtime.ftsMs), unit: 'ms', baseline: null },
      { metric: 'app.search_fts_p95_ms', value: percentile(runtime.ftsMs, 95), unit: 'ms', baseline: null },
    );
  }
  return metrics;
}

function targetLines({ loads, runtime, ui }: Results): string[] {
  const check = (ok: boolean) => (ok ? 'meets' : 'MISSES');
  const lines: string[] = [];
  if (loads) {
    const list = median(loads.large.map((p) => p.openMs!));
    lines.push(`target list interactive <= ${TARGETS.listInteractiveMs} ms: ${check(list <= TARGETS.listInteractiveMs)} (median ${fmt(list)} ms over ${loads.large.length} reloads)`);
  }
  if (runtime && ui) {
    const uiP95 = percentile(ui, 95);
    const runtimeP95 = percentile(runtime.runtimeMs, 95);
    lines.push(`target search p95 <= ${TARGETS.searchP95Ms} ms: ${check(uiP95 <= TARGETS.searchP95Ms)} as a person sees it (${fmt(uiP95)} ms), ${check(runtimeP95 <= TARGETS.searchP95Ms)} in the runtime alone (${fmt(runtimeP95)} ms)`);
  }
  return lines;
}

/// The nearest-rank percentile.
function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
