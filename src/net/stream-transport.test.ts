import './node-polyfills';
import { streamPair } from '@libp2p/utils';
import { describe, expect, it } from 'vitest';
import { openMemoryDatabase } from '../storage/node';
import { Replica, SyncSession } from '../sync';
import { notesSchema } from '../sync/testing/fixtures';
import { streamTransport } from './stream-transport';

const noTimers = { setTimer: () => () => undefined };
const replica = async () => Replica.open({ db: await openMemoryDatabase(), schema: notesSchema });

async function until(check: () => Promise<boolean>) {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('timed out');
}

describe('streamTransport (libp2p stream, in-memory pair)', () => {
  it('carries a sync session both ways, batches bigger than one stream chunk included', async () => {
    const [a, b] = [await replica(), await replica()];
    await a.transact(Array.from({ length: 2000 }, (_, i) => ({ sql: 'INSERT INTO notes (id, is_pinned) VALUES (?, 1)', params: [`a${i}-${'x'.repeat(40)}`] })));
    await b.execute("INSERT INTO notes (id, is_pinned) VALUES ('from-b', 0)");
    const [sa, sb] = await streamPair();
    const runs = [new SyncSession(a, streamTransport(sa), noTimers).run(), new SyncSession(b, streamTransport(sb), noTimers).run()].map((p) => p.catch((e: unknown) => e));
    await until(async () => (await b.query('SELECT count(*) AS n FROM notes'))[0]!.n === 2001 && (await a.query('SELECT count(*) AS n FROM notes'))[0]!.n === 2001);
    await sa.close();
    expect(await Promise.all(runs)).toEqual([undefined, undefined]);
  });

  it('refuses a message over the size cap before reading it, applying nothing', async () => {
    const victim = await replica();
    const [mine, theirs] = await streamPair();
    const running = new SyncSession(victim, streamTransport(mine, { maxMessageBytes: 1024 }), noTimers).run().catch((e: unknown) => e);
    await streamTransport(theirs).send(new Uint8Array(4096));
    const error = await running;
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toMatch(/length|too long|data/i);
    expect(await victim.query('SELECT count(*) AS n FROM crsql_changes')).toEqual([{ n: 0 }]);
  });

  it('ends a session whose peer goes silent', async () => {
    const victim = await replica();
    const [mine] = await streamPair();
    const started = Date.now();
    const error = await new SyncSession(victim, streamTransport(mine, { readTimeoutMs: 200 }), noTimers).run().catch((e: unknown) => e);
    expect(String(error)).toMatch(/timeout|timed out|abort/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
