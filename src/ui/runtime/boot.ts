import type { BrowserDatabase } from '../../storage/browser';
import { Replica, systemClock, type Scheduler } from '../../sync';
import { appSchema } from '../../notes/app-schema';
import { noteIndexStatements } from '../../notes/model';
import { NOTES_DATABASE, openNotesStorage } from './storage';
import { noteHomesStatements, notebookKeysStatements } from '../../notes/sharing';

export interface AppRuntime {
  readonly replica: Replica;
  readonly storage: BrowserDatabase;
  readonly writer: number;
}

/// Flushes at the next animation frame; a hidden tab gets no frames, so a timer stands in.
const frameScheduler: Scheduler = (callback) => {
  if (document.visibilityState === 'hidden') {
    const handle = setTimeout(callback, 50);
    return () => clearTimeout(handle);
  }
  const handle = requestAnimationFrame(() => callback());
  return () => cancelAnimationFrame(handle);
};

const cryptoRandom = (): number => crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32;

/// Each open tab writes its own REALTIME_TEXT slots: lease the lowest free writer number
/// with a Web Lock held for the life of the tab.
async function leaseWriter(): Promise<number> {
  for (let writer = 0; writer < 256; writer++) {
    const leased = await new Promise<boolean>((resolve) => {
      void navigator.locks.request(`${NOTES_DATABASE}-writer-${writer}`, { ifAvailable: true }, (lock) => {
        resolve(lock !== null);
        return lock ? new Promise<never>(() => undefined) : undefined;
      });
    });
    if (leased) return writer;
  }
  throw new Error('more than 256 tabs have the notes open');
}

/// Opens the notes on this device: the database in its worker (`opening`, when the caller
/// started it already), and the replica over it.
export async function bootRuntime(opening: Promise<BrowserDatabase> = openNotesStorage()): Promise<AppRuntime> {
  performance.mark('notes:runtime-start');
  const storage = await opening;
  performance.mark('notes:storage-open');
  const writer = await leaseWriter();
  const replica = await Replica.open({
    db: storage,
    schema: appSchema,
    scheduler: frameScheduler,
    clock: systemClock,
    random: cryptoRandom,
    writer,
    // The note list's titles and search follow typing closely. Storage (and so the change
    // feed to peers) takes a typist's edits every 250 ms rather than at every short pause;
    // peers see each keystroke live regardless.
    text: { readableTextIntervalMs: 400, idleFlushMs: 300 },
  });
  performance.mark('notes:replica-open');
  // Local tables of the sharing layer: which notebook each note lives in (so a delete can be
  // routed to that notebook's peers) and the secrets of shared notebooks.
  // One transaction: each write is three trips to the worker (and this is on the way to
  // the first paint of the list).
  await replica.transact([...noteHomesStatements(replica), ...notebookKeysStatements(), ...noteIndexStatements(replica)]);
  storage.onRemoteWrite(() => {
    replica.catchUp().catch((error: unknown) => console.error('could not take in another tab\'s changes', error));
  });
  // Ask the browser once, at start, not to evict the notes; Settings shows the answer.
  void storage.persist().catch(() => false);
  // Edits reach storage within a frame; leaving the page must not wait for one.
  addEventListener('pagehide', () => void replica.flush());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') void replica.flush();
  });
  performance.mark('notes:runtime-ready');
  return { replica, storage, writer };
}
