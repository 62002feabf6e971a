/**
 * Seeded discrete-event simulation of N validators running ConsensusCore over a faulty network.
 * Everything random comes from one mulberry32 stream seeded by the test, so a seed replays
 * exactly (SIM_SEED=<n>). The harness plays the node's role: it performs the core's actions
 * (WAL append, broadcast, timers, commit), keeps a block store, persists the signer state, and
 * gossips (periodic re-broadcast of its own messages for the current height; status → commit
 * sync for peers that fell behind), which is what gives liveness after drops heal.
 */
import { ConsensusCore, walEntryToEvent, type ConsensusAction, type ConsensusEvent } from '../../src/consensus/state-machine.js';
import { GuardedSigner, INITIAL_SIGNER_STATE, type SignerStateData } from '../../src/consensus/signer.js';
import { ValidatorSet } from '../../src/consensus/validator-set.js';
import { decodeWalFrames, encodeWalEntry, entriesToReplay } from '../../src/consensus/wal.js';
import {
  commitHash,
  decodeBlock,
  decodeProposal,
  decodeVote,
  emptyCommit,
  encodeBlock,
  encodeProposal,
  encodeVote,
  evidenceHash,
  headerHash,
  txsHash,
  voteSignBytes,
} from '../../src/consensus/block.js';
import { bytesEqual, consensusAddress, ed25519PublicKey, ed25519Signer, ed25519Verify, sha256, toHex, type SigVerifier } from '../../src/consensus/crypto-adapter.js';
import { VoteType, type Block, type Commit, type DuplicateVoteEvidence, type Vote } from '../../src/consensus/types.js';

export const CHAIN_ID = 'sim-chain';
const GOSSIP_FANOUT = 3;
/**
 * Blocks a peer sends in answer to one status message (the node's block sync fetches ranges
 * too): with one block per gossip tick a validator that fell behind would catch up no faster
 * than the chain grows, and never vote at the live height again.
 */
const SYNC_BATCH = 20;

/** mulberry32: tiny, fast, good enough for scheduling faults. */
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

export interface SimOptions {
  seed: number;
  n: number;
  byzantine: boolean;
  crashes: boolean;
  partitions: boolean;
  /** Chaos phase length (simulated ms); then the network heals. */
  chaosMs?: number;
  /** Heights to reach after healing, beyond the highest committed at heal time. */
  extraHeights?: number;
  /** Simulated time allowed after healing. */
  livenessBoundMs?: number;
}

type Wire =
  | { kind: 'proposal'; proposal: Uint8Array; block: Uint8Array }
  | { kind: 'vote'; vote: Uint8Array }
  | { kind: 'status'; height: number }
  | { kind: 'commit_sync'; items: { block: Block; commit: Commit }[] };

interface SimNode {
  id: number;
  priv: Uint8Array;
  address: Uint8Array;
  byzantine: boolean;
  core: ConsensusCore | undefined;
  alive: boolean;
  epoch: number;
  wal: Uint8Array[];
  /** Index up to which the WAL is fsynced (entries after may be lost in a crash). */
  walSynced: number;
  signerState: SignerStateData;
  store: Map<number, { block: Block; commit: Commit }>;
  height: number;
  appHash: Uint8Array;
  lastTimeMs: number;
  own: Wire[];
  evidence: DuplicateVoteEvidence[];
  /** The equivocator's guard-less signer. */
  rawSign?: (msg: Uint8Array) => Uint8Array;
}

export class SimFailure extends Error {}

export interface SimResult {
  heights: number[];
  commits: number;
  evidenceAgainstByz: number;
  simTimeMs: number;
  events: number;
}

export function runSim(opts: SimOptions): SimResult {
  return new Sim(opts).run();
}

class Sim {
  private readonly rng: Prng;
  private now = 0;
  private seq = 0;
  private heap: { at: number; seq: number; fn: () => void }[] = [];
  private readonly nodes: SimNode[] = [];
  private readonly sets = new Map<number, ValidatorSet>();
  private readonly decided = new Map<number, string>();
  private readonly signedVotes = new Map<string, string>();
  private readonly verifyMemo = new Map<string, boolean>();
  private readonly verify: SigVerifier;
  private partition: Set<number> | undefined;
  private dropP = 0;
  private dupP = 0;
  private maxDelay = 50;
  private healed = false;
  private events = 0;
  private commits = 0;
  private readonly chaosMs: number;

  constructor(private readonly o: SimOptions) {
    this.rng = new Prng(o.seed);
    this.chaosMs = o.chaosMs ?? 15_000;
    this.verify = (pub, msg, sig) => {
      const k = toHex(sig) + toHex(msg) + toHex(pub);
      let r = this.verifyMemo.get(k);
      if (r === undefined) {
        r = ed25519Verify(pub, msg, sig);
        this.verifyMemo.set(k, r);
      }
      return r;
    };
    const vals = [];
    for (let i = 0; i < o.n; i++) {
      const priv = sha256(new TextEncoder().encode(`sim-${o.seed}-${i}`));
      const pub = ed25519PublicKey(priv);
      const address = consensusAddress(pub);
      // Varied powers; the byzantine node (index 0) holds well under 1/3.
      const power = BigInt(o.byzantine && i === 0 ? 5 : 10 + this.rng.int(10));
      vals.push({ address, pubKey: pub, votingPower: power });
      this.nodes.push({
        id: i,
        priv,
        address,
        byzantine: o.byzantine && i === 0,
        core: undefined,
        alive: true,
        epoch: 0,
        wal: [],
        walSynced: 0,
        signerState: INITIAL_SIGNER_STATE,
        store: new Map(),
        height: 1,
        appHash: new Uint8Array(32),
        lastTimeMs: 0,
        own: [],
        evidence: [],
      });
    }
    this.sets.set(1, ValidatorSet.create(vals));
  }

  private fail(msg: string): never {
    if (process.env.SIM_DEBUG) {
      for (const n of this.nodes) {
        const rs = n.core?.roundState();
        console.error(`node ${n.id}${n.byzantine ? ' (byz)' : ''} alive=${n.alive} h=${n.height} r=${rs?.round} step=${rs?.step} locked=${rs?.lockedRound} valid=${rs?.validRound} own=${n.own.length}`);
      }
    }
    throw new SimFailure(`seed ${this.o.seed} (n=${this.o.n}) t=${this.now}: ${msg}`);
  }

  private setFor(h: number): ValidatorSet {
    let s = this.sets.get(h);
    if (!s) {
      s = this.setFor(h - 1).copyIncrementProposerPriority(1);
      this.sets.set(h, s);
    }
    return s;
  }

  // ------------------------------------------------------------------ event queue

  private at(delay: number, fn: () => void): void {
    const e = { at: this.now + delay, seq: this.seq++, fn };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at < e.at || (h[p]!.at === e.at && h[p]!.seq < e.seq)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  private pop(): { at: number; fn: () => void } | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        const less = (a: typeof last, b: typeof last): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);
        if (l < h.length && less(h[l]!, m === i ? last : h[m]!)) m = l;
        if (r < h.length && less(h[r]!, m === i ? last : h[m]!)) m = r;
        if (m === i) break;
        h[i] = h[m]!;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }

  // ------------------------------------------------------------------ nodes

  private makeCore(node: SimNode): ConsensusCore {
    const signer = new GuardedSigner(node.priv, node.signerState, (s) => {
      node.signerState = s; // "fsync" of priv_validator_state.json
    });
    return new ConsensusCore({
      chainId: CHAIN_ID,
      signer,
      verify: this.verify,
      timeouts: { proposeMs: 1000, proposeDeltaMs: 250, prevoteMs: 500, prevoteDeltaMs: 250, precommitMs: 500, precommitDeltaMs: 250, commitMs: 300 },
      createBlock: (a) => this.createBlock(node, a.height, a.proposerAddress, a.lastCommit),
      isValidBlock: (b) => this.isValidBlock(node, b),
    });
  }

  private createBlock(node: SimNode, height: number, proposer: Uint8Array, lastCommit: Commit): Block {
    const txs: Uint8Array[] = [];
    const n = this.rng.int(4);
    for (let i = 0; i < n; i++) txs.push(this.rng.bytes(8 + this.rng.int(24)));
    const prev = node.store.get(height - 1);
    const E = new Uint8Array(0);
    const vh = this.setFor(height).hash();
    return {
      header: {
        chainId: CHAIN_ID,
        height,
        timeMs: Math.max(this.now, node.lastTimeMs + 1),
        lastBlockId: { hash: prev ? headerHash(prev.block.header) : E },
        lastCommitHash: height === 1 ? E : commitHash(lastCommit),
        dataHash: txsHash(txs),
        validatorsHash: vh,
        nextValidatorsHash: vh,
        appHash: node.appHash,
        lastResultsHash: E,
        evidenceHash: evidenceHash([]),
        proposerAddress: proposer,
      },
      txs,
      evidence: [],
      lastCommit,
    };
  }

  private isValidBlock(node: SimNode, b: Block): boolean {
    const prev = node.store.get(b.header.height - 1);
    const lastHash = prev ? headerHash(prev.block.header) : new Uint8Array(0);
    return (
      bytesEqual(b.header.lastBlockId.hash, lastHash) &&
      bytesEqual(b.header.appHash, node.appHash) &&
      b.header.timeMs > node.lastTimeMs &&
      bytesEqual(b.header.validatorsHash, this.setFor(b.header.height).hash())
    );
  }

  private startHeight(node: SimNode, replay: boolean): void {
    const h = node.height;
    const last = node.store.get(h - 1);
    node.own = [];
    this.deliverToCore(node, { type: 'start', height: h, lastCommit: last ? last.commit : emptyCommit(), state: { validators: this.setFor(h) } }, replay);
  }

  private deliverToCore(node: SimNode, ev: ConsensusEvent, replay = false): void {
    if (!node.alive || !node.core) return;
    this.events++;
    const acts = node.core.handle({ ...ev, nowMs: this.now });
    this.perform(node, acts, replay);
  }

  private perform(node: SimNode, acts: ConsensusAction[], replay: boolean): void {
    for (const a of acts) {
      switch (a.type) {
        case 'wal_write':
          if (!replay) {
            node.wal.push(encodeWalEntry(a.entry));
            if (a.sync) node.walSynced = node.wal.length;
          }
          break;
        case 'broadcast_proposal': {
          const w: Wire = { kind: 'proposal', proposal: encodeProposal(a.proposal), block: encodeBlock(a.block) };
          node.own.push(w);
          this.broadcast(node, w);
          break;
        }
        case 'broadcast_vote': {
          this.recordSigned(node, a.vote);
          const w: Wire = { kind: 'vote', vote: encodeVote(a.vote) };
          node.own.push(w);
          if (node.byzantine) this.equivocate(node, a.vote);
          else this.broadcast(node, w);
          break;
        }
        case 'schedule_timeout': {
          const epoch = node.epoch;
          this.at(a.durationMs, () => {
            if (node.epoch === epoch) this.deliverToCore(node, { type: 'timeout', height: a.height, round: a.round, step: a.step });
          });
          break;
        }
        case 'commit':
          this.onCommit(node, a.block, a.commit);
          break;
        case 'evidence':
          node.evidence.push(a.ev);
          if (!this.nodes.find((x) => bytesEqual(x.address, a.ev.voteA.validatorAddress))?.byzantine) {
            this.fail(`evidence against honest validator ${toHex(a.ev.voteA.validatorAddress)} seen by node ${node.id}`);
          }
          break;
        case 'error':
          this.fail(`core error at node ${node.id}: ${a.message}`);
        // eslint-disable-next-line no-fallthrough
        case 'request_block':
          break;
      }
    }
  }

  /** Honest validators never sign two different block ids for one (height, round, type). */
  private recordSigned(node: SimNode, v: Vote): void {
    if (node.byzantine) return;
    const k = `${toHex(v.validatorAddress)}/${v.height}/${v.round}/${v.type}`;
    const prev = this.signedVotes.get(k);
    const h = toHex(v.blockId.hash);
    if (prev !== undefined && prev !== h) this.fail(`honest node ${node.id} double-signed ${k}`);
    this.signedVotes.set(k, h);
  }

  private onCommit(node: SimNode, block: Block, commit: Commit): void {
    const h = block.header.height;
    if (h !== node.height) this.fail(`node ${node.id} committed height ${h} while at ${node.height}`);
    const hash = headerHash(block.header);
    // validity: +2/3 valid signatures of this height's set, and the block came from a proposer of this height
    try {
      this.setFor(h).verifyCommit(CHAIN_ID, { hash }, h, commit, this.verify);
    } catch (e) {
      this.fail(`node ${node.id} committed height ${h} without a valid +2/3 commit: ${(e as Error).message}`);
    }
    let fromProposer = false;
    for (let r = 0; r <= commit.round && !fromProposer; r++) {
      fromProposer = bytesEqual(this.setFor(h).copyIncrementProposerPriority(r).getProposer()!.address, block.header.proposerAddress);
    }
    if (!fromProposer) this.fail(`height ${h} block not proposed by a proposer of rounds 0..${commit.round}`);
    if (!node.byzantine) {
      const prev = this.decided.get(h);
      if (prev !== undefined && prev !== toHex(hash)) this.fail(`agreement violated at height ${h} (node ${node.id})`);
      this.decided.set(h, toHex(hash));
    }
    this.commits++;
    node.store.set(h, { block, commit });
    node.appHash = sha256(new Uint8Array([...node.appHash, ...hash]));
    node.lastTimeMs = block.header.timeMs;
    node.wal.push(encodeWalEntry({ kind: 'end_height', height: h }));
    node.walSynced = node.wal.length;
    node.height = h + 1;
    this.startHeight(node, false);
  }

  // ------------------------------------------------------------------ network

  private connected(a: number, b: number): boolean {
    return !this.partition || this.partition.has(a) === this.partition.has(b);
  }

  private send(from: SimNode, to: SimNode, w: Wire): void {
    if (from.id === to.id || !this.connected(from.id, to.id) || this.rng.chance(this.dropP)) return;
    const copies = this.rng.chance(this.dupP) ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      this.at(1 + this.rng.int(this.maxDelay), () => {
        if (to.alive && this.connected(from.id, to.id)) this.receive(to, from, w);
      });
    }
  }

  private broadcast(from: SimNode, w: Wire): void {
    for (const to of this.nodes) this.send(from, to, w);
  }

  /** The byzantine validator signs a second vote for another block id and splits the peers. */
  private equivocate(node: SimNode, v: Vote): void {
    const other: Vote = { ...v, blockId: { hash: v.blockId.hash.length ? new Uint8Array(0) : this.rng.bytes(32) } };
    node.rawSign ??= ed25519Signer(node.priv);
    other.signature = node.rawSign(voteSignBytes(CHAIN_ID, other));
    const a: Wire = { kind: 'vote', vote: encodeVote(v) };
    const b: Wire = { kind: 'vote', vote: encodeVote(other) };
    node.own.push(b);
    for (const to of this.nodes) {
      const x = this.rng.int(3);
      if (x !== 1) this.send(node, to, a);
      if (x !== 0) this.send(node, to, b);
    }
  }

  private receive(to: SimNode, from: SimNode, w: Wire): void {
    switch (w.kind) {
      case 'proposal':
        this.deliverToCore(to, { type: 'proposal', proposal: decodeProposal(w.proposal), block: decodeBlock(w.block) });
        break;
      case 'vote':
        this.deliverToCore(to, { type: 'vote', vote: decodeVote(w.vote) });
        break;
      case 'status': {
        const items: { block: Block; commit: Commit }[] = [];
        for (let h = w.height; h < w.height + SYNC_BATCH; h++) {
          const s = to.store.get(h);
          if (!s) break;
          items.push(s);
        }
        if (items.length > 0) this.send(to, from, { kind: 'commit_sync', items });
        break;
      }
      case 'commit_sync':
        // in order; the core takes the one of its current height (a commit moves it on)
        for (const it of w.items) this.deliverToCore(to, { type: 'commit_sync', block: it.block, commit: it.commit });
        break;
    }
  }

  /**
   * CometBFT-style gossip from the node's round state (not only its own messages): the current
   * round's proposal and votes, the prevotes of the proof-of-lock rounds, and a random earlier
   * round, so a peer that missed anything (drop, partition, crash) catches up once connected.
   */
  private gossip(node: SimNode): void {
    const core = node.core;
    if (node.alive && core) {
      const rs = core.roundState();
      const wires: Wire[] = [];
      const addRound = (r: number, prevotesOnly = false): void => {
        if (r < 0) return;
        const p = core.proposal(r);
        if (p) wires.push({ kind: 'proposal', proposal: encodeProposal(p.proposal), block: encodeBlock(p.block) });
        for (const v of core.votes(r, VoteType.Prevote)) wires.push({ kind: 'vote', vote: encodeVote(v) });
        if (!prevotesOnly) for (const v of core.votes(r, VoteType.Precommit)) wires.push({ kind: 'vote', vote: encodeVote(v) });
      };
      addRound(rs.round);
      const pol = core.proposal(rs.round)?.proposal.polRound ?? -1;
      for (const r of new Set([pol, rs.validRound, rs.lockedRound])) if (r !== rs.round) addRound(r, true);
      if (rs.round > 0) addRound(this.rng.int(rs.round));
      // the byzantine node keeps re-sending its conflicting versions too
      if (node.byzantine) wires.push(...node.own.slice(-4));
      // a few random peers per tick keeps the message count linear in n
      const peers = this.nodes.filter((x) => x !== node);
      for (let i = 0; i < GOSSIP_FANOUT && peers.length > 0; i++) {
        const to = peers.splice(this.rng.int(peers.length), 1)[0]!;
        const pick = wires.length <= 10 ? wires : Array.from({ length: 10 }, () => wires[this.rng.int(wires.length)]!);
        for (const w of pick) this.send(node, to, w);
        this.send(node, to, { kind: 'status', height: node.height });
      }
    }
    this.at(500 + this.rng.int(300), () => this.gossip(node));
  }

  // ------------------------------------------------------------------ faults

  private crash(node: SimNode): void {
    if (!node.alive) return;
    node.alive = false;
    node.epoch++;
    node.core = undefined;
    // Unsynced WAL entries may be lost, and the last write may be torn.
    if (this.rng.chance(0.5)) node.wal.length = Math.max(node.walSynced, node.wal.length - this.rng.int(3));
    if (this.rng.chance(0.5)) node.wal.push(this.rng.bytes(1 + this.rng.int(12)));
  }

  private restart(node: SimNode): void {
    if (node.alive) return;
    node.alive = true;
    node.epoch++;
    node.core = this.makeCore(node);
    const all = concat(node.wal);
    const read = decodeWalFrames(all);
    node.wal = [all.subarray(0, read.validLength)];
    node.walSynced = 1;
    this.startHeight(node, true);
    for (const e of entriesToReplay(read.entries, node.height)) {
      const ev = walEntryToEvent(e);
      if (ev) this.deliverToCore(node, ev, true);
    }
  }

  private scheduleChaos(): void {
    const honest = this.nodes.filter((n) => !n.byzantine);
    const phases = 3 + this.rng.int(4);
    for (let i = 0; i < phases; i++) {
      const t = this.rng.int(this.chaosMs);
      this.at(t, () => {
        if (this.healed) return;
        this.dropP = this.rng.next() * 0.25;
        this.dupP = this.rng.next() * 0.2;
        this.maxDelay = 5 + this.rng.int(400);
      });
    }
    if (this.o.partitions) {
      for (let i = 0; i < 2; i++) {
        const t = this.rng.int(this.chaosMs);
        const len = 500 + this.rng.int(5000);
        this.at(t, () => {
          if (this.healed) return;
          const side = new Set<number>();
          for (const n of this.nodes) if (this.rng.chance(0.5)) side.add(n.id);
          this.partition = side;
        });
        this.at(Math.min(t + len, this.chaosMs), () => (this.partition = undefined));
      }
    }
    if (this.o.crashes) {
      const k = 1 + this.rng.int(3);
      for (let i = 0; i < k; i++) {
        const n = honest[this.rng.int(honest.length)]!;
        const t = this.rng.int(this.chaosMs);
        const down = 200 + this.rng.int(4000);
        this.at(t, () => this.crash(n));
        this.at(Math.min(t + down, this.chaosMs), () => this.restart(n));
      }
    }
    this.at(this.chaosMs, () => {
      this.healed = true;
      this.partition = undefined;
      this.dropP = 0;
      this.dupP = 0.05;
      this.maxDelay = 100;
      for (const n of this.nodes) this.restart(n);
    });
  }

  run(): SimResult {
    this.dropP = 0.05;
    this.dupP = 0.05;
    this.maxDelay = 100;
    for (const n of this.nodes) {
      n.core = this.makeCore(n);
      this.startHeight(n, false);
      this.at(this.rng.int(500), () => this.gossip(n));
    }
    this.scheduleChaos();
    const honest = this.nodes.filter((n) => !n.byzantine);
    const byz = this.nodes.find((n) => n.byzantine);
    const evidenceAgainstByz = (): number =>
      byz ? honest.reduce((acc, n) => acc + n.evidence.filter((ev) => bytesEqual(ev.voteA.validatorAddress, byz.address)).length, 0) : 0;
    let target = Infinity;
    const bound = this.o.livenessBoundMs ?? 60_000;
    for (;;) {
      const e = this.pop();
      if (!e) this.fail('event queue ran dry');
      this.now = e.at;
      e.fn();
      if (this.healed && target === Infinity) {
        const top = Math.max(0, ...this.decided.keys());
        target = top + (this.o.extraHeights ?? 3);
      }
      // Detection of the equivocator is opportunistic during chaos (its two votes may never
      // meet at one honest node before the height is decided, e.g. while it lags behind a
      // partition), so after healing the run goes on, within the same bound, until some honest
      // node has caught it: a byzantine node that keeps signing conflicting votes on a healed
      // network must be detected.
      const reached = this.healed && honest.every((n) => n.height > target);
      if (reached && (!byz || evidenceAgainstByz() > 0)) break;
      if (this.now > this.chaosMs + bound) {
        if (reached) this.fail(`the equivocating validator was never detected (${bound} ms after healing)`);
        this.fail(`liveness: after healing, heights ${honest.map((n) => n.height - 1).join(',')} did not all reach ${target} within ${bound} ms`);
      }
    }
    return { heights: honest.map((n) => n.height - 1), commits: this.commits, evidenceAgainstByz: evidenceAgainstByz(), simTimeMs: this.now, events: this.events };
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
