import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { build } from 'vite';
import playwrightConfig from '../../playwright.config';
import { createIdentity } from '../../e2e/people';
import { median, type Metric, type Suite } from '../harness';
import { catchUpBench, crowdBench } from './sync-node';

const root = path.resolve(import.meta.dirname, '../..');
const KEYSTROKES = Number(process.env.BENCH_KEYSTROKES ?? 200);

/// Peer-to-peer sync: a keystroke in one browser rendered in another over direct WebRTC
/// (two headless Chromium contexts, a cloud peer process for signalling, all on 127.0.0.1);
/// catch-up of 10,000 row changes and 20 peers through one cloud peer, in Node.
export const syncSuite: Suite = {
  name: 'sync',
  description: 'keystroke A -> rendered on B over WebRTC; catch-up of 10,000 changes; 20 peers through one cloud peer',
  async run(log) {
    // BENCH_ONLY=keystroke, catchup or crowd runs one part.
    const only = process.env.BENCH_ONLY;
    const metrics: Metric[] = [];
    if (!only || only === 'keystroke') metrics.push(...(await keystrokeBench(log)));
    if (!only || only === 'catchup') metrics.push(...(await catchUpBench(log)));
    if (!only || only === 'crowd') metrics.push(...(await crowdBench(log)));
    return metrics;
  },
};

async function keystrokeBench(log: (line: string) => void): Promise<Metric[]> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'notes-bench-sync-'));
  let cloud: ChildProcess | undefined;
  let browser: Browser | undefined;
  try {
    log('building the app');
    const outDir = path.join(work, 'dist');
    // Profiles read better with function names: the profiled build is not minified.
    await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true, ...(process.env.BENCH_PROFILE_PAGES ? { minify: false } : {}) } });
    const started = await startCloud(outDir, path.join(work, 'data'));
    cloud = started.child;
    log(`cloud peer serving the app at ${started.url}`);
    browser = await chromium.launch({ ...(playwrightConfig.use?.launchOptions ?? {}), headless: true });
    const alice = await personPage(browser, started.url, 'Alice');
    await alice.getByRole('button', { name: 'New note', exact: true }).click();
    await alice.getByRole('textbox', { name: 'Note body' }).click();
    await alice.keyboard.type('Latency ');
    await alice.getByRole('button', { name: 'Share notebook' }).click();
    const linkBox = alice.getByRole('textbox', { name: 'Peer link' });
    await alice.waitForFunction(() => (document.querySelector('input[aria-label="Peer link"]') as HTMLInputElement | null)?.value.includes('#join='));
    const link = await linkBox.inputValue();
    await alice.getByRole('button', { name: 'Close' }).click();
    const bob = await personPage(browser, link, 'Bob');
    await bob.getByRole('list', { name: 'Notes' }).getByRole('listitem').first().getByRole('button').first().click();
    await bob.getByRole('textbox', { name: 'Note body' }).waitFor();
    // Wait for the direct (WebRTC) session, not only the cloud peer's.
    const status = alice.getByRole('status', { name: 'Sync status' });
    await status.locator('summary').click();
    await status.getByText(/Bob \(direct\)/).waitFor({ timeout: 60_000 });
    log('direct WebRTC session up');

    await alice.getByRole('textbox', { name: 'Note body' }).click();
    await alice.keyboard.press('End');
    // Each side stamps the wall clock (both pages run on this machine): A when the key goes
    // down and when its own editor shows it (the baseline: rendering locally), B when its
    // editor shows the character.
    await alice.evaluate(() => {
      const w = window as unknown as { benchDown: number[]; benchLocal: number[] };
      w.benchDown = [];
      w.benchLocal = [];
      const editor = document.querySelector('.ProseMirror')!;
      addEventListener('keydown', () => w.benchDown.push(performance.timeOrigin + performance.now()), true);
      new MutationObserver(() => w.benchLocal.push(performance.timeOrigin + performance.now())).observe(editor, { characterData: true, childList: true, subtree: true });
    });
    // Long tasks (main thread busy > 50 ms) on both pages, to tell a slow keystroke's cause.
    for (const page of [alice, bob]) {
      await page.evaluate(() => {
        const w = window as unknown as { benchLong: [number, number][] };
        w.benchLong = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) w.benchLong.push([performance.timeOrigin + e.startTime, e.duration]);
        }).observe({ type: 'longtask' });
      });
    }
    await bob.evaluate(() => {
      const w = window as unknown as { benchSeen: [number, number][] };
      w.benchSeen = [];
      const editor = document.querySelector('.ProseMirror')!;
      let last = editor.textContent?.length ?? 0;
      new MutationObserver(() => {
        const length = (editor.textContent ?? '').replace(/Alice/g, '').length;
        if (length !== last) {
          last = length;
          w.benchSeen.push([performance.timeOrigin + performance.now(), length]);
        }
      }).observe(editor, { characterData: true, childList: true, subtree: true });
    });
    // BENCH_PROFILE_PAGES=<dir>: CPU profiles of both pages while typing, for DevTools.
    const profileDir = process.env.BENCH_PROFILE_PAGES;
    const profilers = profileDir ? await Promise.all([alice, bob].map((page) => startPageProfile(page))) : [];
    const startLength = await bob.evaluate(() => (document.querySelector('.ProseMirror')!.textContent ?? '').replace(/Alice/g, '').length);
    for (let i = 0; i < KEYSTROKES; i++) {
      await alice.keyboard.press(String.fromCharCode(97 + (i % 26)));
      await alice.waitForTimeout(60);
    }
    await alice.waitForTimeout(1000);
    if (profileDir) {
      fs.mkdirSync(profileDir, { recursive: true });
      for (const [i, name] of ['alice', 'bob'].entries()) await profilers[i]!(path.join(profileDir, `${name}.cpuprofile`));
      log(`page profiles written to ${profileDir}`);
    }
    const down = await alice.evaluate(() => (window as unknown as { benchDown: number[] }).benchDown);
    const localShown = await alice.evaluate(() => (window as unknown as { benchLocal: number[] }).benchLocal);
    const seen = await bob.evaluate(() => (window as unknown as { benchSeen: [number, number][] }).benchSeen);
    const remote: number[] = [];
    const local: number[] = [];
    down.forEach((t, i) => {
      const shown = seen.find(([, length]) => length >= startLength + i + 1);
      if (shown) remote.push(shown[0] - t);
      const own = localShown.find((u) => u >= t);
      if (own !== undefined) local.push(own - t);
    });
    const longTasks = await Promise.all([alice, bob].map((page) => page.evaluate(() => (window as unknown as { benchLong: [number, number][] }).benchLong)));
    const slow = down.flatMap((t, i) => {
      const ms = remote[i];
      if (ms === undefined || ms <= 3 * median(remote)) return [];
      // Long tasks on either page that overlap [key down, shown on B].
      const during = longTasks.flatMap((tasks, who) => tasks.filter(([start, d]) => start < t + ms && start + d > t).map(([start, d]) => `${who === 0 ? 'A' : 'B'}@${(start - t).toFixed(0)}+${d.toFixed(0)}`));
      return [`#${i} ${ms.toFixed(0)}${during.length > 0 ? ` (${during.join(' ')})` : ''}`];
    });
    if (slow.length > 0) log(`slow keystrokes (index, ms, long tasks meanwhile: page@start+duration): ${slow.join(', ')}`);
    log(`long tasks while typing: A ${longTasks[0]!.length} (${longTasks[0]!.reduce((a, [, d]) => a + d, 0).toFixed(0)} ms), B ${longTasks[1]!.length} (${longTasks[1]!.reduce((a, [, d]) => a + d, 0).toFixed(0)} ms)`);
    const pct = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
    log(`${remote.length}/${down.length} keystrokes seen on B; A->B p50 ${median(remote).toFixed(1)} ms, p95 ${pct(remote, 0.95).toFixed(1)} ms (target p95 <= 25 ms); local render p50 ${median(local).toFixed(1)} ms, p95 ${pct(local, 0.95).toFixed(1)} ms`);
    const baseline = 'the keystroke rendered in A\'s own editor, same run';
    return [
      { metric: 'keystroke_a_to_b_p50', value: median(remote), unit: 'ms', baseline: null },
      { metric: 'keystroke_a_to_b_p95', value: pct(remote, 0.95), unit: 'ms', baseline: null },
      { metric: 'keystroke_local_p95', value: pct(local, 0.95), unit: 'ms', baseline: null },
      { metric: 'keystroke_p95_ratio', value: pct(remote, 0.95) / pct(local, 0.95), unit: 'x', baseline },
      { metric: 'keystrokes_delivered', value: remote.length / down.length, unit: 'fraction', baseline: null },
    ];
  } finally {
    await browser?.close();
    if (cloud?.pid && cloud.exitCode === null) process.kill(cloud.pid, 'SIGTERM');
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/// Starts the CPU profiler of a page; the returned function stops it and writes the profile.
async function startPageProfile(page: Page): Promise<(file: string) => Promise<void>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return async (file) => {
    const { profile } = await cdp.send('Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
  };
}

async function personPage(browser: Browser, url: string, name: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await page.getByRole('button', { name: 'Create a new identity' }).waitFor({ timeout: 60_000 });
  await createIdentity(page, name);
  return page;
}

async function startCloud(appDir: string, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cloud-peer/main.ts', '--app', appDir, '--http-port', '0', '--port', '0', '--data', dataDir, '--log-level', 'warn', '--exit-with-parent'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Notes is running at (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`cloud peer exited ${code}`)));
  });
  return { child, url };
}
