import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';
import { identify } from '@libp2p/identify';
import type { Libp2p } from '@libp2p/interface';
import { ping } from '@libp2p/ping';
import { webRTC } from '@libp2p/webrtc';
import { webSockets } from '@libp2p/websockets';
import { createLibp2p } from 'libp2p';

export interface BrowserPeerOptions {
  readonly deviceSeed: Uint8Array;
  /// ICE servers for WebRTC; none by default, so no public STUN server hears of this peer.
  readonly iceServers?: RTCIceServer[];
}

/// The browser's libp2p node: WebSockets to cloud peers, circuit relay for signalling and
/// as the fallback path, WebRTC straight to other browsers. Loaded lazily (it is most of
/// the network code's weight).
export async function createBrowserPeer(options: BrowserPeerOptions): Promise<Libp2p> {
  const privateKey = await generateKeyPairFromSeed('Ed25519', options.deviceSeed);
  return createLibp2p({
    privateKey,
    addresses: { listen: ['/p2p-circuit', '/webrtc'] },
    transports: [webSockets(), webRTC({ rtcConfiguration: { iceServers: options.iceServers ?? [] } }), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // The default gater refuses ws:// and loopback; the peers dialled are the ones the
    // person's links and settings name.
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify(), ping: ping() },
  });
}
