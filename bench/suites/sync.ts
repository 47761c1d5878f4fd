import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
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
  const contexts: BrowserContext[] = [];
  try {
    log('building the app');
    const outDir = path.join(work, 'dist');
    // Profiles read better with function names: the profiled build is not minified.
    await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true, ...(process.env.BENCH_PROFILE_PAGES ? { minify: false } : {}) } });
    const started = await startCloud(outDir, path.join(work, 'data'));
    cloud = started.child;
    log(`cloud peer serving the app at ${started.url}`);
    const alice = await personPage(contexts, path.join(work, 'alice'), started.url, 'Alice');
    await alice.getByRole('button', { name: 'New note', exact: true }).click();
    await alice.getByRole('textbox', { name: 'Note body' }).click();
    await alice.keyboard.type('Latency ');
    await alice.getByRole('button', { name: 'Share notebook' }).click();
    const linkBox = alice.getByRole('textbox', { name: 'Peer link' });
    await alice.waitForFunction(() => (document.querySelector('input[aria-label="Peer link"]') as HTMLInputElement | null)?.value.includes('#join='));
    const link = await linkBox.inputValue();
    await alice.getByRole('button', { name: 'Close' }).click();
    const bob = await personPage(contexts, path.join(work, 'bob'), link, 'Bob');
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
    // editor shows the character. "Shown" is the DOM change; "painted" is the end of the
    // next frame (a message posted from its animation frame callback runs after the frame's
    // style, layout and paint), which counts layout wherever it happens.
    for (const page of [alice, bob]) {
      await page.evaluate(() => {
        (window as unknown as { benchStamp: () => [number, number] }).benchStamp = () => {
          const stamp: [number, number] = [performance.timeOrigin + performance.now(), Number.NaN];
          requestAnimationFrame(() => {
            const channel = new MessageChannel();
            channel.port1.onmessage = () => (stamp[1] = performance.timeOrigin + performance.now());
            channel.port2.postMessage(null);
          });
          return stamp;
        };
      });
    }
    await alice.evaluate(() => {
      const w = window as unknown as { benchDown: number[]; benchLocal: [number, number][]; benchStamp: () => [number, number] };
      w.benchDown = [];
      w.benchLocal = [];
      const editor = document.querySelector('.ProseMirror')!;
      addEventListener('keydown', () => w.benchDown.push(performance.timeOrigin + performance.now()), true);
      new MutationObserver(() => w.benchLocal.push(w.benchStamp())).observe(editor, { characterData: true, childList: true, subtree: true });
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
      const w = window as unknown as { benchSeen: [[number, number], number][]; benchStamp: () => [number, number] };
      w.benchSeen = [];
      const editor = document.querySelector('.ProseMirror')!;
      let last = editor.textContent?.length ?? 0;
      new MutationObserver(() => {
        const length = (editor.textContent ?? '').replace(/Alice/g, '').length;
        if (length !== last) {
          last = length;
          w.benchSeen.push([w.benchStamp(), length]);
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
    const localShown = await alice.evaluate(() => (window as unknown as { benchLocal: [number, number][] }).benchLocal);
    const seen = await bob.evaluate(() => (window as unknown as { benchSeen: [[number, number], number][] }).benchSeen);
    const remote: number[] = [];
    const local: number[] = [];
    const remotePainted: number[] = [];
    const localPainted: number[] = [];
    down.forEach((t, i) => {
      const shown = seen.find(([, length]) => length >= startLength + i + 1);
      if (shown) {
        remote.push(shown[0][0] - t);
        if (!Number.isNaN(shown[0][1])) remotePainted.push(shown[0][1] - t);
      }
      const own = localShown.find(([u]) => u >= t);
      if (own !== undefined) {
        local.push(own[0] - t);
        if (!Number.isNaN(own[1])) localPainted.push(own[1] - t);
      }
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
    log(`painted (end of the next frame): A->B p50 ${median(remotePainted).toFixed(1)} ms, p95 ${pct(remotePainted, 0.95).toFixed(1)} ms; local p50 ${median(localPainted).toFixed(1)} ms, p95 ${pct(localPainted, 0.95).toFixed(1)} ms`);
    const baseline = 'the keystroke rendered in A\'s own editor, same run';
    return [
      { metric: 'keystroke_a_to_b_p50', value: median(remote), unit: 'ms', baseline: null },
      { metric: 'keystroke_a_to_b_p95', value: pct(remote, 0.95), unit: 'ms', baseline: null },
      { metric: 'keystroke_local_p95', value: pct(local, 0.95), unit: 'ms', baseline: null },
      { metric: 'keystroke_p95_ratio', value: pct(remote, 0.95) / pct(local, 0.95), unit: 'x', baseline },
      { metric: 'keystroke_a_to_b_painted_p95', value: pct(remotePainted, 0.95), unit: 'ms', baseline: null },
      { metric: 'keystroke_painted_p95_ratio', value: pct(remotePainted, 0.95) / pct(localPainted, 0.95), unit: 'x', baseline },
      { metric: 'keystrokes_delivered', value: remote.length / down.length, unit: 'fraction', baseline: null },
    ];
  } finally {
    for (const context of contexts) await context.close();
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

/// Each person is a browser of their own with a profile on disk, as an installed app has.
/// (In one browser's incognito contexts, the storage workers spent most of the typing inside
/// OPFS file writes, which no installed app does.)
async function personPage(contexts: BrowserContext[], profile: string, url: string, name: string): Promise<Page> {
  const context = await chromium.launchPersistentContext(profile, { ...(playwrightConfig.use?.launchOptions ?? {}), headless: true });
  contexts.push(context);
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  await page.getByRole('button', { name: 'Create a new identity' }).waitFor({ timeout: 60_000 });
  await createIdentity(page, name);
  return page;
}

async function startCloud(appDir: string, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  // BENCH_PROFILE_CLOUD=<dir>: a CPU profile of the cloud peer, written when it exits.
  const profile = process.env.BENCH_PROFILE_CLOUD ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_CLOUD}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/cloud-peer/main.ts', '--app', appDir, '--http-port', '0', '--port', '0', '--data', dataDir, '--log-level', 'warn', '--exit-with-parent'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
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
