/** The network layer's public surface: the `Network` seam and its two implementations. */
export type {
  BlockEntry, BlockProvider, MessageHandler, Network, P2PLogger, PeerInfo, StatusInfo,
  StatusProvider, TopicName,
} from './types.js';
export { TOPICS, isTopicName } from './types.js';
export { P2PHost, type P2PHostInit } from './host.js';
export { MemoryHub, MemoryNetwork, type MemoryNetworkInit } from './memory-network.js';
export { loadOrCreateNodeKey, nodeIdFromKeyFile, type NodeKey } from './node-key.js';
export { listenToMultiaddr, parsePeerAddress, splitPeerList } from './peer-addr.js';
export { DEFAULT_LIMITS, MAX_MESSAGE_BYTES, PENALTY, type P2PLimits } from './limits.js';
export { P2PCode, p2pError } from './errors.js';
