import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { compileSyncSchema } from '../../src/schema';
import { openFileDatabase } from '../../src/storage/node';
import { Replica, type Scheduler } from '../../src/sync';
import { cpuMs, median, type Metric, type Suite } from '../harness';
import { loadTrace, type Trace } from '../traces';

const schema = compileSyncSchema('CREATE TABLE notes (id TEXT PRIMARY KEY, body REALTIME_TEXT, is_pinned LWW_INTEGER, cursor EPHEMERAL_INTEGER);');
const NOTE = { table: 'notes', column: 'body', pk: ['note-1'] } as const;
const FRAME_MS = 16;
const LOAD_RUNS = 7;
/// Rounds of alternated runs; medians over them. This machine is noisy: more is steadier.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);

/// Replays a trace edit by edit through a REALTIME_TEXT cell stored in a cr-sqlite file, and
/// the same edits through raw in-memory Yjs in the same process.
export const realtimeTextSuite: Suite = {
  name: 'realtime-text',
  description: 'REALTIME_TEXT replay of editing traces vs raw Yjs (CPU, stored bytes, rows, load)',
  async run(log) {
    const metrics: Metric[] = [];
    for (const name of (process.env.BENCH_TRACES?.split(',') ?? ['automerge-paper', 'rustcode', 'sveltecomponent'])) {
      const trace = loadTrace(name);
      const prefix = name === 'automerge-paper' ? 'realtime_text' : `realtime_text.${name}`;
      metrics.push(...(await measure(trace, prefix, log)));
    }
    return metrics;
  },
};

async function measure(trace: Trace, prefix: string, log: (line: string) => void): Promise<Metric[]> {
  const edits = trace.txns.length;
  log(`${trace.name}: ${edits} transactions, final ${trace.endContent.length} chars`);

  // Alternate the runs and take medians: this machine is shared and noisy.
  const raws = [replayRawYjs(trace)];
  const runs = [];
  for (let round = 0; round < ROUNDS; round++) {
    runs.push(await replayThroughRuntime(trace));
    raws.push(replayRawYjs(trace));
  }
  const first = raws[0]!;
  const rawCpu = median(raws.map((r) => r.cpu));
  const runtime = { ...runs[runs.length - 1]!, cpu: median(runs.map((r) => r.cpu)) };
  log(`raw Yjs cpu ${raws.map((r) => r.cpu.toFixed(0)).join(' / ')} ms; runtime cpu ${runs.map((r) => r.cpu.toFixed(0)).join(' / ')} ms (last run: frames ${runtime.frameCpu.toFixed(0)}, close ${runtime.closeCpu.toFixed(0)}, ${runtime.flushes} flushes, ${runtime.compactions} compactions)`);

  const snapshot = first.snapshot;
  for (const run of runs.slice(0, -1)) fs.rmSync(path.dirname(run.file), { recursive: true, force: true });
  const { loadMs, parseMs } = await measureLoad(trace, runtime.file, snapshot);
  const rt = `${prefix}`;
  return [
    { metric: `${rt}.cpu_ratio`, value: runtime.cpu / rawCpu, unit: 'x', baseline: 'raw Yjs applying the same edits in memory' },
    { metric: `${rt}.cpu_ms`, value: runtime.cpu, unit: 'ms', baseline: null },
    { metric: `${rt}.raw_yjs_cpu_ms`, value: rawCpu, unit: 'ms', baseline: null },
    { metric: `${rt}.bytes_ratio`, value: runtime.storedBytes / snapshot.byteLength, unit: 'x', baseline: 'Yjs V2 snapshot of the final document' },
    { metric: `${rt}.stored_bytes`, value: runtime.storedBytes, unit: 'B', baseline: null },
    { metric: `${rt}.snapshot_bytes`, value: snapshot.byteLength, unit: 'B', baseline: null },
    { metric: `${rt}.rows`, value: runtime.rows, unit: 'rows', baseline: null },
    { metric: `${rt}.clock_rows`, value: runtime.clockRows, unit: 'rows', baseline: null },
    { metric: `${rt}.load_ratio`, value: loadMs / parseMs, unit: 'x', baseline: 'Y.applyUpdateV2 of the V2 snapshot' },
    { metric: `${rt}.load_ms`, value: loadMs, unit: 'ms', baseline: null },
    { metric: `${rt}.parse_ms`, value: parseMs, unit: 'ms', baseline: null },
    { metric: `${rt}.bytes_written_per_edit`, value: runtime.bytesWritten / edits, unit: 'B', baseline: null },
  ];
}

function replayRawYjs(trace: Trace): { cpu: number; snapshot: Uint8Array } {
  const doc = new Y.Doc();
  const text = doc.getText('text');
  const t0 = cpuMs();
  if (trace.startContent) text.insert(0, trace.startContent);
  applyEdits(doc, text, trace.txns, 0, Infinity);
  const cpu = cpuMs() - t0;
  if (text.toString() !== trace.endContent) throw new Error(`${trace.name}: raw Yjs replay diverged from endContent`);
  const snapshot = Y.encodeStateAsUpdateV2(doc);
  doc.destroy();
  return { cpu, snapshot };
}

/// Applies transactions from `from` on, one Yjs transaction each, until `budgetMs` of wall
/// time has passed; returns where it stopped. A plain synchronous loop for both runs, as an
/// editor's event handlers would be (a hot loop inside an async function optimises worse).
function applyEdits(doc: Y.Doc, text: Y.Text, txns: Trace['txns'], from: number, budgetMs: number): number {
  const start = performance.now();
  let i = from;
  while (i < txns.length) {
    const patches = txns[i++]!;
    doc.transact(() => {
      for (const [pos, del, ins] of patches) {
        if (del > 0) text.delete(pos, del);
        if (ins) text.insert(pos, ins);
      }
    });
    if ((i & 63) === 0 && performance.now() - start >= budgetMs) break;
  }
  return i;
}

/// A scheduler driven by the replay loop: a "frame" passes every FRAME_MS of wall time,
/// as requestAnimationFrame would while the page stays busy typing.
function frameScheduler(): { scheduler: Scheduler; frame: () => void } {
  let callbacks: (() => void)[] = [];
  return {
    scheduler: (cb) => {
      callbacks.push(cb);
      return () => (callbacks = callbacks.filter((c) => c !== cb));
    },
    frame: () => {
      const due = callbacks;
      callbacks = [];
      for (const cb of due) cb();
    },
  };
}

async function replayThroughRuntime(trace: Trace) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-rt-'));
  const file = path.join(dir, 'notes.db');
  try {
    const { scheduler, frame } = frameScheduler();
    const replica = await Replica.open({ db: await openFileDatabase(file), schema, scheduler });
    await replica.execute('INSERT INTO notes (id, is_pinned) VALUES (?, 0)', [NOTE.pk[0]]);
    const flushCounter = countStatements(replica);
    const handle = await replica.texts.openDoc(NOTE);
    const doc = handle.doc;
    const text = doc.getText('text');

    const t0 = cpuMs();
    let frameCpu = 0;
    if (trace.startContent) text.insert(0, trace.startContent);
    for (let i = 0; i < trace.txns.length; ) {
      i = applyEdits(doc, text, trace.txns, i, FRAME_MS);
      const f0 = cpuMs();
      frame();
      await replica.idle();
      frameCpu += cpuMs() - f0;
    }
    const c0 = cpuMs();
    await handle.release();
    await replica.flush();
    const closeCpu = cpuMs() - c0;
    const cpu = cpuMs() - t0;

    const [stored] = await replica.query('SELECT count(*) AS rows, coalesce(sum(length(data)), 0) AS bytes FROM sync_text_slots');
    const [clock] = await replica.query('SELECT count(*) AS n FROM sync_text_slots__crsql_clock');
    const stats = flushCounter();
    await replica.close();

    return {
      file,
      cpu,
      storedBytes: Number(stored!.bytes),
      rows: Number(stored!.rows),
      clockRows: Number(clock!.n),
      frameCpu,
      closeCpu,
      ...stats,
    };
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/// Load time of the stored note against parsing the snapshot, alternated in one phase so
/// both see the same heap.
async function measureLoad(trace: Trace, file: string, snapshot: Uint8Array): Promise<{ loadMs: number; parseMs: number }> {
  const loads: number[] = [];
  const parses: number[] = [];
  const replica = await Replica.open({ db: await openFileDatabase(file), schema });
  try {
    for (let i = 0; i < LOAD_RUNS; i++) {
      const t0 = performance.now();
      const parsed = new Y.Doc();
      Y.applyUpdateV2(parsed, snapshot);
      parses.push(performance.now() - t0);
      parsed.destroy();

      const t1 = performance.now();
      const handle = await replica.texts.openDoc(NOTE);
      loads.push(performance.now() - t1);
      if (handle.doc.getText('text').toString() !== trace.endContent) throw new Error(`${trace.name}: stored document diverged from endContent`);
      await handle.release();
    }
    const [readable] = await replica.query('SELECT body FROM notes WHERE id = ?', [NOTE.pk[0]]);
    if (readable?.body !== trace.endContent) throw new Error(`${trace.name}: readable text in the notes table is not the document`);
  } finally {
    await replica.close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
  return { loadMs: median(loads), parseMs: median(parses) };
}

/// Counts slot writes by watching the change feed's db_version; cheap and outside the hot path.
function countStatements(replica: Replica) {
  let flushes = 0;
  let compactions = 0;
  let bytesWritten = 0;
  const off = replica.texts.onSlotWritten((info) => {
    if (info.slot === 0) compactions++;
    else flushes++;
    bytesWritten += info.bytes;
  });
  return () => {
    off();
    return { flushes, compactions, bytesWritten };
  };
}
