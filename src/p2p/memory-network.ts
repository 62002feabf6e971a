/**
 * An in-memory `Network` for tests and simulations: a hub links networks the way the libp2p
 * host would (persistent peers, status handshake on chain id, flood gossip with dedup, direct
 * sends, block sync, scoring and bans), with delivery deferred to a later macrotask so
 * handlers never run inside the sender's call. Tests can cut and heal links (`partition`).
 */
import { createHash } from 'node:crypto';
import { p2pError } from './errors.js';
import {
  DEFAULT_LIMITS, MAX_BLOCKS_PER_REQUEST, MAX_BLOCKS_RESPONSE_BYTES, MAX_MESSAGE_BYTES, type P2PLimits,
} from './limits.js';
import { PeerScores } from './scoring.js';
import { SeenCache } from './seen-cache.js';
import type {
  BlockEntry, BlockProvider, MessageHandler, Network, P2PLogger, PeerInfo, StatusInfo,
  StatusProvider, TopicName,
} from './types.js';
import { blockEntrySize, checkBlocksResponse } from './wire.js';

export interface MemoryNetworkInit {
  /** Any unique string; default `mem<n>`. Reuse it to "restart" a node. */
  peerId?: string;
  chainId: string;
  /** Peer ids, `ID@host:port` or `/…/p2p/ID` (only the id is used). */
  persistentPeers?: string[];
  maxPeers?: number;
  logger?: P2PLogger;
  limits?: Partial<P2PLimits>;
}

/** How often a memory network retries its persistent peers (ms). */
const REDIAL_MS = 20;

const silent: P2PLogger = { debug() {}, info() {}, warn() {}, error() {} };

function peerIdOf(entry: string): string {
  const s = entry.trim();
  if (s.startsWith('/')) return s.slice(s.lastIndexOf('/') + 1);
  const at = s.indexOf('@');
  return at > 0 ? s.slice(0, at) : s;
}

/**
 * Settles as `p` does, or rejects with `reason()` as soon as `signal` aborts (the host aborts its
 * stream then; here the server's work goes on and its answer is dropped, as it would be on the wire).
 */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal, reason: () => Error): Promise<T> {
  p.catch(() => undefined); // an answer nobody waits for any more must not go unhandled
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function linkKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

export class MemoryHub {
  private readonly running = new Map<string, MemoryNetwork>();
  private readonly links = new Set<string>();
  private readonly cut = new Set<string>();
  private counter = 0;

  createNetwork(init: MemoryNetworkInit): MemoryNetwork {
    return new MemoryNetwork(this, init, init.peerId ?? `mem${++this.counter}`);
  }

  /** Cuts the link between two peers and keeps it cut until `heal`. */
  partition(a: string, b: string): void {
    this.cut.add(linkKey(a, b));
    this.unlink(a, b);
  }

  heal(a: string, b: string): void {
    this.cut.delete(linkKey(a, b));
  }

  linked(a: string, b: string): boolean {
    return this.links.has(linkKey(a, b));
  }

  /** @internal */
  register(n: MemoryNetwork): void {
    if (this.running.has(n.peerId)) throw p2pError('config', `peer id ${n.peerId} already running on this hub`);
    this.running.set(n.peerId, n);
  }

  /** @internal */
  unregister(n: MemoryNetwork): void {
    if (this.running.get(n.peerId) !== n) return;
    for (const key of [...this.links]) {
      const [a, b] = key.split('|') as [string, string];
      if (a === n.peerId || b === n.peerId) this.unlink(a, b);
    }
    this.running.delete(n.peerId);
  }

  /** @internal a dial from `from` to `to`; runs the handshake and links on success. */
  dial(from: MemoryNetwork, to: string): boolean {
    const other = this.running.get(to);
    if (other === undefined || other === from) return false;
    const key = linkKey(from.peerId, to);
    if (this.links.has(key)) return true;
    if (this.cut.has(key)) return false;
    if (!from.accepts(to, false) || !other.accepts(from.peerId, true)) return false;
    if (from.chainId !== other.chainId) {
      from.refuse(to, `peer runs chain ${other.chainId}`);
      other.refuse(from.peerId, `peer runs chain ${from.chainId}`);
      return false;
    }
    this.links.add(key);
    from.linkUp(other);
    other.linkUp(from);
    return true;
  }

  /** @internal */
  unlink(a: string, b: string): void {
    if (!this.links.delete(linkKey(a, b))) return;
    this.running.get(a)?.linkDown(b);
    this.running.get(b)?.linkDown(a);
  }

  /** @internal delivers later, and only if the link is still up then. */
  transmit(from: string, to: string, fn: (target: MemoryNetwork) => void): boolean {
    if (!this.links.has(linkKey(from, to))) return false;
    setImmediate(() => {
      const target = this.running.get(to);
      if (target !== undefined && this.links.has(linkKey(from, to))) fn(target);
    });
    return true;
  }

  /** @internal */
  get(id: string): MemoryNetwork | undefined {
    return this.running.get(id);
  }
}

export class MemoryNetwork implements Network {
  readonly chainId: string;
  private readonly limits: P2PLimits;
  private readonly log: P2PLogger;
  private readonly scores: PeerScores;
  private readonly seen: SeenCache;
  private readonly persistent: string[];
  private readonly maxPeers: number;
  private readonly connected = new Set<string>();
  private readonly handlers = new Map<TopicName, Set<MessageHandler>>();
  private readonly connectedListeners = new Set<(p: PeerInfo) => void>();
  private readonly disconnectedListeners = new Set<(id: string) => void>();
  private statusProvider: StatusProvider;
  private blockProvider: BlockProvider | null = null;
  private running = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly hub: MemoryHub, init: MemoryNetworkInit, readonly peerId: string) {
    this.chainId = init.chainId;
    this.limits = { ...DEFAULT_LIMITS, ...init.limits };
    this.log = init.logger ?? silent;
    this.scores = new PeerScores(this.limits);
    this.seen = new SeenCache(this.limits.seenTtlMs, this.limits.seenMax);
    this.persistent = (init.persistentPeers ?? []).map(peerIdOf).filter((id) => id !== peerId);
    this.maxPeers = init.maxPeers ?? 50;
    this.statusProvider = () => ({ chainId: init.chainId, height: 0, baseHeight: 0 });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.hub.register(this);
    this.running = true;
    this.redial();
    this.timer = setInterval(() => this.redial(), REDIAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.hub.unregister(this);
    this.connected.clear();
  }

  listenAddrs(): string[] {
    return this.running ? [`/memory/${this.peerId}`] : [];
  }

  peers(): PeerInfo[] {
    return [...this.connected].sort().map((id) => ({ id, address: `/memory/${id}` }));
  }

  // ---- gossip and direct

  subscribe(topic: TopicName, handler: MessageHandler): () => void {
    let set = this.handlers.get(topic);
    if (set === undefined) this.handlers.set(topic, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  async publish(topic: TopicName, data: Uint8Array): Promise<void> {
    this.requireRunning();
    if (data.length > MAX_MESSAGE_BYTES) throw p2pError('tooLarge', `message of ${data.length} bytes exceeds ${MAX_MESSAGE_BYTES}`);
    this.seen.add(this.messageId(topic, data));
    this.flood(topic, data.slice(), null);
  }

  async sendDirect(peerId: string, topic: TopicName, data: Uint8Array): Promise<void> {
    this.requireRunning();
    if (data.length > MAX_MESSAGE_BYTES) throw p2pError('tooLarge', `message of ${data.length} bytes exceeds ${MAX_MESSAGE_BYTES}`);
    const copy = data.slice();
    const from = this.peerId;
    if (!this.connected.has(peerId) || !this.hub.transmit(from, peerId, (t) => t.receive(topic, copy, from, false))) {
      throw p2pError('peerNotConnected', `peer ${peerId} is not connected`);
    }
  }

  private messageId(topic: TopicName, data: Uint8Array): string {
    return createHash('sha256').update(`/dexchain/${this.chainId}/${topic}/1`).update(data).digest('hex');
  }

  private flood(topic: TopicName, data: Uint8Array, except: string | null): void {
    const from = this.peerId;
    for (const id of this.connected) {
      if (id !== except) this.hub.transmit(from, id, (t) => t.receive(topic, data, from, true));
    }
  }

  /** @internal */
  receive(topic: TopicName, data: Uint8Array, from: string, gossip: boolean): void {
    if (!this.running || !this.connected.has(from)) return;
    if (gossip) {
      if (!this.seen.add(this.messageId(topic, data))) return;
      this.flood(topic, data, from);
    }
    for (const h of [...(this.handlers.get(topic) ?? [])]) {
      try {
        h(data.slice(), from);
      } catch (e) {
        this.log.error({ topic, peer: from, err: (e as Error).message }, 'message handler threw');
      }
    }
  }

  // ---- status and blocks

  setStatusProvider(fn: StatusProvider): void {
    this.statusProvider = fn;
  }

  /** @internal */
  ownStatus(): StatusInfo {
    const s = this.statusProvider();
    return { chainId: this.chainId, height: s.height, baseHeight: s.baseHeight };
  }

  async getStatus(peerId: string): Promise<StatusInfo> {
    this.requireRunning();
    const other = this.peer(peerId);
    await new Promise((r) => setImmediate(r));
    return other.ownStatus();
  }

  setBlockProvider(fn: BlockProvider): void {
    this.blockProvider = fn;
  }

  /** @internal serves like the host does: clamped count, consecutive heights, byte budget. */
  async serveBlocks(fromHeight: number, maxCount: number): Promise<BlockEntry[]> {
    const count = Math.min(maxCount, MAX_BLOCKS_PER_REQUEST);
    if (this.blockProvider === null || count <= 0) return [];
    const entries = await this.blockProvider(fromHeight, count);
    const out: BlockEntry[] = [];
    let bytes = 0;
    for (const [i, e] of entries.entries()) {
      if (i >= count || e.height !== fromHeight + i) break;
      const size = blockEntrySize(e);
      if (i > 0 && bytes + size > MAX_BLOCKS_RESPONSE_BYTES) break;
      bytes += size;
      out.push({ height: e.height, block: e.block.slice(), commit: e.commit.slice() });
    }
    return out;
  }

  async requestBlocks(peerId: string, fromHeight: number, maxCount: number, signal?: AbortSignal): Promise<BlockEntry[]> {
    this.requireRunning();
    if (!Number.isSafeInteger(fromHeight) || fromHeight < 1) throw p2pError('config', `invalid fromHeight ${fromHeight}`);
    const count = Math.max(1, Math.min(Math.floor(maxCount), MAX_BLOCKS_PER_REQUEST));
    const cancelled = (): Error => p2pError('cancelled', `blocks request to ${peerId} cancelled by the caller`);
    if (signal?.aborted === true) throw cancelled();
    const serving = this.peer(peerId).serveBlocks(fromHeight, count);
    const entries = signal === undefined ? await serving : await untilAborted(serving, signal, cancelled);
    if (!this.connected.has(peerId)) throw p2pError('peerNotConnected', `peer ${peerId} disconnected`);
    const bad = checkBlocksResponse(entries, fromHeight, count);
    if (bad !== null) throw p2pError('protocol', `peer ${peerId}: ${bad}`);
    return entries;
  }

  private peer(peerId: string): MemoryNetwork {
    const other = this.hub.get(peerId);
    if (!this.connected.has(peerId) || other === undefined) throw p2pError('peerNotConnected', `peer ${peerId} is not connected`);
    return other;
  }

  // ---- scoring

  penalize(peerId: string, reason: string, points: number): void {
    if (this.scores.penalize(peerId, points)) {
      this.log.warn({ peer: peerId, reason }, 'peer banned: score below threshold');
      this.hub.unlink(this.peerId, peerId);
    }
  }

  banned(peerId: string): boolean {
    return this.scores.banned(peerId);
  }

  /** @internal chain-id mismatch seen by the hub's handshake. */
  refuse(peerId: string, reason: string): void {
    this.scores.ban(peerId, reason);
    this.log.warn({ peer: peerId, reason }, 'peer banned');
  }

  /** @internal whether this network takes a link with `peerId` now. */
  accepts(peerId: string, inbound: boolean): boolean {
    if (!this.running || this.scores.banned(peerId)) return false;
    if (inbound && !this.persistent.includes(peerId)) {
      const others = [...this.connected].filter((id) => !this.persistent.includes(id)).length;
      if (others >= this.maxPeers) return false;
    }
    return true;
  }

  // ---- events

  onPeerConnected(fn: (peer: PeerInfo) => void): () => void {
    this.connectedListeners.add(fn);
    return () => this.connectedListeners.delete(fn);
  }

  onPeerDisconnected(fn: (peerId: string) => void): () => void {
    this.disconnectedListeners.add(fn);
    return () => this.disconnectedListeners.delete(fn);
  }

  /** @internal */
  linkUp(other: MemoryNetwork): void {
    const id = other.peerId;
    this.connected.add(id);
    const info = { id, address: `/memory/${id}` };
    setImmediate(() => {
      if (!this.connected.has(id)) return;
      for (const fn of [...this.connectedListeners]) this.safe(() => fn(info));
    });
  }

  /** @internal */
  linkDown(id: string): void {
    if (!this.connected.delete(id) || !this.running) return;
    setImmediate(() => {
      for (const fn of [...this.disconnectedListeners]) this.safe(() => fn(id));
    });
  }

  private safe(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'listener threw');
    }
  }

  private redial(): void {
    if (!this.running) return;
    for (const id of this.persistent) {
      if (!this.connected.has(id)) this.hub.dial(this, id);
    }
  }

  private requireRunning(): void {
    if (!this.running) throw p2pError('notStarted', 'network not started');
  }
}
