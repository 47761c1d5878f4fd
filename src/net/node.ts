/// The network layer's Node entry: libp2p for Node (polyfilled first) and the notebook
/// protocol. Browsers import './browser' instead.
export { createNodePeer, type NodePeerOptions } from './node-libp2p';
export { KEEP_PROTOCOL, NOTEBOOK_PROTOCOL, NotebookNetwork, type NetworkStatus, type NotebookNetworkOptions, type PeerStatus, type SharedNotebook } from './notebook-network';
