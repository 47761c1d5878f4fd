import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodePeer, NotebookNetwork } from '../net/node';
import { testDevice } from '../net/testing/people';
import { until } from '../net/testing/until';
import { appSchema } from '../notes/app-schema';
import { installNoteHomes, installNotebookKeys, NotebookScope } from '../notes/sharing';
import { openFileDatabase, openMemoryDatabase } from '../storage/node';
import { Replica } from '../sync';
import { ConfigError, parseConfig } from './config';
import { CloudPeer, REPLICA_FILE } from './cloud-peer';

const children = new Set<ChildProcess>();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  for (const child of children) if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
  children.clear();
});

/// Runs `npm run peer`'s entry as its own process; resolves with its listen address.
async function runPeer(dataDir: string): Promise<{ child: ChildProcess; addr: string; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cloud-peer/main.ts', '--data', dataDir, '--port', '0', '--log-level', 'info', '--exit-with-parent'], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const addr = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listen line:\n${output}`)), 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
      const match = /listening on (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then((code) => reject(new Error(`exited ${code}:\n${output}`)));
  });
  return { child, addr, output: () => output, exited };
}

describe('cloud peer process', () => {
  it('keeps what it acknowledged through kill -9, and shuts down cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cloud-peer-test-'));
    const peer = await runPeer(dataDir);
    const me = testDevice('Alice', 1);
    const replica = await Replica.open({ db: await openMemoryDatabase(), schema: appSchema });
    await installNoteHomes(replica);
    await installNotebookKeys(replica);
    const notebookId = 'nb-durable';
    await replica.execute('INSERT INTO notebooks (id, name) VALUES (?, ?)', [notebookId, 'Durable']);
    await replica.transact(Array.from({ length: 200 }, (_, i) => ({ sql: 'INSERT INTO notes (id, notebook_id, is_pinned) VALUES (?, ?, ?)', params: [`n${i}`, notebookId, i % 2] })));
    const node = await createNodePeer({ deviceSeed: me.device.secretKey, listen: [], relay: false });
    const network = new NotebookNetwork({
      node,
      replica,
      certificate: me.certificate,
      notebooks: async () => [{ notebookId, secret: new Uint8Array(32).fill(3), bootstrap: [peer.addr], keepOnCloud: true }],
      scopeFor: (id) => new NotebookScope(replica, id),
      dialMembers: true,
      webrtc: false,
    });
    await node.start();
    await network.start();
    cleanups.push(async () => (await network.stop(), await node.stop()));
    const version = await replica.dbVersion();
    // Acknowledged: the session reports the cloud peer has our changes up to now.
    await until(() => network.status().peers.some((p) => p.progress.peerHasUpTo >= version), 'the acknowledgement');

    peer.child.kill('SIGKILL');
    await peer.exited;
    const reopened = await Replica.open({ db: await openFileDatabase(path.join(dataDir, REPLICA_FILE)), schema: appSchema });
    expect(await reopened.query('SELECT count(*) AS n FROM notes')).toEqual([{ n: 200 }]);
    expect(await reopened.query('SELECT count(*) AS n FROM notebook_keys')).toEqual([{ n: 1 }]);
    expect((await reopened.query('PRAGMA integrity_check'))[0]).toEqual({ integrity_check: 'ok' });
    await reopened.close();

    // Restarted on the same data, it serves the notebook again; SIGTERM ends it with 0.
    const again = await runPeer(dataDir);
    expect(again.addr.split('/p2p/')[1]).toBe(peer.addr.split('/p2p/')[1]); // the same peer id
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    expect(again.output()).toMatch(/SIGTERM: closing sessions and the replica/);
  }, 90_000);
});

async function client(name: string, seed: number, notebook: { notebookId: string; secret: Uint8Array; bootstrap: string[] }) {
  const me = testDevice(name, seed);
  const replica = await Replica.open({ db: await openMemoryDatabase(), schema: appSchema });
  await installNoteHomes(replica);
  await installNotebookKeys(replica);
  const node = await createNodePeer({ deviceSeed: me.device.secretKey, listen: [], relay: false });
  const network = new NotebookNetwork({ node, replica, certificate: me.certificate, notebooks: async () => [{ ...notebook, keepOnCloud: true }], scopeFor: (id) => new NotebookScope(replica, id), dialMembers: true, webrtc: false });
  await node.start();
  await network.start();
  cleanups.push(async () => (await network.stop(), await node.stop()));
  return replica;
}

describe('cloud peer started by a test', () => {
  it('stops when the process that started it closes its standard input', async () => {
    const peer = await runPeer(mkdtempSync(path.join(os.tmpdir(), 'cloud-peer-parent-')));
    peer.child.stdin!.end();
    expect(await peer.exited).toBe(0);
    expect(peer.output()).toMatch(/standard input closed: closing sessions/);
  }, 60_000);
});

describe('several cloud peers', () => {
  it('replicate a notebook handed to one of them to the cloud peers it bootstraps to', async () => {
    const config = (dataDir: string, bootstrap: string[]) =>
      parseConfig(['--data', dataDir, '--port', '0', '--log-level', 'error', ...bootstrap.flatMap((b) => ['--bootstrap', b])], {}) as Exclude<ReturnType<typeof parseConfig>, 'help'>;
    const second = await CloudPeer.start(config(mkdtempSync(path.join(os.tmpdir(), 'cloud-b-')), []), () => undefined);
    cleanups.push(() => second.stop());
    const first = await CloudPeer.start(config(mkdtempSync(path.join(os.tmpdir(), 'cloud-a-')), second.addresses()), () => undefined);
    cleanups.push(() => first.stop());
    const notebook = { notebookId: 'nb-grow', secret: new Uint8Array(32).fill(4) };
    const alice = await client('Alice', 1, { ...notebook, bootstrap: first.addresses() });
    await alice.execute('INSERT INTO notebooks (id, name) VALUES (?, ?)', [notebook.notebookId, 'Grows']);
    await alice.execute('INSERT INTO notes (id, notebook_id) VALUES (?, ?)', ['from-alice', notebook.notebookId]);
    // Bob knows only the second cloud peer.
    const bob = await client('Bob', 2, { ...notebook, bootstrap: second.addresses() });
    await until(async () => (await bob.query('SELECT id FROM notes')).length === 1, 'bob to get alice\'s note through two cloud peers', 30_000);
    expect(await second.replica.query('SELECT id FROM notes')).toEqual([{ id: 'from-alice' }]);
  }, 60_000);
});

describe('cloud peer configuration', () => {
  it('defaults to loopback, anyone may hand notebooks over only while it listens on loopback', () => {
    const config = parseConfig([], {});
    expect(config).toMatchObject({ listen: ['/ip4/127.0.0.1/tcp/4318/ws'], allowIdentities: null, dataDir: '.cloud-peer', logLevel: 'info' });
    expect(parseConfig(['--listen', '/ip4/0.0.0.0/tcp/4318/ws'], {})).toMatchObject({ allowIdentities: [] });
    expect(parseConfig([], { PEER_LISTEN: '/ip4/0.0.0.0/tcp/9/ws', PEER_ALLOW: 'ab'.repeat(32) })).toMatchObject({ allowIdentities: ['ab'.repeat(32)] });
    expect(parseConfig(['--port', '5000', '--notebook', 'a', '--notebook', 'b'], {})).toMatchObject({ listen: ['/ip4/127.0.0.1/tcp/5000/ws'], notebooks: ['a', 'b'] });
  });

  it('says what is wrong with a bad option', () => {
    expect(() => parseConfig(['--port', 'x'], {})).toThrow(ConfigError);
    expect(() => parseConfig(['--allow-identity', 'nope'], {})).toThrow(/64-digit hex/);
    expect(() => parseConfig(['--log-level', 'loud'], {})).toThrow(/error, warn, info or debug/);
    expect(() => parseConfig(['--listen', 'localhost:1'], {})).toThrow(/multiaddr/);
    expect(() => parseConfig(['--bogus'], {})).toThrow();
  });
});
