import { compileSyncSchema } from '../../schema';
import type { Clock, Scheduler } from '../ports';

/// The seed schema of the notes app, as the issue states it.
export const NOTES_SQL =
  'CREATE TABLE notes (id TEXT PRIMARY KEY, body REALTIME_TEXT, is_pinned LWW_INTEGER, cursor EPHEMERAL_INTEGER);';
export const notesSchema = compileSyncSchema(NOTES_SQL);

/// A deterministic PRNG (mulberry32): simulations never use Math.random.
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/// A clock that moves only when told.
export class ManualClock implements Clock {
  constructor(private time = 1_700_000_000_000) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

/// A scheduler whose "frames" run when the test calls `frame()`.
export class ManualFrames {
  private callbacks: (() => void)[] = [];
  readonly scheduler: Scheduler = (callback) => {
    this.callbacks.push(callback);
    return () => {
      this.callbacks = this.callbacks.filter((c) => c !== callback);
    };
  };
  get pending(): number {
    return this.callbacks.length;
  }
  frame(): void {
    const due = this.callbacks;
    this.callbacks = [];
    for (const cb of due) cb();
  }
}
