import { mkdir } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Libp2p } from '@libp2p/interface';
import sirv from 'sirv';
import { createNodePeer, NotebookNetwork, type SharedNotebook } from '../net/node';
import { appSchema } from '../notes/app-schema';
import { installNoteHomes, installNotebookKeys, NotebookScope, notebookKeys, saveNotebookKey } from '../notes/sharing';
import { openFileDatabase } from '../storage/node';
import { Replica } from '../sync';
import type { CloudPeerConfig, LogLevel } from './config';
import { loadOrCreatePeerIdentity } from './peer-identity';

export const REPLICA_FILE = 'replica.sqlite';

export type Logger = (level: LogLevel, message: string) => void;

/// The always-on peer: a libp2p node (WebSockets, relay for browsers), a durable replica of
/// the notebooks it was handed, and optionally the app itself over HTTP with /peer.json
/// naming this peer, so that the app's own origin has a cloud peer by default.
export class CloudPeer {
  private constructor(
    readonly node: Libp2p,
    readonly replica: Replica,
    readonly network: NotebookNetwork,
    private readonly http: http.Server | null,
    readonly identityKeyHex: string,
  ) {}

  static async start(config: CloudPeerConfig, log: Logger): Promise<CloudPeer> {
    await mkdir(config.dataDir, { recursive: true });
    const identity = await loadOrCreatePeerIdentity(config.dataDir, `Cloud peer (${os.hostname().slice(0, 40)})`);
    const replica = await Replica.open({ db: await openFileDatabase(path.join(config.dataDir, REPLICA_FILE)), schema: appSchema });
    await installNoteHomes(replica);
    await installNotebookKeys(replica);
    const node = await createNodePeer({ deviceSeed: identity.deviceSeed, listen: config.listen, announce: config.announce.length ? config.announce : undefined, relay: true });
    const keeps = (notebookId: string) => config.notebooks.length === 0 || config.notebooks.includes(notebookId);
    const network = new NotebookNetwork({
      node,
      replica,
      certificate: identity.certificate,
      notebooks: async (): Promise<SharedNotebook[]> =>
        (await notebookKeys(replica)).filter((k) => keeps(k.notebookId)).map((k) => ({ ...k, bootstrap: config.bootstrap, keepOnCloud: true })),
      scopeFor: (notebookId) => new NotebookScope(replica, notebookId),
      dialMembers: false,
      webrtc: false,
      acceptKeep: async ({ notebookId, secret, peer }) => {
        const identityKey = Buffer.from(peer.certificate.identityPublicKey).toString('hex');
        if (config.allowIdentities && !config.allowIdentities.includes(identityKey)) {
          log('warn', `refused to keep notebook ${notebookId} for identity ${identityKey}: not in --allow-identity`);
          return false;
        }
        if (!keeps(notebookId)) {
          log('warn', `refused to keep notebook ${notebookId}: not in --notebook`);
          return false;
        }
        await saveNotebookKey(replica, { notebookId, secret, bootstrap: [], keepOnCloud: true });
        log('info', `keeping notebook ${notebookId} for ${peer.certificate.displayName}`);
        return true;
      },
      log: (level, message) => log(level, message),
    });
    await node.start();
    await network.start();
    const server = config.appDir ? await serveApp(config, node) : null;
    return new CloudPeer(node, replica, network, server, identity.identityKeyHex);
  }

  /// Multiaddrs browsers dial, with this peer's id.
  addresses(): string[] {
    return this.node.getMultiaddrs().map((a) => a.toString());
  }

  httpAddress(): string | null {
    const address = this.http?.address();
    return address && typeof address === 'object' ? `http://${address.address}:${address.port}/` : null;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
    await this.network.stop();
    await this.node.stop();
    await this.replica.close();
  }
}

async function serveApp(config: CloudPeerConfig, node: Libp2p): Promise<http.Server> {
  const assets = sirv(path.resolve(config.appDir!), { single: true, etag: true, gzip: false });
  const server = http.createServer((req, res) => {
    if (req.url === '/peer.json') {
      const addrs = config.announce.length ? [...config.announce] : node.getMultiaddrs().map((a) => a.toString());
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ peerId: node.peerId.toString(), addrs }));
      return;
    }
    assets(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.httpPort, config.httpHost, () => resolve());
  });
  return server;
}
