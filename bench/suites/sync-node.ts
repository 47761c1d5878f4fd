import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CloudPeer } from '../../src/cloud-peer/cloud-peer';
import type { CloudPeerConfig } from '../../src/cloud-peer/config';
import { createNodePeer, NotebookNetwork, type SharedNotebook } from '../../src/net/node';
import { testDevice } from '../../src/net/testing/people';
import { appSchema, noteBody } from '../../src/notes/app-schema';
import { createNote } from '../../src/notes/model';
import { installNoteHomes, installNotebookKeys, NotebookScope } from '../../src/notes/sharing';
import { openMemoryDatabase } from '../../src/storage/node';
import { Replica } from '../../src/sync';
import type { Metric } from '../harness';

/// The target speaks of 10,000 row changes: rows of crsql_changes, i.e. 2,000 new notes of
/// five columns. BENCH_CATCHUP_NOTES=10000 measures 10,000 whole notes (50,000 changes).
const CATCHUP_NOTES = Number(process.env.BENCH_CATCHUP_NOTES ?? 2000);
const CROWD = Number(process.env.BENCH_PEERS ?? 20);
const EDITS = Number(process.env.BENCH_EDITS ?? 1000);

type Log = (line: string) => void;

async function cloudPeer(dir: string): Promise<CloudPeer> {
  const config: CloudPeerConfig = {
    listen: ['/ip4/127.0.0.1/tcp/0/ws'],
    announce: [],
    dataDir: dir,
    notebooks: [],
    allowIdentities: null,
    bootstrap: [],
    logLevel: 'error',
    appDir: null,
    httpHost: '127.0.0.1',
    httpPort: 0,
    exitWithParent: false,
  };
  return CloudPeer.start(config, () => undefined);
}

async function client(name: string, seed: number, notebook: SharedNotebook) {
  const me = testDevice(name, seed);
  const replica = await Replica.open({ db: await openMemoryDatabase(), schema: appSchema });
  await installNoteHomes(replica);
  await installNotebookKeys(replica);
  const notebooks = [notebook];
  const node = await createNodePeer({ deviceSeed: me.device.secretKey, listen: [], relay: false });
  const network = new NotebookNetwork({
    node,
    replica,
    certificate: me.certificate,
    notebooks: async () => notebooks,
    scopeFor: (id) => new NotebookScope(replica, id),
    dialMembers: false,
    webrtc: false,
  });
  return {
    replica,
    network,
    async start() {
      await node.start();
      await network.start();
    },
    async stop() {
      await network.stop();
      await node.stop();
    },
  };
}

async function until(check: () => Promise<boolean>, what: string, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out: ${what}`);
}

const countNotes = async (r: Replica) => Number((await r.query('SELECT count(*) AS n FROM notes'))[0]!.n);

/// A peer offline while 10,000 rows change elsewhere, then reconnecting to the cloud peer
/// that has them: time from its network start to holding all of them. Baseline: the same
/// changes moved between two replicas in this process in the same batches, no network.
export async function catchUpBench(log: Log): Promise<Metric[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'notes-bench-catchup-'));
  const cloud = await cloudPeer(dir);
  try {
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const notebookId = crypto.randomUUID();
    const shared: SharedNotebook = { notebookId, secret, bootstrap: cloud.addresses(), keepOnCloud: true };
    const writer = await client('A', 1, shared);
    await writer.replica.execute('INSERT INTO notebooks (id, name) VALUES (?, ?)', [notebookId, 'Bench']);
    for (let t = 0; t < 100; t++) {
      await writer.replica.transact(
        Array.from({ length: CATCHUP_NOTES / 100 }, (_, i) => ({ sql: 'INSERT INTO notes (id, notebook_id, is_pinned, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', params: [`n${t}-${i}`, notebookId, i % 2, t, t] })),
      );
    }
    await writer.start();
    await until(async () => (await countNotes(cloud.replica)) === CATCHUP_NOTES, 'the cloud peer to hold every row');
    await writer.stop();
    const changes = (await cloud.replica.query('SELECT count(*) AS n FROM crsql_changes'))[0]!.n;
    log(`the cloud peer holds ${CATCHUP_NOTES} notes (${changes} row changes in crsql_changes); the writer went offline`);

    const b = await client('B', 2, { ...shared, keepOnCloud: false });
    const profiler = process.env.BENCH_PROFILE ? await startProfile() : null;
    const t0 = performance.now();
    await b.start();
    await until(async () => (await countNotes(b.replica)) === CATCHUP_NOTES, 'b to catch up');
    const networked = performance.now() - t0;
    await profiler?.stop(process.env.BENCH_PROFILE!);
    await b.stop();

    // Baseline: replica to replica in this process, the session's batch size.
    const plain = await Replica.open({ db: await openMemoryDatabase(), schema: appSchema });
    const t1 = performance.now();
    let since = 0;
    for (;;) {
      const set = await cloud.replica.changesSince(since, { maxChanges: 2000 });
      if (set.upTo <= since) break;
      await plain.applyChangeset(set);
      since = set.upTo;
    }
    const direct = performance.now() - t1;
    log(`catch-up of ${changes} changes (${CATCHUP_NOTES} notes): ${networked.toFixed(0)} ms over libp2p (target <= 1500 ms for 10,000) vs ${direct.toFixed(0)} ms in-process (${(networked / direct).toFixed(2)}x)`);
    return [
      { metric: `catch_up_${changes}_changes`, value: networked, unit: 'ms', baseline: null },
      { metric: 'catch_up_ratio', value: networked / direct, unit: 'x', baseline: 'the same changesets applied replica to replica in-process' },
    ];
  } finally {
    await cloud.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/// CROWD peers sharing one notebook through one cloud peer (no direct connections), each
/// making EDITS edits at once (half typing into its own note, half row updates): time until
/// every replica holds the same thing, and the process's peak memory. Baseline: one replica
/// making all of the edits alone, no network.
export async function crowdBench(log: Log): Promise<Metric[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'notes-bench-crowd-'));
  const cloud = await cloudPeer(dir);
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const notebookId = crypto.randomUUID();
    const shared: SharedNotebook = { notebookId, secret, bootstrap: cloud.addresses(), keepOnCloud: true };
    const peers = await Promise.all(Array.from({ length: CROWD }, (_, i) => client(`P${i}`, 101 + i, shared)));
    await peers[0]!.replica.execute('INSERT INTO notebooks (id, name) VALUES (?, ?)', [notebookId, 'Crowd']);
    const baseRss = process.memoryUsage().rss;
    await Promise.all(peers.map((p) => p.start()));
    const t0 = performance.now();
    await Promise.all(peers.map((p, i) => editAlone(p.replica, notebookId, `peer-${i}`)));
    const edited = performance.now() - t0;
    await until(async () => {
      for (const p of [...peers, { replica: cloud.replica }]) if ((await fingerprint(p.replica, CROWD)) === null) return false;
      const prints = await Promise.all(peers.map((p) => fingerprint(p.replica, CROWD)));
      return prints.every((f) => f === prints[0]);
    }, 'the crowd to converge', 300_000);
    const converged = performance.now() - t0;
    await Promise.all(peers.map((p) => p.stop()));

    const alone = await Replica.open({ db: await openMemoryDatabase(), schema: appSchema });
    await alone.execute('INSERT INTO notebooks (id, name) VALUES (?, ?)', [notebookId, 'Crowd']);
    const t1 = performance.now();
    for (let i = 0; i < CROWD; i++) await editAlone(alone, notebookId, `peer-${i}`);
    const baseline = performance.now() - t1;
    log(`${CROWD} peers x ${EDITS} edits: edits done in ${edited.toFixed(0)} ms, converged in ${converged.toFixed(0)} ms vs ${baseline.toFixed(0)} ms for one replica alone (${(converged / baseline).toFixed(2)}x); peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (${((peak - baseRss) / 2 ** 20).toFixed(0)} MiB above the idle peers)`);
    return [
      { metric: 'crowd_converge', value: converged, unit: 'ms', baseline: null },
      { metric: 'crowd_converge_ratio', value: converged / baseline, unit: 'x', baseline: `one replica making all ${CROWD * EDITS} edits alone` },
      { metric: 'crowd_peak_rss', value: peak / 2 ** 20, unit: 'MiB', baseline: null },
      { metric: 'crowd_peak_rss_above_idle', value: (peak - baseRss) / 2 ** 20, unit: 'MiB', baseline: 'the same process with the peers started, before the edits' },
    ];
  } finally {
    clearInterval(sampler);
    await cloud.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/// EDITS edits by one peer: a note of its own, typing into it, and row updates.
async function editAlone(replica: Replica, notebookId: string, who: string): Promise<void> {
  const id = await createNote(replica, notebookId);
  await replica.execute('UPDATE notes SET created_at = 1 WHERE id = ?', [id]);
  await replica.execute('INSERT INTO devices (device_key, display_name) VALUES (?, ?)', [`${who}-${id}`, who]);
  const text = await replica.texts.openDoc(noteBody(id));
  for (let e = 0; e < EDITS; e++) {
    if (e % 2 === 0) {
      text.doc.getText('t').insert(text.doc.getText('t').length, String.fromCharCode(97 + (e % 26)));
      if (e % 20 === 0) await new Promise((r) => setTimeout(r, 0));
    } else {
      await replica.execute('UPDATE notes SET updated_at = ? WHERE id = ?', [e, id]);
    }
  }
  await text.release();
}

/// What every replica must agree on: each note's row and its text; null until all arrived.
async function fingerprint(replica: Replica, notes: number): Promise<string | null> {
  const rows = await replica.query("SELECT id, updated_at, coalesce(body, '') AS body FROM notes ORDER BY id");
  if (rows.length !== notes) return null;
  const texts = await Promise.all(
    rows.map(async (r) => {
      const handle = await replica.texts.openDoc(noteBody(r.id as string));
      const length = handle.doc.getText('t').length;
      await handle.release();
      return length;
    }),
  );
  if (texts.some((t) => t !== EDITS / 2)) return null;
  return JSON.stringify(rows.map((r, i) => [r.id, r.updated_at, texts[i]]));
}

/// A CPU profile of one phase (BENCH_PROFILE=<file>), for chrome://inspect or speedscope.
async function startProfile() {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = await session.post('Profiler.stop');
      fs.writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}
