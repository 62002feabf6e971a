/**
 * The Tendermint consensus engine of a node: one event loop that owns a `ConsensusCore` and
 * performs its actions, after CometBFT's `receiveRoutine`.
 *
 * - Inputs (peer proposals/votes, timeouts, blocks from block sync) go through ONE queue and
 *   are handled one at a time; every action of an input is performed before the next input.
 * - Actions are performed in the order the core returns them: a `wal_write` (fsynced when
 *   `sync`, i.e. our own proposal/vote) lands on disk before the broadcast that follows it; the
 *   signer persists `priv_validator_state.json` (signer-state-file.ts) before it releases a signature.
 * - `commit` → `BlockExecutor.apply` (records V(h+2) before the block is saved) → WAL
 *   `end_height` → the core starts the next height with its validator set.
 * - After a restart the core starts at the last stored height + 1 and the WAL entries after the
 *   last `end_height` are fed back (their own `wal_write`s are not logged twice).
 * - Gossip: own proposals (with the block) and votes are published; when the round state has
 *   not moved for `gossipIntervalMs`, the current votes are re-sent directly (and the proposal
 *   too once it has not moved for `PROPOSAL_RESEND_TICKS` intervals), and to a newly connected
 *   peer both at once, so a peer that missed them (or restarted) catches up.
 * - Evidence of duplicate votes goes to the pool, to peers, and into our next proposal.
 * - Block sync (`block-sync.ts`) feeds `commit_sync` into the same queue.
 */
import { ConsensusCore, walEntryToEvent, type ConsensusAction, type ConsensusEvent, type CreateBlockArgs, type TimeoutConfig } from '../consensus/state-machine.js';
import { GuardedSigner } from '../consensus/signer.js';
import { blockTxHashes, commitHash, decodeBlock, decodeCommit, emptyCommit, encodeBlock, evidenceHash, headerHash, knownReapedTxs, txsHash } from '../consensus/block.js';
import { bytesEqual, ed25519Verify, toHex, type SigVerifier } from '../consensus/crypto-adapter.js';
import { VoteType, type Block, type Commit, type DuplicateVoteEvidence, type Header, type Proposal } from '../consensus/types.js';
import type { Application } from '../app/abci.js';
import type { Mempool } from '../mempool/mempool.js';
import type { Network, PeerInfo, TopicName } from '../p2p/types.js';
import type { BlockStore } from '../store/index.js';
import type { BlockExecutor } from './executor.js';
import type { ConsensusEngine, ConsensusStatus } from './solo-producer.js';
import type { ValidatorKey } from './privval.js';
import type { Logger } from './logger.js';
import type { NodeMetrics } from './metrics.js';
import type { ValidatorSetHistory } from './validator-sets.js';
import { WalFile, walReplayEntries, type WalFileOptions } from './wal-file.js';
import { SignerStateFile } from './signer-state-file.js';
import { EvidencePool, MAX_EVIDENCE_AGE_HEIGHTS, checkEvidence } from './evidence-pool.js';
import { EvidenceFile } from './evidence-file.js';
import type { DecodedTx } from '../codec/types.js';
import { BlockSync, type BlockSyncOptions } from './block-sync.js';
import { decodeEvidenceMsg, decodeProposalBlock, decodeProposalMsgHead, decodeVoteMsg, sameSignedProposal, encodeEvidenceMsg, encodeProposalMsg, encodeVoteMsg } from './consensus-msgs.js';

const EMPTY = new Uint8Array(0);
/** A proposed block time may run ahead of our clock by this much (clock skew between hosts). */
export const MAX_BLOCK_TIME_DRIFT_MS = 30_000;
/** Penalty points for a malformed consensus message (the p2p layer bans at -100). */
const MALFORMED_PENALTY = 25;
const BAD_EVIDENCE_PENALTY = 10;
/**
 * Stalled gossip ticks in a row before the proposal is re-sent with the votes. Under load a
 * round state standing still for one interval is nearly always our own block execution or
 * timeout_commit, not a lost message, and the proposal carries the whole block: re-sending it
 * then made every peer receive and decode each block once more. Votes are small and still go
 * at every stalled tick; a peer that missed the proposal gets it one interval later.
 */
export const PROPOSAL_RESEND_TICKS = 2;

export interface BftEngineDeps {
  chainId: string;
  /** The validator key; absent for a full node (observer: follows, never signs). */
  key?: ValidatorKey;
  /** `data/priv_validator_state.json` (required with `key`). */
  signerStatePath?: string;
  walDir: string;
  wal?: WalFileOptions;
  /** `data/evidence.bin`: pending evidence kept across restarts (none: kept in memory only). */
  evidencePath?: string;
  app: Application;
  mempool: Mempool;
  executor: BlockExecutor;
  blocks: BlockStore;
  network: Network;
  valsets: ValidatorSetHistory;
  genesisTimeMs: number;
  timeouts: TimeoutConfig;
  maxBlockBytes: number;
  maxBlockTxs: number;
  log: Logger;
  metrics?: NodeMetrics;
  verify?: SigVerifier;
  /**
   * `consensus.create_empty_blocks` (default true). When false, a height whose commit wait ends
   * with an empty mempool does not start its round until a tx is accepted or a peer sends a
   * proposal or vote for it (so one waiting validator never stalls the others). The app hash
   * moves every block here, so CometBFT's extra "proof" block after a state change would make
   * every block; as in the one-validator producer, the next block with txs carries it.
   */
  createEmptyBlocks?: boolean;
  /** Round-state re-gossip period when nothing moves (ms, default 1000). */
  gossipIntervalMs?: number;
  sync?: BlockSyncOptions;
  /** Clock (ms); injected by tests. */
  now?: () => number;
  /** Called when applying a decided block fails (the node cannot continue); default: log fatal, exit code 1. */
  onFatal?: (e: Error) => void;
}

type QueueItem =
  | { kind: 'event'; ev: ConsensusEvent }
  | { kind: 'sync'; block: Block; commit: Commit; done: (ok: boolean) => void }
  | { kind: 'run'; fn: () => Promise<void>; done: (e?: Error) => void };

export class BftEngine implements ConsensusEngine {
  private core!: ConsensusCore;
  private wal!: WalFile;
  private signer: GuardedSigner | undefined;
  private readonly queue: QueueItem[] = [];
  private draining: Promise<void> | undefined;
  private running = false;
  private fatal = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private gossipTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  private pool = new EvidencePool();
  private readonly sync: BlockSync;
  private readonly verify: SigVerifier;
  private readonly now: () => number;
  private lastGossipKey = '';
  private signerFile: SignerStateFile | undefined;
  /**
   * Canonical bytes of blocks we already hold encoded (received from a peer, or encoded once for
   * our own WAL entry), so the WAL and the broadcast of a proposal do not re-encode its block.
   * Weak: an entry lives as long as the core keeps the block.
   */
  private readonly blockBytes = new WeakMap<Block, Uint8Array>();
  private stalledTicks = 0;
  /** True while a decided block is executed and stored (`onCommit`). */
  private applying = false;
  /** The new-height timeout held back while there is nothing to propose (create_empty_blocks = false). */
  private held: { height: number; round: number } | undefined;

  private lastHeight = 0;
  private lastHash: Uint8Array = EMPTY;
  private lastTimeMs: number;
  private lastCommit: Commit = emptyCommit();

  constructor(private readonly d: BftEngineDeps) {
    this.verify = d.verify ?? ed25519Verify;
    this.now = d.now ?? Date.now;
    this.lastTimeMs = d.genesisTimeMs;
    this.sync = new BlockSync(d.network, d.blocks, { lastHeight: () => this.lastHeight, applySynced: (b, c) => this.applySynced(b, c) }, d.log.child({ module: 'blocksync' }), d.sync);
  }

  // ------------------------------------------------------------------ lifecycle

  async start(): Promise<void> {
    const d = this.d;
    const latest = await d.blocks.latestHeight();
    if (latest > 0) {
      const b = decodeBlock((await d.blocks.loadBlockBytes(latest))!);
      const c = await d.blocks.loadCommitBytes(latest);
      if (!c) throw new Error(`commit for block ${latest} missing from the block store`);
      this.lastHeight = latest;
      this.lastHash = headerHash(b.header);
      this.lastTimeMs = b.header.timeMs;
      this.lastCommit = decodeCommit(c);
    }
    const vals = d.valsets.get(latest + 1);
    if (!vals) throw new Error(`validator set of height ${latest + 1} unknown`);
    if (d.key && vals.hasAddress(d.key.address) && !d.signerStatePath) throw new Error('BftEngine: signerStatePath is required with a validator key');
    if (d.key && d.signerStatePath) {
      // A validator key outside the current set still keeps its guard: it may join later.
      const file = SignerStateFile.open(d.signerStatePath);
      this.signerFile = file;
      this.signer = new GuardedSigner(d.key.privKey, file.state, (s) => file.save(s));
    }
    this.core = new ConsensusCore({
      chainId: d.chainId,
      timeouts: d.timeouts,
      signer: this.signer,
      verify: this.verify,
      createBlock: (a) => this.createBlock(a),
      isValidBlock: (b) => this.isValidBlock(b),
    });
    if (d.evidencePath) {
      const file = new EvidenceFile(d.evidencePath);
      const kept = file.load();
      if (kept.discarded) d.log.warn({ path: d.evidencePath, reason: kept.discarded }, 'evidence file damaged; moved aside, starting with no pending evidence');
      if (kept.evidence.length > 0) d.log.info({ pending: kept.evidence.length }, 'pending evidence restored');
      this.pool = new EvidencePool(file, kept.evidence);
    }
    this.wal = WalFile.open(d.walDir, d.wal);
    if (this.wal.report.truncatedBytes > 0 || this.wal.report.error) {
      d.log.warn({ truncated_bytes: this.wal.report.truncatedBytes, error: this.wal.report.error }, 'WAL had a torn tail; cut it off');
    }
    this.running = true;
    const height = latest + 1;
    const replay = walReplayEntries(this.wal.entries, height);
    d.log.info(
      { height, validators: vals.size, validator: !!this.signer && vals.hasAddress(this.signer.address), wal_replay: replay.length },
      'starting Tendermint consensus',
    );
    // Through the queue, so a timer firing during the replay waits its turn.
    await new Promise<void>((resolve, reject) => {
      this.enqueue({
        kind: 'run',
        fn: async () => {
          await this.step({ type: 'start', height, lastCommit: this.lastCommit, state: { validators: vals } }, false);
          for (const e of replay) {
            const ev = walEntryToEvent(e);
            if (ev) await this.step(ev, true);
          }
        },
        done: (e) => (e ? reject(e) : resolve()),
      });
    });

    const net = d.network;
    net.setStatusProvider(() => ({ chainId: d.chainId, height: this.lastHeight, baseHeight: this.lastHeight > 0 ? 1 : 0 }));
    this.unsubscribe.push(
      net.subscribe('proposals', (data, from) => this.onProposalMsg(data, from)),
      net.subscribe('votes', (data, from) => this.onVoteMsg(data, from)),
      net.subscribe('evidence', (data, from) => this.onEvidenceMsg(data, from)),
      net.onPeerConnected((p) => this.onPeerConnected(p)),
      net.onPeerDisconnected(() => d.metrics?.peers.set(net.peers().length)),
    );
    if (d.createEmptyBlocks === false) d.mempool.onAccepted(() => this.release());
    this.sync.start();
    this.scheduleGossip();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.gossipTimer) clearTimeout(this.gossipTimer);
    for (const u of this.unsubscribe.splice(0)) u();
    // Let the input in progress finish, release whoever waits on queued ones (block sync), then
    // wait for block sync itself.
    await this.draining;
    for (const q of this.queue.splice(0)) {
      if (q.kind === 'sync') q.done(false);
      if (q.kind === 'run') q.done(new Error('engine stopped'));
    }
    await this.sync.stop();
    this.wal.close();
    this.signerFile?.close();
  }

  status(): ConsensusStatus {
    const rs = this.core?.roundState();
    return {
      height: rs?.height ?? this.lastHeight + 1,
      round: rs?.round ?? 0,
      step: rs?.step ?? 'new_height',
      catchingUp: this.sync.catchingUp,
      lastBlockTimeMs: this.lastTimeMs,
    };
  }

  /** Last committed height. */
  get height(): number {
    return this.lastHeight;
  }

  /** Pending evidence (tests, RPC). */
  get evidencePending(): number {
    return this.pool.size;
  }

  // ------------------------------------------------------------------ the loop

  private enqueue(item: QueueItem): void {
    if (!this.running) {
      if (item.kind === 'sync') item.done(false);
      if (item.kind === 'run') item.done(new Error('engine stopped'));
      return;
    }
    this.queue.push(item);
    if (!this.draining) this.draining = this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.running && this.queue.length > 0) {
        const item = this.queue.shift()!;
        try {
          if (item.kind === 'event') {
            await this.step(item.ev, false);
          } else if (item.kind === 'run') {
            await item.fn();
            item.done();
          } else {
            const before = this.lastHeight;
            const h = this.core.roundState().height;
            if (item.block.header.height === h) await this.step({ type: 'commit_sync', block: item.block, commit: item.commit }, false);
            item.done(this.lastHeight > before);
          }
        } catch (e) {
          if (item.kind === 'sync') item.done(false);
          if (item.kind === 'run') item.done(e as Error);
          this.die(e as Error);
        }
      }
    } finally {
      this.draining = undefined;
    }
  }

  private die(e: Error): void {
    if (this.fatal) return;
    this.fatal = true;
    this.running = false;
    for (const t of this.timers) clearTimeout(t);
    for (const q of this.queue.splice(0)) {
      if (q.kind === 'sync') q.done(false);
      if (q.kind === 'run') q.done(e);
    }
    if (this.d.onFatal) this.d.onFatal(e);
    else {
      this.d.log.fatal({ err: e.stack }, 'consensus failed; stopping');
      process.exitCode = 1;
    }
  }

  private async step(ev: ConsensusEvent, replay: boolean): Promise<void> {
    const acts = this.core.handle({ ...ev, nowMs: this.now() });
    await this.perform(acts, replay);
    this.d.metrics?.round.set(this.core.roundState().round);
  }

  private async perform(acts: ConsensusAction[], replay: boolean): Promise<void> {
    for (const a of acts) {
      switch (a.type) {
        case 'wal_write': {
          // During replay only newly signed messages are new to the log.
          const e = a.entry;
          const own = (e.kind === 'vote' || e.kind === 'proposal') && e.own;
          if (replay && !own) break;
          this.wal.write(e.kind === 'proposal' && !e.blockBytes ? { ...e, blockBytes: this.encodedBlock(e.block) } : e, a.sync);
          break;
        }
        case 'broadcast_proposal':
          this.publish('proposals', encodeProposalMsg(a.proposal, a.block, this.encodedBlock(a.block)));
          this.d.log.debug({ height: a.proposal.height, round: a.proposal.round, txs: a.block.txs.length }, 'proposed block');
          break;
        case 'broadcast_vote':
          this.publish('votes', encodeVoteMsg(a.vote));
          break;
        case 'schedule_timeout': {
          const { height, round, step } = a;
          const t = setTimeout(() => {
            this.timers.delete(t);
            if (step === 'new_height' && this.d.createEmptyBlocks === false && height > 1 && this.d.mempool.size === 0) {
              this.held = { height, round };
              return;
            }
            this.enqueue({ kind: 'event', ev: { type: 'timeout', height, round, step } });
          }, a.durationMs);
          this.timers.add(t);
          break;
        }
        case 'commit':
          await this.onCommit(a.block, a.commit);
          break;
        case 'evidence':
          if (this.pool.add(a.ev)) {
            this.d.log.warn({ validator: toHex(a.ev.voteA.validatorAddress).toUpperCase(), height: a.ev.voteA.height, round: a.ev.voteA.round }, 'duplicate vote evidence');
            this.publish('evidence', encodeEvidenceMsg(a.ev));
          }
          break;
        case 'request_block':
          break; // createBlock is always provided
        case 'error':
          this.d.log.error({ err: a.message }, 'consensus core error');
          break;
      }
    }
  }

  /** `encodeBlock(b)`, encoded at most once per block object (blocks are never mutated once built or decoded). */
  private encodedBlock(b: Block): Uint8Array {
    let bytes = this.blockBytes.get(b);
    if (!bytes) this.blockBytes.set(b, (bytes = encodeBlock(b)));
    return bytes;
  }

  private publish(topic: TopicName, data: Uint8Array): void {
    this.d.network.publish(topic, data).catch((e: Error) => this.d.log.debug({ topic, err: e.message }, 'publish failed'));
  }

  private async onCommit(block: Block, commit: Commit): Promise<void> {
    const d = this.d;
    const h = block.header.height;
    const t0 = performance.now();
    this.applying = true;
    let applied;
    try {
      applied = await d.executor.apply(
        block,
        commit,
        d.valsets.powers(h - 1),
        async (resp) => {
          const err = await d.valsets.recordUpdates(h, resp.validatorUpdates);
          if (err) d.log.error({ height: h, err }, 'validator updates refused; the set is unchanged');
          else if (resp.validatorUpdates.length > 0) d.log.info({ height: h, updates: resp.validatorUpdates.length, effective: h + 2 }, 'validator set changes');
        },
      );
      // The WAL's end-of-height mark must not precede the block in the store (a restart resumes
      // from the stored height and replays that height's WAL), so a validator waits for the save.
      await applied.stored;
    } finally {
      this.applying = false;
    }
    d.metrics?.blockApply.observe((performance.now() - t0) / 1000);
    this.wal.endHeight(h);
    this.pool.markCommitted(block.evidence);
    this.lastHeight = h;
    this.lastHash = applied.hash;
    this.lastTimeMs = block.header.timeMs;
    this.lastCommit = commit;
    const next = d.valsets.get(h + 1);
    if (!next) throw new Error(`validator set of height ${h + 1} unknown`);
    d.metrics?.validators.set(next.size);
    // As in CometBFT, timeout_commit counts from the decision, not from the end of execution:
    // a block that took 600 ms to apply leaves 400 ms of a 1 s timeout_commit to wait, so a busy
    // chain's block interval does not grow by the execution time.
    let waitMs = Math.max(0, Math.round(d.timeouts.commitMs - (performance.now() - t0)));
    // without empty blocks, even timeout_commit 0 goes through the new-height timeout (where the hold is)
    if (d.createEmptyBlocks === false) waitMs = Math.max(1, waitMs);
    // The next height starts as a queue item of its own, so inputs queued meanwhile (and stop)
    // are not starved when heights follow each other without a wait (timeout_commit 0, one validator).
    this.enqueue({ kind: 'event', ev: { type: 'start', height: h + 1, lastCommit: commit, state: { validators: next }, waitMs } });
  }

  /** Block sync entry point: resolves true once `block` is committed. */
  private applySynced(block: Block, commit: Commit): Promise<boolean> {
    return new Promise((done) => this.enqueue({ kind: 'sync', block, commit, done }));
  }

  // ------------------------------------------------------------------ blocks

  private createBlock(a: CreateBlockArgs): Block {
    const d = this.d;
    const h = a.height;
    const reapedHashes: string[] = [];
    const reapedDecoded: (DecodedTx | undefined)[] = [];
    const candidates = d.mempool.reap(d.maxBlockBytes, d.maxBlockTxs, reapedHashes, reapedDecoded);
    const txs = d.app.prepareProposal(candidates, d.maxBlockBytes);
    // the mempool hashed (and kept decoded) these txs already: the header, the duplicate check
    // and, if this block is decided, the executor reuse that
    knownReapedTxs(txs, candidates, reapedHashes, reapedDecoded);
    const evidence = this.pool.pending(h).filter((ev) => !checkEvidence(ev, d.chainId, d.valsets.get(ev.voteA.height), this.verify));
    const header: Header = {
      chainId: d.chainId,
      height: h,
      timeMs: Math.max(a.timeMs, this.lastTimeMs + 1),
      lastBlockId: { hash: this.lastHash },
      lastCommitHash: h === 1 ? EMPTY : commitHash(a.lastCommit),
      dataHash: txsHash(txs),
      validatorsHash: d.valsets.get(h)!.hash(),
      nextValidatorsHash: d.valsets.get(h + 1)!.hash(),
      appHash: d.app.info().lastBlockAppHash,
      lastResultsHash: d.executor.lastResultsHash,
      evidenceHash: evidenceHash(evidence),
      proposerAddress: a.proposerAddress,
    };
    return { header, txs, evidence, lastCommit: a.lastCommit };
  }

  /** Everything the core does not check itself; false with a debug log saying why. */
  private isValidBlock(b: Block): boolean {
    const why = this.invalidReason(b);
    if (why) this.d.log.debug({ height: b.header.height, reason: why }, 'rejecting proposed block');
    return why === undefined;
  }

  private invalidReason(b: Block): string | undefined {
    const d = this.d;
    const hd = b.header;
    const h = hd.height;
    if (h !== this.lastHeight + 1) return `height ${h}, expected ${this.lastHeight + 1}`;
    if (!bytesEqual(hd.lastBlockId.hash, this.lastHash)) return 'last block id does not match';
    if (h > 1) {
      const prev = d.valsets.get(h - 1);
      if (!prev) return `validator set of ${h - 1} unknown`;
      try {
        prev.verifyCommit(d.chainId, hd.lastBlockId, h - 1, b.lastCommit, this.verify);
      } catch (e) {
        return `last commit: ${(e as Error).message}`;
      }
    } else if (b.lastCommit.signatures.length !== 0) return 'height 1 carries a last commit';
    if (!bytesEqual(hd.appHash, d.app.info().lastBlockAppHash)) return 'app hash mismatch';
    if (!bytesEqual(hd.lastResultsHash, d.executor.lastResultsHash)) return 'last results hash mismatch';
    const vs = d.valsets.get(h);
    const next = d.valsets.get(h + 1);
    if (!vs || !bytesEqual(hd.validatorsHash, vs.hash())) return 'validators hash mismatch';
    if (!next || !bytesEqual(hd.nextValidatorsHash, next.hash())) return 'next validators hash mismatch';
    if (!vs.hasAddress(hd.proposerAddress)) return 'proposer is not a validator';
    if (hd.timeMs <= this.lastTimeMs) return `time ${hd.timeMs} not after the last block's ${this.lastTimeMs}`;
    if (hd.timeMs > this.now() + MAX_BLOCK_TIME_DRIFT_MS) return 'time too far in the future';
    // The tx index and the results hash are keyed by tx hash: a block repeating a tx is refused.
    // Equal hashes are equal txs (short of a SHA-256 collision, which the index could not hold
    // either); the hashes are the ones the data hash check computed.
    const txSeen = new Set<string>();
    for (const k of blockTxHashes(b.txs)) {
      if (txSeen.has(k)) return 'duplicate tx in block';
      txSeen.add(k);
    }
    const seen = new Set<string>();
    for (const ev of b.evidence) {
      const k = `${toHex(ev.voteA.validatorAddress)}/${ev.voteA.height}/${ev.voteA.round}/${ev.voteA.type}`;
      if (seen.has(k)) return 'duplicate evidence';
      seen.add(k);
      if (ev.voteA.height >= h || ev.voteA.height < h - MAX_EVIDENCE_AGE_HEIGHTS) return 'evidence height out of range';
      if (this.pool.isCommitted(ev)) return 'evidence already committed';
      const bad = checkEvidence(ev, d.chainId, d.valsets.get(ev.voteA.height), this.verify);
      if (bad) return bad;
    }
    const ok = d.app.processProposal({
      height: h,
      timeMs: hd.timeMs,
      proposerAddress: hd.proposerAddress,
      txs: b.txs,
      lastCommitVotes: d.executor.lastCommitVotes(b.lastCommit, d.valsets.powers(h - 1)),
      misbehavior: b.evidence.map((ev) => ({ kind: 'duplicate_vote' as const, validatorAddress: ev.voteA.validatorAddress, height: ev.voteA.height, timeMs: ev.timeMs, totalVotingPower: ev.totalVotingPower })),
      hash: toHex(headerHash(hd)).toUpperCase(),
    });
    return ok ? undefined : 'the app rejected the proposal';
  }

  // ------------------------------------------------------------------ network

  private onProposalMsg(data: Uint8Array, from: string): void {
    let proposal: Proposal;
    let block: Block;
    let blockBytes: Uint8Array;
    try {
      const head = decodeProposalMsgHead(data);
      proposal = head.proposal;
      if (this.holdsProposal(proposal)) {
        this.release(proposal.height);
        return; // a copy (re-sent, or a round-state catch-up) of the proposal the core holds
      }
      ({ block, blockBytes } = decodeProposalBlock(head.blockRaw));
    } catch (e) {
      this.d.network.penalize(from, `bad proposal: ${(e as Error).message}`, MALFORMED_PENALTY);
      return;
    }
    this.blockBytes.set(block, blockBytes);
    this.sync.notePeerHeight(proposal.height);
    this.release(proposal.height);
    this.enqueue({ kind: 'event', ev: { type: 'proposal', proposal, block, blockBytes } });
  }

  /** Whether the core holds this very signed proposal (same height, round, block and signature) for its current height. */
  private holdsProposal(p: Proposal): boolean {
    if (!this.core || this.core.roundState().height !== p.height) return false;
    const have = this.core.proposal(p.round)?.proposal;
    return have !== undefined && sameSignedProposal(have, p);
  }

  /** Starts a held height's round: there is a tx to propose, or a peer has moved on (`height`). */
  private release(height = Infinity): void {
    const h = this.held;
    if (!h || height < h.height) return;
    this.held = undefined;
    this.enqueue({ kind: 'event', ev: { type: 'timeout', height: h.height, round: h.round, step: 'new_height' } });
  }

  private onVoteMsg(data: Uint8Array, from: string): void {
    let vote;
    try {
      vote = decodeVoteMsg(data);
    } catch (e) {
      this.d.network.penalize(from, `bad vote: ${(e as Error).message}`, MALFORMED_PENALTY);
      return;
    }
    this.d.metrics?.votes.inc({ type: vote.type === VoteType.Prevote ? 'prevote' : 'precommit' });
    this.sync.notePeerHeight(vote.height);
    this.release(vote.height);
    this.enqueue({ kind: 'event', ev: { type: 'vote', vote } });
  }

  private onEvidenceMsg(data: Uint8Array, from: string): void {
    let ev: DuplicateVoteEvidence;
    try {
      ev = decodeEvidenceMsg(data);
    } catch (e) {
      this.d.network.penalize(from, `bad evidence: ${(e as Error).message}`, MALFORMED_PENALTY);
      return;
    }
    const h = ev.voteA.height;
    if (h < this.lastHeight + 1 - MAX_EVIDENCE_AGE_HEIGHTS || h > this.lastHeight + 1) return; // too old, or a height we cannot check yet
    const bad = checkEvidence(ev, this.d.chainId, this.d.valsets.get(h), this.verify);
    if (bad) {
      this.d.network.penalize(from, `invalid evidence: ${bad}`, BAD_EVIDENCE_PENALTY);
      return;
    }
    if (this.pool.add(ev)) this.d.log.warn({ validator: toHex(ev.voteA.validatorAddress).toUpperCase(), height: h, peer: from }, 'duplicate vote evidence from a peer');
  }

  private onPeerConnected(p: PeerInfo): void {
    this.d.metrics?.peers.set(this.d.network.peers().length);
    this.d.log.info({ peer: p.id, address: p.address }, 'peer connected');
    for (const [topic, data] of this.roundStateMessages()) {
      this.d.network.sendDirect(p.id, topic, data).catch(() => {});
    }
  }

  /** The current proposal and votes (current round, plus the proof-of-lock rounds' prevotes). */
  private roundStateMessages(withProposal = true): [TopicName, Uint8Array][] {
    if (!this.core) return [];
    const out: [TopicName, Uint8Array][] = [];
    const rs = this.core.roundState();
    const rounds = new Set([rs.round, rs.lockedRound, rs.validRound, this.core.proposal(rs.round)?.proposal.polRound ?? -1]);
    for (const r of rounds) {
      if (r < 0) continue;
      const p = this.core.proposal(r);
      if (p && withProposal) out.push(['proposals', encodeProposalMsg(p.proposal, p.block, this.encodedBlock(p.block))]);
      for (const v of this.core.votes(r, VoteType.Prevote)) out.push(['votes', encodeVoteMsg(v)]);
      if (r === rs.round) for (const v of this.core.votes(r, VoteType.Precommit)) out.push(['votes', encodeVoteMsg(v)]);
    }
    return out;
  }

  private scheduleGossip(): void {
    if (!this.running) return;
    const ms = this.d.gossipIntervalMs ?? 1000;
    this.gossipTimer = setTimeout(() => {
      this.gossipTick();
      this.scheduleGossip();
    }, ms);
  }

  /** Re-sends the round state to every peer when it has not moved since the last tick. */
  private gossipTick(): void {
    if (!this.core) return;
    const rs = this.core.roundState();
    const key = `${rs.height}/${rs.round}/${rs.step}`;
    const stalled = key === this.lastGossipKey;
    this.lastGossipKey = key;
    this.stalledTicks = stalled ? this.stalledTicks + 1 : 0;
    if (!stalled) return;
    // While we execute a decided block the round stands still because of us, not the network:
    // the votes go again (cheap), the proposal (the whole block) does not.
    const msgs = this.roundStateMessages(this.stalledTicks >= PROPOSAL_RESEND_TICKS && !this.applying);
    for (const p of this.d.network.peers()) {
      for (const [topic, data] of msgs) this.d.network.sendDirect(p.id, topic, data).catch(() => {});
    }
  }
}
