/// The network layer's browser entry, loaded lazily after first paint.
export { createBrowserPeer, type BrowserPeerOptions } from './browser-libp2p';
export { KEEP_PROTOCOL, NOTEBOOK_PROTOCOL, NotebookNetwork, type NetworkStatus, type NotebookNetworkOptions, type PeerStatus, type SharedNotebook } from './notebook-network';
