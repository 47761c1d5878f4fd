import { afterEach, describe, expect, it } from 'vitest';
import type { Libp2p } from '@libp2p/interface';
import { openMemoryDatabase } from '../storage/node';
import { Replica } from '../sync';
import { notesSchema } from '../sync/testing/fixtures';
import type { MessageTransport, SyncScope } from '../sync';
import { createNodePeer } from './node-libp2p';
import { encodeMembers, NotebookNetwork, type SharedNotebook } from './notebook-network';
import { testDevice } from './testing/people';
import { until } from './testing/until';

// The network layer is generic over scopes; the whole replica is "the notebook" here (the
// notes app's NotebookScope is tested in src/notes).
const everything = (): SyncScope | undefined => undefined;

const started: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of started.splice(0).reverse()) await s.stop().catch(() => undefined);
});

async function peer(name: string, seed: number, options: { listen?: string[]; relay?: boolean; notebooks: () => SharedNotebook[]; dialMembers: boolean; acceptKeep?: boolean; logs?: string[]; readTimeoutMs?: number; heartbeatMs?: number }) {
  const me = testDevice(name, seed);
  const node: Libp2p = await createNodePeer({ deviceSeed: me.device.secretKey, listen: options.listen ?? [], relay: options.relay ?? false });
  const replica = await Replica.open({ db: await openMemoryDatabase(), schema: notesSchema });
  const kept: SharedNotebook[] = [];
  const network = new NotebookNetwork({
    node,
    replica,
    certificate: me.certificate,
    notebooks: async () => [...options.notebooks(), ...kept],
    scopeFor: everything as unknown as (id: string) => SyncScope,
    dialMembers: options.dialMembers,
    webrtc: false,
    acceptKeep: options.acceptKeep ? async (r) => (kept.push({ notebookId: r.notebookId, secret: r.secret, bootstrap: [], keepOnCloud: false }), true) : undefined,
    log: (_level, message) => options.logs?.push(message),
    maxMessageBytes: 1 << 20,
    readTimeoutMs: options.readTimeoutMs,
    heartbeatMs: options.heartbeatMs,
  });
  await node.start();
  await network.start();
  started.push({ stop: async () => (await network.stop(), await node.stop(), await replica.close()) });
  return { node, replica, network, kept };
}

const count = async (r: Replica) => Number((await r.query('SELECT count(*) AS n FROM notes'))[0]!.n);

describe('NotebookNetwork over real libp2p (WebSockets, relay) on 127.0.0.1', () => {
  it('hands a notebook to the cloud peer, syncs through it, and connects the members to each other', async () => {
    const cloud = await peer('Cloud', 1, { listen: ['/ip4/127.0.0.1/tcp/0/ws'], relay: true, notebooks: () => [], dialMembers: false, acceptKeep: true });
    const addr = cloud.node.getMultiaddrs()[0]!.toString();
    const notebook: SharedNotebook = { notebookId: 'nb-1', secret: new Uint8Array(32).fill(5), bootstrap: [addr], keepOnCloud: true };
    const a = await peer('Alice', 2, { notebooks: () => [notebook], dialMembers: true });
    await a.replica.execute("INSERT INTO notes (id, is_pinned) VALUES ('from-a', 1)");
    await until(async () => (await count(cloud.replica)) === 1, 'the cloud peer to keep a copy');
    expect(cloud.kept.map((k) => k.notebookId)).toEqual(['nb-1']);

    const b = await peer('Bob', 3, { notebooks: () => [{ ...notebook, keepOnCloud: false }], dialMembers: true });
    await until(async () => (await count(b.replica)) === 1, 'b to get a\'s note');
    // The members find each other through the cloud peer and sync directly (relayed here:
    // Node has no WebRTC).
    await until(() => a.network.status().peers.some((p) => p.name === 'Bob'), 'a session between a and b');
    const toBob = a.network.status().peers.find((p) => p.name === 'Bob')!;
    expect(toBob.route).toBe('relayed');
    expect(a.network.status().peers.find((p) => p.name === 'Cloud')!.route).toBe('cloud');
    await b.replica.execute("UPDATE notes SET is_pinned = 0 WHERE id = 'from-a'");
    await until(async () => (await a.replica.query('SELECT is_pinned FROM notes'))[0]!.is_pinned === 0, 'b\'s unpin on a');
  }, 60_000);

  it('relays a keystroke to a member only when that member has no session with its author', async () => {
    const cloud = await peer('Cloud', 1, { listen: ['/ip4/127.0.0.1/tcp/0/ws'], relay: true, notebooks: () => [], dialMembers: false, acceptKeep: true });
    const notebook: SharedNotebook = { notebookId: 'nb-1', secret: new Uint8Array(32).fill(5), bootstrap: [cloud.node.getMultiaddrs()[0]!.toString()], keepOnCloud: true };
    const a = await peer('Alice', 2, { notebooks: () => [notebook], dialMembers: true });
    await a.replica.execute("INSERT INTO notes (id) VALUES ('n')");
    await until(async () => (await count(cloud.replica)) === 1, 'the cloud peer to keep a copy');
    const b = await peer('Bob', 3, { notebooks: () => [{ ...notebook, keepOnCloud: false }], dialMembers: true });
    await until(() => a.network.status().peers.some((p) => p.name === 'Bob'), 'a session between a and b');
    let received = 0;
    b.replica.texts.onUpdate((_ref, _update, origin) => origin === 'remote-live' && received++);
    const doc = (await a.replica.texts.openDoc({ table: 'notes', column: 'body', pk: ['n'] })).doc;
    const hb = await b.replica.texts.openDoc({ table: 'notes', column: 'body', pk: ['n'] });
    // Each keystroke reaches b once: directly. (The cloud peer learns of the a-b session
    // through the members stream; until it has, b gets a second copy through it.)
    const keystroke = async (char: string) => {
      const before = received;
      doc.getText('t').insert(doc.getText('t').length, char);
      await until(async () => hb.doc.getText('t').toString().endsWith(char), `keystroke ${char} on b`);
      await new Promise((resolve) => setTimeout(resolve, 300)); // room for a relayed copy
      return received - before;
    };
    let tries = 0;
    while ((await keystroke('x')) !== 1) if (++tries > 20) throw new Error('every keystroke reached b twice');
    expect([await keystroke('y'), await keystroke('z')]).toEqual([1, 1]);
    await hb.release();
  }, 60_000);

  it('keeps the members stream and the sessions open past the read timeout: both sides send heartbeats', async () => {
    const quick = { readTimeoutMs: 1500, heartbeatMs: 400 };
    const cloudLogs: string[] = [];
    const aliceLogs: string[] = [];
    const cloud = await peer('Cloud', 1, { listen: ['/ip4/127.0.0.1/tcp/0/ws'], relay: true, notebooks: () => [], dialMembers: false, acceptKeep: true, logs: cloudLogs, ...quick });
    const notebook: SharedNotebook = { notebookId: 'nb-1', secret: new Uint8Array(32).fill(5), bootstrap: [cloud.node.getMultiaddrs()[0]!.toString()], keepOnCloud: true };
    const a = await peer('Alice', 2, { notebooks: () => [notebook], dialMembers: true, logs: aliceLogs, ...quick });
    const b = await peer('Bob', 3, { notebooks: () => [{ ...notebook, keepOnCloud: false }], dialMembers: true, ...quick });
    await until(() => a.network.status().peers.some((p) => p.name === 'Bob'), 'a session between a and b');
    await new Promise((resolve) => setTimeout(resolve, 4000)); // more than two read timeouts
    expect(cloudLogs.filter((l) => /ended|replaced/.test(l))).toEqual([]);
    expect(aliceLogs.filter((l) => /ended|replaced|via/.test(l))).toEqual([]);
    expect(b.network.status().peers.map((p) => p.name).sort()).toEqual(['Alice', 'Cloud']);
  }, 60_000);

  it('gives a peer with the wrong secret nothing', async () => {
    const secret = new Uint8Array(32).fill(5);
    const cloud = await peer('Cloud', 1, { listen: ['/ip4/127.0.0.1/tcp/0/ws'], relay: true, notebooks: () => [{ notebookId: 'nb-1', secret, bootstrap: [], keepOnCloud: false }], dialMembers: false });
    await cloud.replica.execute("INSERT INTO notes (id) VALUES ('secret-note')");
    const addr = cloud.node.getMultiaddrs()[0]!.toString();
    const eve = await peer('Eve', 4, { notebooks: () => [{ notebookId: 'nb-1', secret: new Uint8Array(32).fill(6), bootstrap: [addr], keepOnCloud: false }], dialMembers: true });
    await until(() => eve.network.status().lastError !== null, 'the refusal');
    expect(eve.network.status().lastError).toMatch(/unknown-notebook/);
    expect(await count(eve.replica)).toBe(0);
    expect(eve.network.status().peers).toEqual([]);
  }, 60_000);
});

describe('a cloud peer\'s record of which members a member is linked to', () => {
  /// A members stream the test drives: each `say` is a members list from the member.
  function membersStream() {
    const queue: Uint8Array[] = [];
    let wake: (() => void) | null = null;
    let closed = false;
    const transport: MessageTransport = {
      send: async () => undefined,
      incoming: {
        async *[Symbol.asyncIterator]() {
          for (;;) {
            while (queue.length > 0) yield queue.shift()!;
            if (closed) return;
            await new Promise<void>((resolve) => (wake = resolve));
          }
        },
      },
      close: () => ((closed = true), wake?.()),
    };
    const say = (members: string[]) => (queue.push(encodeMembers(members)), wake?.());
    return { transport, say };
  }

  // White-box: a members stream that is replaced while the old one is still open (the member
  // reconnected) takes a hung connection to make over the network, so the streams are driven here.
  it('keeps the links a member\'s newest members stream sent when an older stream of that member ends', async () => {
    const cloud = await peer('Cloud', 1, { listen: ['/ip4/127.0.0.1/tcp/0/ws'], relay: true, notebooks: () => [], dialMembers: false });
    const internals = cloud.network as unknown as {
      serveMembers(notebookId: string, requester: { toString(): string }, transport: MessageTransport): Promise<void>;
      links: Map<string, { members: ReadonlySet<string> }>;
    };
    const alice = { toString: () => '12D3KooWAliceAliceAliceAlice' };
    const bob = '12D3KooWBobBobBobBobBobBobBob';
    const linkedToBob = () => [...internals.links.values()].some((l) => l.members.has(bob));
    const old = membersStream();
    const oldServed = internals.serveMembers('nb-1', alice, old.transport);
    old.say([bob]);
    await until(linkedToBob, 'the first stream\'s links');
    const newer = membersStream();
    const newerServed = internals.serveMembers('nb-1', alice, newer.transport);
    newer.say([bob]);
    old.say([]); // the old stream's last word, after the newer one opened
    old.transport.close();
    await oldServed;
    expect(linkedToBob()).toBe(true);
    newer.transport.close();
    await newerServed;
    expect(linkedToBob()).toBe(false);
  }, 60_000);
});

describe('NotebookNetwork refuses bad streams', () => {
  it('closes a stream that sends garbage, an oversized frame or a truncated hello, logs why, and keeps serving', async () => {
    const logs: string[] = [];
    const secret = new Uint8Array(32).fill(5);
    const cloud = await peer('Cloud', 1, { listen: ['/ip4/127.0.0.1/tcp/0/ws'], relay: true, notebooks: () => [{ notebookId: 'nb-1', secret, bootstrap: [], keepOnCloud: false }], dialMembers: false, logs });
    await cloud.replica.execute("INSERT INTO notes (id) VALUES ('kept')");
    const addr = cloud.node.getMultiaddrs()[0]!;
    const raw = await createNodePeer({ deviceSeed: testDevice('Raw', 9).device.secretKey, listen: [], relay: false });
    await raw.start();
    started.push({ stop: async () => void (await raw.stop()) });
    const { NOTEBOOK_PROTOCOL } = await import('./notebook-network');
    const attempts: [string, Uint8Array][] = [
      ['garbage', Uint8Array.from([3, 0xde, 0xad, 0xbe])],
      ['an oversized length prefix', Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x01])], // 256 MiB
      ['a truncated hello', Uint8Array.from([4, 1, 1, 1, 9])],
    ];
    for (const [what, bytes] of attempts) {
      const stream = await raw.dialProtocol(addr, NOTEBOOK_PROTOCOL);
      stream.send(bytes);
      const closed = (async () => {
        try {
          for await (const chunk of stream) void chunk; // a refusal may come first; then the end
        } catch {
          // reset: closed as well
        }
        return true;
      })();
      expect(await Promise.race([closed, new Promise((r) => setTimeout(() => r(false), 5000))]), `${what} closes the stream`).toBe(true);
    }
    expect(logs.filter((l) => l.startsWith('refused a stream')).length).toBeGreaterThanOrEqual(3);
    expect(await count(cloud.replica)).toBe(1);
    // Still serving: a peer with the secret syncs.
    const good = await peer('Bob', 3, { notebooks: () => [{ notebookId: 'nb-1', secret, bootstrap: [addr.toString()], keepOnCloud: false }], dialMembers: false });
    await until(async () => (await count(good.replica)) === 1, 'a good peer to sync after the bad ones');
  }, 60_000);
});
