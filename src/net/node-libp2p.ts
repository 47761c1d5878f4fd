import './node-polyfills';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';
import { identify } from '@libp2p/identify';
import type { Libp2p } from '@libp2p/interface';
import { ping } from '@libp2p/ping';
import { webSockets } from '@libp2p/websockets';
import { createLibp2p } from 'libp2p';

export interface NodePeerOptions {
  /// The device key's 32-byte seed: the peer id is this key.
  readonly deviceSeed: Uint8Array;
  /// e.g. /ip4/127.0.0.1/tcp/4318/ws; none for a client that only dials.
  readonly listen: readonly string[];
  /// Addresses to announce instead of the listening ones (behind a proxy, say).
  readonly announce?: readonly string[];
  /// Serve circuit relay v2, so browsers reach each other through this node (cloud peers).
  readonly relay: boolean;
}

/// A libp2p node for Node: WebSockets, noise, yamux, identify, ping; a cloud peer adds the
/// circuit relay server, with its limits lifted so that sync over a relayed connection is
/// not cut at 128 KiB or two minutes; a client listens for relayed connections instead.
export async function createNodePeer(options: NodePeerOptions): Promise<Libp2p> {
  const privateKey = await generateKeyPairFromSeed('Ed25519', options.deviceSeed);
  return createLibp2p({
    privateKey,
    addresses: { listen: options.relay ? [...options.listen] : [...options.listen, '/p2p-circuit'], announce: options.announce ? [...options.announce] : undefined },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    connectionManager: { maxConnections: 1024 },
    services: {
      identify: identify(),
      ping: ping(),
      ...(options.relay
        ? { relay: circuitRelayServer({ reservations: { maxReservations: 1024, applyDefaultLimit: false }, maxInboundHopStreams: 1024, maxOutboundStopStreams: 1024 }) }
        : {}),
    },
  });
}
