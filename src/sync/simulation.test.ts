import { describe, expect, it } from 'vitest';
import { openMemoryDatabase } from '../storage/node';
import * as Y from 'yjs';
import { decodeChangeset, encodeChangeset, Replica, TextOrigin, type DocRef, type TextHandle } from './index';
import { ManualClock, ManualFrames, notesSchema, seededRandom } from './testing/fixtures';

/// A seeded simulation: 3-5 replicas create, pin, delete and concurrently edit notes while
/// messages between them are reordered, duplicated, delayed and dropped; then everything is
/// delivered and the replicas catch up. They must end identical. `SIM_SEEDS` sets how many
/// seeds run (200 in CI); a failing test's name is its seed.
const SEEDS = Number(process.env.SIM_SEEDS ?? 200);
const FIRST_SEED = Number(process.env.SIM_FIRST_SEED ?? 1);
const STEPS = 70;
const IDS = ['a', 'b', 'c'];

type Message =
  | { kind: 'changes'; to: number; bytes: Uint8Array }
  | { kind: 'live'; to: number; ref: DocRef; update: Uint8Array };

const bodyOf = (id: string): DocRef => ({ table: 'notes', column: 'body', pk: [id] });

async function simulate(seed: number): Promise<void> {
  const rand = seededRandom(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const clock = new ManualClock();
  const frames = new ManualFrames();
  const count = 3 + int(3);
  const replicas: Replica[] = [];
  for (let i = 0; i < count; i++) {
    replicas.push(
      await Replica.open({
        db: await openMemoryDatabase(),
        schema: notesSchema,
        scheduler: frames.scheduler,
        clock,
        random: seededRandom(seed * 31 + i),
        // Tiny thresholds so that slots wrap and compactions happen within a few edits.
        text: { ringSize: 3, slotTargetBytes: 48, compactRatio: 0.2, compactMinBytes: 96, busyFlushIntervalMs: 0, compactOnReleaseRatio: 0 },
      }),
    );
  }
  const handles = replicas.map(() => new Map<string, TextHandle>());
  const sentUpTo = replicas.map(() => replicas.map(() => 0));
  let inbox: Message[] = [];
  replicas.forEach((r, from) =>
    r.texts.onUpdate((ref, update, origin) => {
      if (origin !== 'local') return;
      for (let to = 0; to < count; to++) if (to !== from) inbox.push({ kind: 'live', to, ref, update });
    }),
  );

  const deliver = async (message: Message) => {
    const r = replicas[message.to]!;
    if (message.kind === 'changes') await r.applyChangeset(decodeChangeset(message.bytes));
    else await r.texts.applyLiveUpdate(message.ref, message.update);
  };
  // The oracle: every local edit of every replica, applied straight to a plain Yjs doc.
  // Whatever storage and sync do, each replica must end with exactly this text.
  const oracle = new Map(IDS.map((id) => [id, new Y.Doc()]));
  const ours = new Set<unknown>(Object.values(TextOrigin));
  const handle = async (i: number, id: string) => {
    let h = handles[i]!.get(id);
    if (!h) {
      h = await replicas[i]!.texts.openDoc(bodyOf(id));
      h.doc.on('updateV2', (update: Uint8Array, origin: unknown) => {
        if (!ours.has(origin)) Y.applyUpdateV2(oracle.get(id)!, update);
      });
      handles[i]!.set(id, h);
    }
    return h;
  };

  for (let step = 0; step < STEPS; step++) {
    const i = int(count);
    const r = replicas[i]!;
    const id = IDS[int(IDS.length)]!;
    const x = rand();
    if (x < 0.1) {
      await r.execute('INSERT INTO notes (id, is_pinned) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM notes WHERE id = ?)', [id, int(2), id]);
    } else if (x < 0.18) {
      await r.execute('UPDATE notes SET is_pinned = ? WHERE id = ?', [int(2), id]);
    } else if (x < 0.22) {
      await r.execute('DELETE FROM notes WHERE id = ?', [id]);
    } else if (x < 0.5) {
      const text = (await handle(i, id)).doc.getText('t');
      const where = [0, text.length, int(text.length + 1)][int(3)]!;
      if (rand() < 0.75 || text.length === 0) text.insert(where, 'xyz'.slice(0, 1 + int(3)) + String(step % 10));
      else text.delete(Math.min(where, text.length - 1), 1 + int(3));
    } else if (x < 0.55) {
      const h = handles[i]!.get(id);
      if (h) {
        handles[i]!.delete(id);
        await h.release();
      }
    } else if (x < 0.62) {
      frames.frame();
    } else if (x < 0.65) {
      await r.flush();
    } else if (x < 0.78) {
      const to = (i + 1 + int(count - 1)) % count;
      const set = await r.changesSince(sentUpTo[i]![to]!, { excludeSite: replicas[to]!.siteBytes, maxChanges: 1 + int(20) });
      if (set.changes.length === 0) continue;
      sentUpTo[i]![to] = set.upTo;
      const bytes = encodeChangeset(set);
      inbox.push({ kind: 'changes', to, bytes });
      if (rand() < 0.1) inbox.push({ kind: 'changes', to, bytes }); // duplicated
    } else if (inbox.length > 0) {
      const k = int(inbox.length); // any queued message: reordered and delayed
      const message = inbox[k]!;
      if (rand() >= 0.15) inbox.splice(k, 1); // else it stays: delivered again later
      if (rand() < 0.05) continue; // dropped
      await deliver(message);
    }
    clock.advance(int(50));
  }

  // Settle: everything still queued arrives (in random order), editors close, and every
  // replica catches up with every other from the start, as a reconnecting peer would.
  frames.frame();
  while (inbox.length > 0) {
    const [message] = inbox.splice(int(inbox.length), 1);
    await deliver(message!);
  }
  for (let i = 0; i < count; i++) {
    for (const h of handles[i]!.values()) await h.release();
    await replicas[i]!.idle();
  }
  inbox = [];
  for (let round = 0; round < 2; round++) {
    for (let from = 0; from < count; from++) {
      for (let to = 0; to < count; to++) {
        if (from === to) continue;
        await replicas[to]!.applyChangeset(await replicas[from]!.changesSince(0));
      }
    }
  }
  await Promise.all(replicas.map((r) => r.flush()));

  const rows = await Promise.all(replicas.map((r) => r.query('SELECT id, is_pinned, body FROM notes ORDER BY id')));
  for (let i = 1; i < count; i++) expect(rows[i], `rows of replica ${i} vs 0`).toEqual(rows[0]);

  for (const id of IDS) {
    const texts: string[] = [];
    for (const r of replicas) {
      const h = await r.texts.openDoc(bodyOf(id));
      expect(h.doc.store.pendingStructs, `pending Yjs structs in ${id}`).toBeNull();
      expect(h.doc.store.pendingDs, `pending Yjs deletions in ${id}`).toBeNull();
      texts.push(h.doc.getText('t').toString());
      await h.release();
    }
    for (let i = 1; i < count; i++) expect(texts[i], `text of ${id} on replica ${i} vs 0`).toBe(texts[0]);
    expect(texts[0], `text of ${id} vs every edit made`).toBe(oracle.get(id)!.getText('t').toString());
    const row = rows[0]!.find((r) => r.id === id);
    if (row && texts[0] !== '') expect(row.body, `readable text of ${id}`).toBe(texts[0]);
  }
  await Promise.all(replicas.map((r) => r.close()));
}

describe('convergence under reordered, duplicated, delayed and dropped messages', () => {
  const seeds = Array.from({ length: SEEDS }, (_, k) => FIRST_SEED + k);
  it.each(seeds)('seed %i', async (seed) => {
    await simulate(seed);
  });
});
