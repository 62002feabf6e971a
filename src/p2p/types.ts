/**
 * The network seam. The rest of the node (consensus reactor, mempool gossip, block sync) sees
 * only `Network`; `P2PHost` implements it over libp2p and `MemoryNetwork` in memory for tests.
 *
 * Semantics both implementations keep:
 * - a peer is "connected" (listed by `peers()`, announced by `onPeerConnected`) only after a
 *   status handshake showed it runs the same chain id; peers on another chain are dropped and
 *   refused for a while (`banned`);
 * - `publish` floods a message to every connected peer, which delivers it once (duplicates by
 *   content are dropped for a while) and relays it; publishing with no peers is not an error;
 *   the publisher does not receive its own message;
 * - `sendDirect` delivers to one peer's subscribers for that topic even if the same bytes were
 *   seen before (consensus uses it to re-send votes to a peer that reconnected); never relayed;
 * - subscribers get `(data, from)`, `from` being the peer that handed the message over (the
 *   relay, not the origin): it is the peer to `penalize` for a bad message;
 * - `requestBlocks` honours an abort signal: cancelled before or during the exchange, it rejects
 *   with code `cancelled` and costs the peer nothing.
 */

/** Gossip topics; on the wire they are namespaced per chain: `/dexchain/<chainId>/<name>/1`. */
export const TOPICS = ['txs', 'proposals', 'votes', 'evidence'] as const;
export type TopicName = (typeof TOPICS)[number];

export function isTopicName(s: string): s is TopicName {
  return (TOPICS as readonly string[]).includes(s);
}

/** What a node says about itself in the status handshake. */
export interface StatusInfo {
  chainId: string;
  /** Last committed height (0 before the first block). */
  height: number;
  /** Lowest height whose block this node can serve (pruned stores serve less). */
  baseHeight: number;
}

/** One block of a block-sync response, in the block store's own encoding. */
export interface BlockEntry {
  height: number;
  block: Uint8Array;
  commit: Uint8Array;
}

export type StatusProvider = () => StatusInfo;
/** Returns up to `maxCount` consecutive blocks starting at `fromHeight` (fewer if it has fewer). */
export type BlockProvider = (fromHeight: number, maxCount: number) => Promise<BlockEntry[]>;
export type MessageHandler = (data: Uint8Array, from: string) => void;

export interface PeerInfo {
  /** libp2p peer id (base58, `12D3KooW…`). */
  id: string;
  /** The remote address of the connection in use (multiaddr text). */
  address: string;
}

/** The subset of pino the network layer uses. */
export interface P2PLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface Network {
  readonly peerId: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  listenAddrs(): string[];
  peers(): PeerInfo[];

  publish(topic: TopicName, data: Uint8Array): Promise<void>;
  /** Returns a function that removes this handler. */
  subscribe(topic: TopicName, handler: MessageHandler): () => void;
  sendDirect(peerId: string, topic: TopicName, data: Uint8Array): Promise<void>;

  setStatusProvider(fn: StatusProvider): void;
  getStatus(peerId: string): Promise<StatusInfo>;
  setBlockProvider(fn: BlockProvider): void;
  /**
   * Asks a peer for blocks. Aborting `signal` gives the request up: it rejects with the P2P
   * code `cancelled`, the stream is closed at once, and the peer is not penalised (the caller
   * gave up; the peer did nothing wrong). A caller that times out a request itself aborts it
   * and scores the silence itself.
   */
  requestBlocks(peerId: string, fromHeight: number, maxCount: number, signal?: AbortSignal): Promise<BlockEntry[]>;

  penalize(peerId: string, reason: string, points: number): void;
  banned(peerId: string): boolean;

  /** Both return a function that removes the listener. */
  onPeerConnected(fn: (peer: PeerInfo) => void): () => void;
  onPeerDisconnected(fn: (peerId: string) => void): () => void;
}
