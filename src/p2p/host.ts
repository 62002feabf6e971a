/**
 * The libp2p host: identity, listening, persistent-peer redial, the status handshake, gossip,
 * direct messages, block sync and peer scoring. Everything libp2p-specific stays in src/p2p;
 * the node sees the `Network` interface.
 *
 * Gossip is a flood with deduplication over `/dexchain/<chainId>/gossip/2` rather than
 * @chainsafe/libp2p-gossipsub: the installed gossipsub@14 is written against libp2p@2's stream
 * API (`sink`/`source`, `handle({stream, connection})`) and exchanges no subscriptions under
 * libp2p@3 (checked: publish reaches zero peers). A validator network is small and fully
 * meshed, so flooding each message once per link (as Tendermint's own reactors do) costs no
 * more than gossipsub's mesh would. Swapping in a libp2p@3 gossipsub later only touches the
 * `publish` path and the gossip handler here.
 *
 * Relaying: the origin sends a message in full to every peer; a relay forwards small messages
 * (votes, evidence) in full and announces large ones (tx batches, proposals) by id (IHAVE),
 * sending them only to peers that ask (IWANT) — gossipsub's lazy push. In the full mesh of a
 * validator network every peer already has the message from its origin, so each node
 * receives, decrypts and hashes each large message once rather than once per peer; a node
 * reached only through relays pays one round trip more.
 *
 * Wire: every protocol uses length-prefixed frames (frame.ts); payloads per wire.ts.
 *   /dexchain/status/1             request: our status, response: theirs (chain-independent id,
 *                                  so a peer on another chain is recognised and refused)
 *   /dexchain/<chain>/gossip/2     long-lived, one frame per message or IHAVE/IWANT, relayed
 *   /dexchain/<chain>/direct/1     long-lived, one frame per message, not relayed, not deduped
 *   /dexchain/<chain>/blocks/1     request: (fromHeight, maxCount), response: entries, then EOF
 */
import './polyfill.js';
import { createHash } from 'node:crypto';
import { OutboundChannel } from './channel.js';
import { isChainError } from '../errors.js';
import { p2pError } from './errors.js';
import { FrameError, FrameReader, encodeFrame, type Chunk } from './frame.js';
import {
  createTransportNode, toDialTarget,
  type Connection, type Libp2pNode, type PeerIdObject, type Stream,
} from './libp2p-node.js';
import {
  DEFAULT_LIMITS, MAX_BLOCKS_PER_REQUEST, MAX_BLOCKS_RESPONSE_BYTES, MAX_MESSAGE_BYTES,
  MAX_STATUS_BYTES, PENALTY, type P2PLimits,
} from './limits.js';
import { loadOrCreateNodeKey } from './node-key.js';
import { listenToMultiaddr, parsePeerAddress, splitPeerList, type PeerAddress } from './peer-addr.js';
import { PeerScores } from './scoring.js';
import { RelayStore } from './relay-store.js';
import { SeenCache } from './seen-cache.js';
import type {
  BlockEntry, BlockProvider, MessageHandler, Network, P2PLogger, PeerInfo, StatusInfo,
  StatusProvider, TopicName,
} from './types.js';
import {
  WireError, blockEntrySize, checkBlocksResponse, decodeBlockEntry, decodeBlocksRequest,
  decodeGossipFrame, decodeMessage, decodeStatus, encodeBlockEntry, encodeBlocksRequest, encodeGossipControl,
  encodeMessage, encodeStatus, protocolIds, topicId, GOSSIP_IHAVE, GOSSIP_IWANT, MAX_BLOCK_ENTRY_BYTES,
} from './wire.js';

export interface P2PHostInit {
  chainId: string;
  /** `tcp://0.0.0.0:26656`, `host:port`, or a multiaddr. Port 0 picks a free port. */
  listen: string;
  /** `<home>/config/node_key.json`; created if absent. */
  nodeKeyPath: string;
  /** `PEERID@host:port` or multiaddr strings; redialled forever with backoff. */
  persistentPeers: string[];
  /** Dialled once at start (there is no peer exchange yet, so they act as extra first contacts). */
  seeds?: string[];
  /** Most peers besides persistent ones (default 50). */
  maxPeers?: number;
  logger: P2PLogger;
  /** Overrides of the tuning constants (tests shorten timers). */
  limits?: Partial<P2PLimits>;
}

const DEFAULT_MAX_PEERS = 50;
/** Frame limit on message streams: topic byte + payload. */
const MAX_MESSAGE_FRAME = 1 + MAX_MESSAGE_BYTES;
/** How often the redial loop looks at persistent peers (ms); the backoff decides who is dialled. */
const REDIAL_TICK_MS = 200;
/** Cap on concurrently served inbound streams per protocol per connection. */
const MAX_INBOUND_STREAMS = 16;
/** Most message ids we wait for at once (oldest forgotten first): bounds memory under an IHAVE flood. */
const MAX_WANTS = 20_000;

interface PeerState {
  id: string;
  peer: PeerIdObject;
  verified: boolean;
  status: StatusInfo | null;
  gossip: OutboundChannel | null;
  direct: OutboundChannel | null;
  handshakeTimer: NodeJS.Timeout | null;
}

/** A message id announced to us that we asked for and have not received yet. */
interface Want {
  /** The id as sent on the wire. */
  id: Uint8Array;
  /** When it was first announced, then when it was last asked for. */
  askedAt: number;
  /** Peers that announced it, asked in turn (each after the previous did not answer). */
  announcers: string[];
  /** Index of the announcer asked last; -1 while waiting `wantDelayMs` for another copy. */
  asked: number;
}

interface Persistent {
  addr: PeerAddress;
  attempt: number;
  nextAt: number;
  dialing: boolean;
}

function errMsg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class P2PHost implements Network {
  private readonly init: P2PHostInit;
  private readonly limits: P2PLimits;
  private readonly proto: ReturnType<typeof protocolIds>;
  private readonly log: P2PLogger;
  private readonly scores: PeerScores;
  private readonly seen: SeenCache;
  private readonly kept: RelayStore;
  private readonly wants = new Map<string, Want>();
  private wantTimer: NodeJS.Timeout | null = null;
  private readonly maxPeers: number;
  private node: Libp2pNode | null = null;
  private id = '';
  private running = false;
  private readonly states = new Map<string, PeerState>();
  private readonly persistent: Persistent[] = [];
  private readonly persistentIds = new Set<string>();
  private readonly handlers = new Map<TopicName, Set<MessageHandler>>();
  private readonly connectedListeners = new Set<(p: PeerInfo) => void>();
  private readonly disconnectedListeners = new Set<(id: string) => void>();
  private statusProvider: StatusProvider;
  private blockProvider: BlockProvider | null = null;
  private redialTimer: NodeJS.Timeout | null = null;
  private readonly detach: (() => void)[] = [];

  constructor(init: P2PHostInit) {
    this.init = init;
    this.limits = { ...DEFAULT_LIMITS, ...init.limits };
    this.proto = protocolIds(init.chainId);
    this.log = init.logger;
    this.scores = new PeerScores(this.limits);
    this.seen = new SeenCache(this.limits.seenTtlMs, this.limits.seenMax);
    this.kept = new RelayStore(this.limits.relayKeepMs, this.limits.relayKeepBytes);
    this.maxPeers = init.maxPeers ?? DEFAULT_MAX_PEERS;
    this.statusProvider = () => ({ chainId: init.chainId, height: 0, baseHeight: 0 });
    for (const entry of init.persistentPeers) {
      const addr = parsePeerAddress(entry);
      this.persistent.push({ addr, attempt: 0, nextAt: 0, dialing: false });
      if (addr.id !== null) this.persistentIds.add(addr.id);
    }
  }

  get peerId(): string {
    if (this.id === '') throw p2pError('notStarted', 'p2p host not started');
    return this.id;
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    if (this.running) return;
    const key = await loadOrCreateNodeKey(this.init.nodeKeyPath);
    this.id = key.id;
    // a shared peer list often names this node too
    for (let i = this.persistent.length - 1; i >= 0; i--) {
      if (this.persistent[i]!.addr.id === this.id) this.persistent.splice(i, 1);
    }
    const node = await createTransportNode({
      privateKey: key.privateKey,
      listen: [listenToMultiaddr(this.init.listen)],
      // room for both directions of a simultaneous dial to every peer, and for handshakes
      maxConnections: 2 * (this.maxPeers + this.persistent.length) + 8,
      denyPeer: (id, direction) => this.denyPeer(id, direction),
    });
    this.node = node;
    this.running = true;

    const onConnect = (e: CustomEvent<PeerIdObject>): void => this.onConnect(e.detail);
    const onDisconnect = (e: CustomEvent<PeerIdObject>): void => this.onDisconnect(e.detail.toString());
    node.addEventListener('peer:connect', onConnect);
    node.addEventListener('peer:disconnect', onDisconnect);
    this.detach.push(() => node.removeEventListener('peer:connect', onConnect));
    this.detach.push(() => node.removeEventListener('peer:disconnect', onDisconnect));

    const opts = { maxInboundStreams: MAX_INBOUND_STREAMS, maxOutboundStreams: MAX_INBOUND_STREAMS };
    await node.handle(this.proto.status, (s, c) => this.serveStatus(s, c), opts);
    await node.handle(this.proto.gossip, (s, c) => this.readMessages(s, c, true), opts);
    await node.handle(this.proto.direct, (s, c) => this.readMessages(s, c, false), opts);
    await node.handle(this.proto.blocks, (s, c) => this.serveBlocks(s, c), opts);

    this.log.info({ peerId: this.id, addrs: this.listenAddrs(), chainId: this.init.chainId }, 'p2p host listening');
    for (const seed of splitPeerList(this.init.seeds)) {
      const a = parsePeerAddress(seed);
      if (a.id === this.id) continue;
      node.dial(toDialTarget(a.multiaddr)).catch((e) => this.log.debug({ seed, err: errMsg(e) }, 'seed dial failed'));
    }
    this.redialTimer = setInterval(() => this.redialTick(), Math.min(REDIAL_TICK_MS, this.limits.reconnectBaseMs));
    this.redialTimer.unref();
    this.wantTimer = setInterval(() => this.retryWants(), Math.max(20, Math.floor(Math.min(this.limits.wantDelayMs, this.limits.wantRetryMs / 2) / 2)));
    this.wantTimer.unref();
    this.redialTick();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.redialTimer !== null) clearInterval(this.redialTimer);
    this.redialTimer = null;
    if (this.wantTimer !== null) clearInterval(this.wantTimer);
    this.wantTimer = null;
    this.wants.clear();
    for (const d of this.detach.splice(0)) d();
    for (const st of this.states.values()) this.dropState(st);
    this.states.clear();
    const node = this.node;
    this.node = null;
    if (node !== null) await node.stop();
    this.log.info({ peerId: this.id }, 'p2p host stopped');
  }

  listenAddrs(): string[] {
    return this.node === null ? [] : this.node.getMultiaddrs().map((m) => m.toString());
  }

  peers(): PeerInfo[] {
    const out: PeerInfo[] = [];
    for (const st of this.states.values()) if (st.verified) out.push(this.peerInfo(st));
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  // ---------------------------------------------------------------- events

  onPeerConnected(fn: (peer: PeerInfo) => void): () => void {
    this.connectedListeners.add(fn);
    return () => this.connectedListeners.delete(fn);
  }

  onPeerDisconnected(fn: (peerId: string) => void): () => void {
    this.disconnectedListeners.add(fn);
    return () => this.disconnectedListeners.delete(fn);
  }

  // ---------------------------------------------------------------- scoring

  penalize(peerId: string, reason: string, points: number): void {
    const bannedNow = this.scores.penalize(peerId, points);
    this.log.debug({ peer: peerId, reason, points, score: this.scores.score(peerId) }, 'peer penalised');
    if (bannedNow) {
      this.log.warn({ peer: peerId, reason }, 'peer banned: score below threshold');
      this.disconnect(peerId);
    }
  }

  banned(peerId: string): boolean {
    return this.scores.banned(peerId);
  }

  private banFor(peerId: string, reason: string): void {
    this.scores.ban(peerId, reason);
    this.log.warn({ peer: peerId, reason }, 'peer banned');
    this.disconnect(peerId);
  }

  private disconnect(peerId: string): void {
    const node = this.node;
    if (node === null) return;
    const st = this.states.get(peerId);
    const conns = node.getConnections().filter((c) => c.remotePeer.toString() === peerId);
    const peer = st?.peer ?? conns[0]?.remotePeer;
    if (peer === undefined) return;
    node.hangUp(peer).catch((e) => this.log.debug({ peer: peerId, err: errMsg(e) }, 'hang up failed'));
  }

  private denyPeer(id: string, direction: 'inbound' | 'outbound'): boolean {
    if (this.scores.banned(id)) return true;
    if (direction === 'inbound' && !this.persistentIds.has(id) && !this.states.has(id)) {
      const others = [...this.states.values()].filter((s) => !this.persistentIds.has(s.id)).length;
      if (others >= this.maxPeers) return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- gossip and direct

  subscribe(topic: TopicName, handler: MessageHandler): () => void {
    let set = this.handlers.get(topic);
    if (set === undefined) this.handlers.set(topic, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  async publish(topic: TopicName, data: Uint8Array): Promise<void> {
    this.requireRunning();
    if (data.length > MAX_MESSAGE_BYTES) throw p2pError('tooLarge', `message of ${data.length} bytes exceeds ${MAX_MESSAGE_BYTES}`);
    this.seen.add(this.messageId(topic, data).toString('hex'));
    this.flood(encodeMessage(topic, data), null);
  }

  async sendDirect(peerId: string, topic: TopicName, data: Uint8Array): Promise<void> {
    this.requireRunning();
    if (data.length > MAX_MESSAGE_BYTES) throw p2pError('tooLarge', `message of ${data.length} bytes exceeds ${MAX_MESSAGE_BYTES}`);
    const st = this.states.get(peerId);
    if (st === undefined || !st.verified) throw p2pError('peerNotConnected', `peer ${peerId} is not connected`);
    try {
      await this.channel(st, false).send(encodeMessage(topic, data));
    } catch (e) {
      throw p2pError('peerNotConnected', `send to ${peerId} failed: ${errMsg(e)}`);
    }
  }

  private messageId(topic: TopicName, data: Uint8Array): Buffer {
    return createHash('sha256').update(topicId(this.init.chainId, topic)).update(data).digest();
  }

  /**
   * Passes on a message seen for the first time: small ones in full, large ones as an IHAVE
   * (kept for the IWANTs), to every verified peer but `from` and those that announced it to us.
   */
  private relay(frame: Uint8Array, id: Buffer, idHex: string, from: string, announcers: readonly string[]): void {
    if (frame.length <= this.limits.relayInlineBytes) {
      this.flood(frame, from);
      return;
    }
    this.kept.add(idHex, frame);
    const have = encodeGossipControl(GOSSIP_IHAVE, id);
    for (const st of this.states.values()) {
      if (!st.verified || st.id === from || announcers.includes(st.id)) continue;
      this.channel(st, true).send(have).catch((e) => this.log.debug({ peer: st.id, err: errMsg(e) }, 'gossip send dropped'));
    }
  }

  private onHave(from: string, id: Uint8Array): void {
    const idHex = Buffer.from(id.buffer, id.byteOffset, id.length).toString('hex');
    if (this.seen.has(idHex)) return;
    const w = this.wants.get(idHex);
    if (w !== undefined) {
      if (!w.announcers.includes(from)) w.announcers.push(from);
      return;
    }
    if (this.wants.size >= MAX_WANTS) this.wants.delete(this.wants.keys().next().value!);
    this.wants.set(idHex, { id: id.slice(), askedAt: Date.now(), announcers: [from], asked: -1 });
  }

  private askFor(w: Want): void {
    const st = this.states.get(w.announcers[w.asked]!);
    if (st === undefined || !st.verified) return; // the retry sweep moves on to the next announcer
    this.channel(st, true).send(encodeGossipControl(GOSSIP_IWANT, w.id)).catch((e) => this.log.debug({ peer: st.id, err: errMsg(e) }, 'gossip send dropped'));
  }

  /**
   * Asks for announced ids still missing after `wantDelayMs`; an unanswered IWANT goes to the
   * next peer that announced the id; after the last one, the id is dropped.
   */
  private retryWants(): void {
    const now = Date.now();
    for (const [idHex, w] of this.wants) {
      if (now - w.askedAt < (w.asked < 0 ? this.limits.wantDelayMs : this.limits.wantRetryMs)) continue;
      if (this.seen.has(idHex) || w.asked + 1 >= w.announcers.length) {
        this.wants.delete(idHex);
        continue;
      }
      w.asked++;
      w.askedAt = now;
      this.askFor(w);
    }
  }

  private onWant(from: string, id: Uint8Array): void {
    const st = this.states.get(from);
    if (st === undefined || !st.verified) return;
    const frame = this.kept.take(Buffer.from(id.buffer, id.byteOffset, id.length).toString('hex'), from);
    if (frame === undefined) return; // never relayed here, expired, or already sent to this peer
    this.channel(st, true).send(frame).catch((e) => this.log.debug({ peer: st.id, err: errMsg(e) }, 'gossip send dropped'));
  }

  /** Sends a gossip frame to every verified peer but `except` (the one we got it from). */
  private flood(payload: Uint8Array, except: string | null): void {
    let frame: Uint8Array | undefined;
    for (const st of this.states.values()) {
      if (!st.verified || st.id === except) continue;
      frame ??= encodeFrame(payload);
      this.channel(st, true).sendFrame(frame).catch((e) => this.log.debug({ peer: st.id, err: errMsg(e) }, 'gossip send dropped'));
    }
  }

  private channel(st: PeerState, gossip: boolean): OutboundChannel {
    const existing = gossip ? st.gossip : st.direct;
    if (existing !== null) return existing;
    const protocol = gossip ? this.proto.gossip : this.proto.direct;
    const ch = new OutboundChannel(
      () => this.openStream(st.peer, protocol, this.limits.statusTimeoutMs),
      this.limits.maxQueuedBytesPerPeer,
      (e) => this.log.debug({ peer: st.id, protocol, err: e.message }, 'outbound stream failed'),
    );
    if (gossip) st.gossip = ch;
    else st.direct = ch;
    return ch;
  }

  private async readMessages(stream: Stream, conn: Connection, gossip: boolean): Promise<void> {
    const from = conn.remotePeer.toString();
    const reader = new FrameReader(stream as AsyncIterable<Chunk>, MAX_MESSAGE_FRAME);
    try {
      for (;;) {
        const frame = await reader.next();
        if (frame === null) break;
        let msg;
        try {
          msg = gossip ? decodeGossipFrame(frame) : { kind: 'message' as const, ...decodeMessage(frame) };
        } catch (e) {
          this.penalize(from, `malformed message: ${errMsg(e)}`, PENALTY.malformedFrame);
          continue;
        }
        if (msg.kind !== 'message') {
          if (msg.kind === 'ihave') this.onHave(from, msg.id);
          else this.onWant(from, msg.id);
          continue;
        }
        if (gossip) {
          const id = this.messageId(msg.topic, msg.data);
          const idHex = id.toString('hex');
          if (!this.seen.add(idHex)) continue;
          const w = this.wants.get(idHex);
          if (w !== undefined) this.wants.delete(idHex);
          this.relay(frame, id, idHex, from, w?.announcers ?? []);
        }
        this.deliver(msg.topic, msg.data, from);
      }
      await stream.close().catch(() => undefined);
    } catch (e) {
      this.onStreamError(from, stream, e);
    }
  }

  private deliver(topic: TopicName, data: Uint8Array, from: string): void {
    const set = this.handlers.get(topic);
    if (set === undefined) return;
    for (const h of [...set]) {
      try {
        h(data, from);
      } catch (e) {
        this.log.error({ topic, peer: from, err: errMsg(e) }, 'message handler threw');
      }
    }
  }

  /** Frame errors are the peer's fault and cost points; transport errors (reset, close) do not. */
  private onStreamError(from: string, stream: Stream, e: unknown): void {
    if (e instanceof FrameError) {
      stream.abort(e);
      this.penalize(from, e.message, e.kind === 'oversized' ? PENALTY.oversizedFrame : PENALTY.malformedFrame);
    } else {
      this.log.debug({ peer: from, protocol: stream.protocol, err: errMsg(e) }, 'stream ended');
    }
  }

  // ---------------------------------------------------------------- status

  setStatusProvider(fn: StatusProvider): void {
    this.statusProvider = fn;
  }

  private ownStatus(): StatusInfo {
    const s = this.statusProvider();
    return { chainId: this.init.chainId, height: s.height, baseHeight: s.baseHeight };
  }

  async getStatus(peerId: string): Promise<StatusInfo> {
    this.requireRunning();
    const st = this.states.get(peerId);
    if (st === undefined) throw p2pError('peerNotConnected', `peer ${peerId} is not connected`);
    const status = await this.exchangeStatus(st);
    if (status.chainId !== this.init.chainId) {
      this.banFor(peerId, `peer runs chain ${status.chainId}`);
      throw p2pError('protocol', `peer ${peerId} runs chain ${status.chainId}, not ${this.init.chainId}`);
    }
    this.markVerified(st, status);
    return status;
  }

  private async exchangeStatus(st: PeerState): Promise<StatusInfo> {
    const frames = await this.request(st, this.proto.status, encodeStatus(this.ownStatus()), MAX_STATUS_BYTES, this.limits.statusTimeoutMs, 1);
    if (frames.length !== 1) {
      this.penalize(st.id, 'empty status response', PENALTY.badStatus);
      throw p2pError('protocol', `peer ${st.id} sent no status`);
    }
    try {
      return decodeStatus(frames[0]!);
    } catch (e) {
      this.penalize(st.id, `bad status: ${errMsg(e)}`, PENALTY.badStatus);
      throw p2pError('protocol', `peer ${st.id} sent a bad status: ${errMsg(e)}`);
    }
  }

  private async serveStatus(stream: Stream, conn: Connection): Promise<void> {
    const from = conn.remotePeer.toString();
    const timer = this.abortAfter(stream, this.limits.statusTimeoutMs);
    try {
      const reader = new FrameReader(stream as AsyncIterable<Chunk>, MAX_STATUS_BYTES);
      const frame = await reader.next();
      if (frame === null) throw new WireError('no status request');
      const theirs = decodeStatus(frame);
      stream.send(encodeFrame(encodeStatus(this.ownStatus())));
      // decide before waiting on the close: the peer may hang up as soon as it has our answer
      if (theirs.chainId !== this.init.chainId) {
        await stream.close().catch(() => undefined);
        this.banFor(from, `peer runs chain ${theirs.chainId}`);
        return;
      }
      const st = this.states.get(from);
      if (st !== undefined) this.markVerified(st, theirs);
      await stream.close();
    } catch (e) {
      if (e instanceof WireError) {
        stream.abort(e);
        this.penalize(from, `bad status request: ${e.message}`, PENALTY.badStatus);
      } else {
        this.onStreamError(from, stream, e);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  // ---------------------------------------------------------------- block sync

  setBlockProvider(fn: BlockProvider): void {
    this.blockProvider = fn;
  }

  async requestBlocks(peerId: string, fromHeight: number, maxCount: number, signal?: AbortSignal): Promise<BlockEntry[]> {
    this.requireRunning();
    if (!Number.isSafeInteger(fromHeight) || fromHeight < 1) throw p2pError('config', `invalid fromHeight ${fromHeight}`);
    const count = Math.max(1, Math.min(Math.floor(maxCount), MAX_BLOCKS_PER_REQUEST));
    const st = this.states.get(peerId);
    if (st === undefined || !st.verified) throw p2pError('peerNotConnected', `peer ${peerId} is not connected`);
    const frames = await this.request(st, this.proto.blocks, encodeBlocksRequest(fromHeight, count), MAX_BLOCK_ENTRY_BYTES, this.limits.blocksTimeoutMs, count, MAX_BLOCKS_RESPONSE_BYTES + MAX_BLOCK_ENTRY_BYTES, signal);
    let entries: BlockEntry[];
    try {
      entries = frames.map(decodeBlockEntry);
    } catch (e) {
      this.penalize(peerId, `bad block entry: ${errMsg(e)}`, PENALTY.badBlockResponse);
      throw p2pError('protocol', `peer ${peerId} sent a bad block entry: ${errMsg(e)}`);
    }
    const bad = checkBlocksResponse(entries, fromHeight, count);
    if (bad !== null) {
      this.penalize(peerId, `bad blocks response: ${bad}`, PENALTY.badBlockResponse);
      throw p2pError('protocol', `peer ${peerId}: ${bad}`);
    }
    return entries;
  }

  private async serveBlocks(stream: Stream, conn: Connection): Promise<void> {
    const from = conn.remotePeer.toString();
    const timer = this.abortAfter(stream, this.limits.blocksTimeoutMs);
    try {
      const reader = new FrameReader(stream as AsyncIterable<Chunk>, 64);
      const frame = await reader.next();
      if (frame === null) throw new WireError('no blocks request');
      const req = decodeBlocksRequest(frame);
      const count = Math.min(req.maxCount, MAX_BLOCKS_PER_REQUEST);
      const provider = this.blockProvider;
      const entries = provider === null || count === 0 ? [] : await provider(req.fromHeight, count);
      let bytes = 0;
      for (const [i, e] of entries.entries()) {
        if (i >= count || e.height !== req.fromHeight + i) break;
        const size = blockEntrySize(e);
        if (i > 0 && bytes + size > MAX_BLOCKS_RESPONSE_BYTES) break;
        bytes += size;
        if (!stream.send(encodeFrame(encodeBlockEntry(e)))) await stream.onDrain();
      }
      await stream.close();
    } catch (e) {
      if (e instanceof WireError) {
        stream.abort(e);
        this.penalize(from, `bad blocks request: ${e.message}`, PENALTY.malformedFrame);
      } else {
        this.onStreamError(from, stream, e);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  // ---------------------------------------------------------------- request/response plumbing

  private async openStream(peer: PeerIdObject, protocol: string, timeoutMs: number, cancel?: AbortSignal): Promise<Stream> {
    const node = this.node;
    if (node === null) throw p2pError('notStarted', 'p2p host not started');
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = cancel === undefined ? timeout : AbortSignal.any([timeout, cancel]);
    return node.dialProtocol(peer, protocol, { signal });
  }

  /** Aborts the stream if the exchange is not over in time; returns the timer to clear. */
  private abortAfter(stream: Stream, ms: number): NodeJS.Timeout {
    const t = setTimeout(() => stream.abort(p2pError('timeout', `no answer within ${ms} ms`)), ms);
    t.unref();
    return t;
  }

  /**
   * Opens a stream, sends one request frame, closes our side, reads up to `maxFrames` frames of
   * at most `maxFrameBytes` (and `maxTotalBytes` in all) until the peer closes.
   *
   * Aborting `signal` gives the request up: the stream is aborted (so it does not linger until
   * our own timeout) and the request rejects with `cancelled`, without a penalty, since the
   * caller gave up and the peer did nothing wrong.
   */
  private async request(
    st: PeerState, protocol: string, req: Uint8Array, maxFrameBytes: number, timeoutMs: number,
    maxFrames: number, maxTotalBytes = maxFrameBytes, signal?: AbortSignal,
  ): Promise<Uint8Array[]> {
    const cancelledError = (): Error => p2pError('cancelled', `${protocol} to ${st.id} cancelled by the caller`);
    // a function, not a property read, so the checks after each await are not narrowed away
    const aborted = (): boolean => signal?.aborted === true;
    if (aborted()) throw cancelledError();
    let stream: Stream;
    try {
      stream = await this.openStream(st.peer, protocol, timeoutMs, signal);
    } catch (e) {
      if (aborted()) throw cancelledError();
      throw p2pError('peerNotConnected', `cannot open ${protocol} to ${st.id}: ${errMsg(e)}`);
    }
    if (aborted()) {
      stream.abort(cancelledError());
      throw cancelledError();
    }
    let timedOut = false;
    let cancelled = false;
    const timer = setTimeout(() => {
      if (cancelled) return;
      timedOut = true;
      stream.abort(p2pError('timeout', `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    const onAbort = (): void => {
      if (timedOut) return;
      cancelled = true;
      stream.abort(cancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      stream.send(encodeFrame(req));
      await stream.close();
      const reader = new FrameReader(stream as AsyncIterable<Chunk>, maxFrameBytes);
      const frames: Uint8Array[] = [];
      let total = 0;
      for (;;) {
        const f = await reader.next();
        if (f === null) break;
        total += f.length;
        if (frames.length >= maxFrames || total > maxTotalBytes) {
          stream.abort(new Error('response too large'));
          this.penalize(st.id, `${protocol} response too large`, PENALTY.oversizedFrame);
          throw p2pError('tooLarge', `${protocol} response from ${st.id} too large`);
        }
        frames.push(f);
      }
      return frames;
    } catch (e) {
      if (cancelled) throw cancelledError();
      if (timedOut) {
        this.penalize(st.id, `${protocol} timeout`, PENALTY.timeout);
        throw p2pError('timeout', `${protocol} to ${st.id}: no answer within ${timeoutMs} ms`);
      }
      if (e instanceof FrameError) {
        stream.abort(e);
        this.penalize(st.id, `${protocol}: ${e.message}`, e.kind === 'oversized' ? PENALTY.oversizedFrame : PENALTY.malformedFrame);
        throw p2pError(e.kind === 'oversized' ? 'tooLarge' : 'protocol', `${protocol} from ${st.id}: ${e.message}`);
      }
      throw isChainError(e) ? e : p2pError('protocol', `${protocol} to ${st.id} failed: ${errMsg(e)}`);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  // ---------------------------------------------------------------- peer lifecycle

  private onConnect(peer: PeerIdObject): void {
    const id = peer.toString();
    if (!this.running || this.states.has(id)) return;
    if (this.scores.banned(id)) {
      this.disconnect(id);
      return;
    }
    const st: PeerState = { id, peer, verified: false, status: null, gossip: null, direct: null, handshakeTimer: null };
    this.states.set(id, st);
    st.handshakeTimer = setTimeout(() => {
      if (!st.verified && this.states.get(id) === st) {
        this.log.info({ peer: id }, 'peer did not complete the status handshake; disconnecting');
        this.disconnect(id);
      }
    }, this.limits.handshakeTimeoutMs);
    st.handshakeTimer.unref();
    this.handshake(st).catch(() => undefined);
  }

  /** Our half of the handshake; the peer's half (serveStatus) may verify it first. */
  private async handshake(st: PeerState): Promise<void> {
    try {
      await this.getStatus(st.id);
    } catch (e) {
      if (this.states.get(st.id) === st && !st.verified) {
        this.log.debug({ peer: st.id, err: errMsg(e) }, 'status handshake failed; disconnecting');
        this.disconnect(st.id);
      }
    }
  }

  private markVerified(st: PeerState, status: StatusInfo): void {
    st.status = status;
    if (st.verified || this.states.get(st.id) !== st) return;
    st.verified = true;
    if (st.handshakeTimer !== null) clearTimeout(st.handshakeTimer);
    st.handshakeTimer = null;
    const info = this.peerInfo(st);
    this.log.info({ peer: st.id, address: info.address, height: status.height }, 'peer connected');
    for (const p of this.persistent) {
      if (p.addr.id === st.id) p.attempt = 0;
    }
    for (const fn of [...this.connectedListeners]) {
      try {
        fn(info);
      } catch (e) {
        this.log.error({ peer: st.id, err: errMsg(e) }, 'peer-connected listener threw');
      }
    }
  }

  private onDisconnect(id: string): void {
    const st = this.states.get(id);
    if (st === undefined) return;
    this.states.delete(id);
    this.dropState(st);
    for (const p of this.persistent) {
      if (p.addr.id === id) p.nextAt = Date.now() + this.limits.reconnectBaseMs;
    }
    if (!st.verified || !this.running) return;
    this.log.info({ peer: id }, 'peer disconnected');
    for (const fn of [...this.disconnectedListeners]) {
      try {
        fn(id);
      } catch (e) {
        this.log.error({ peer: id, err: errMsg(e) }, 'peer-disconnected listener threw');
      }
    }
  }

  private dropState(st: PeerState): void {
    if (st.handshakeTimer !== null) clearTimeout(st.handshakeTimer);
    st.handshakeTimer = null;
    st.gossip?.close();
    st.direct?.close();
    st.gossip = null;
    st.direct = null;
  }

  private peerInfo(st: PeerState): PeerInfo {
    const conn = this.node?.getConnections().find((c) => c.remotePeer.toString() === st.id);
    return { id: st.id, address: conn?.remoteAddr.toString() ?? '' };
  }

  /** Dials persistent peers that are not connected, each on its own exponential backoff. */
  private redialTick(): void {
    const node = this.node;
    if (node === null || !this.running) return;
    const now = Date.now();
    const connected = new Set(node.getConnections().map((c) => c.remotePeer.toString()));
    for (const p of this.persistent) {
      if (p.dialing || now < p.nextAt) continue;
      const id = p.addr.id;
      if (id !== null && (connected.has(id) || this.scores.banned(id))) continue;
      p.dialing = true;
      node.dial(toDialTarget(p.addr.multiaddr), { signal: AbortSignal.timeout(this.limits.statusTimeoutMs) })
        .then((conn) => {
          p.attempt = 0;
          if (p.addr.id === null) {
            // learn the id of a peer given by address only, so it counts as connected next time
            p.addr = { id: conn.remotePeer.toString(), multiaddr: `${p.addr.multiaddr}/p2p/${conn.remotePeer.toString()}` };
            this.persistentIds.add(p.addr.id!);
          }
        })
        .catch((e) => {
          const delay = Math.min(this.limits.reconnectBaseMs * 2 ** p.attempt, this.limits.reconnectMaxMs);
          p.attempt = Math.min(p.attempt + 1, 30);
          p.nextAt = Date.now() + delay;
          this.log.debug({ peer: p.addr.id, addr: p.addr.multiaddr, retryInMs: delay, err: errMsg(e) }, 'persistent peer dial failed');
        })
        .finally(() => {
          p.dialing = false;
        });
    }
  }

  private requireRunning(): void {
    if (!this.running || this.node === null) throw p2pError('notStarted', 'p2p host not started');
  }
}
