/**
 * The Tendermint consensus state machine for one validator (or an observer), after
 * "The latest gossip on BFT consensus" (Buchman, Kwon, Milosevic 2018) as CometBFT's
 * `consensus/state.go` runs it. Pure: `handle(event)` returns the actions the node must perform,
 * in order (a `wal_write` with `sync: true` precedes the broadcast of the message it logs).
 *
 * The paper's "upon" rules are re-evaluated after every accepted input until none fires
 * (`evaluate`), which makes the result independent of how work is split between events. Line
 * numbers (L22…L65) refer to Algorithm 1 of the paper.
 *
 * Policies the paper leaves open:
 * - Messages for height+1 are buffered (bounded) and replayed on `start` of that height; other
 *   heights are dropped (late precommits for a decided height are not needed by this design).
 * - Votes for rounds beyond round+1 are accepted for at most MAX_FUTURE_ROUNDS distinct rounds
 *   per validator (CometBFT's peer catch-up rounds idea, per validator), proposals for at most
 *   MAX_PROPOSAL_ROUNDS_AHEAD rounds ahead: a faulty validator cannot make us allocate without
 *   bound, and honest gossip repeats whatever was dropped.
 * - Stale timeouts (other height/round/step) are dropped.
 * - A block learned via block sync (`commit_sync`, verified against the validator set) is decided
 *   like a commit seen live.
 */
import { toChainError } from '../errors.js';
import { bytesEqual, ed25519Verify, toHex, type SigVerifier } from './crypto-adapter.js';
import { headerHash, proposalSignBytes, validateBlockBasic, validateProposalBasic, validateVoteBasic } from './block.js';
import type { PrivValidator } from './signer.js';
import { VoteType, type Block, type BlockId, type Commit, type DuplicateVoteEvidence, type Proposal, type Vote, type VoteTypeValue } from './types.js';
import type { ValidatorSet } from './validator-set.js';
import { VoteSet } from './vote-set.js';
import type { TimeoutStep, WalEntry } from './wal.js';

export type { TimeoutStep } from './wal.js';

export interface TimeoutConfig {
  proposeMs: number;
  proposeDeltaMs: number;
  prevoteMs: number;
  prevoteDeltaMs: number;
  precommitMs: number;
  precommitDeltaMs: number;
  /** Wait after a commit before round 0 of the next height; 0 = start at once. */
  commitMs: number;
}

export const DEFAULT_TIMEOUTS: TimeoutConfig = {
  proposeMs: 3000,
  proposeDeltaMs: 500,
  prevoteMs: 1000,
  prevoteDeltaMs: 500,
  precommitMs: 1000,
  precommitDeltaMs: 500,
  commitMs: 1000,
};

export interface CreateBlockArgs {
  height: number;
  round: number;
  timeMs: number;
  proposerAddress: Uint8Array;
  lastCommit: Commit;
}

export interface ConsensusConfig {
  chainId: string;
  timeouts?: Partial<TimeoutConfig>;
  /** Absent (or not in the set) = observer: follows and commits, never signs. */
  signer?: PrivValidator;
  /** Pure block builder; without it the core emits `request_block` and waits for `block_ready`. */
  createBlock?: (args: CreateBlockArgs) => Block | undefined;
  /** App-level validity (after the core's structural checks); default: valid. */
  isValidBlock?: (block: Block) => boolean;
  verify?: SigVerifier;
}

export interface HeightState {
  /** Validator set of this height, priorities as of round 0 (its proposer proposes round 0). */
  validators: ValidatorSet;
}

export type ConsensusEvent = { nowMs?: number } & (
  | { type: 'start'; height: number; lastCommit: Commit; state: HeightState; /** default: timeouts.commitMs */ waitMs?: number }
  | {
      type: 'proposal';
      proposal: Proposal;
      block: Block;
      /** `encodeBlock(block)` if the caller has it (the bytes received): the WAL logs them as they are. */
      blockBytes?: Uint8Array;
    }
  | { type: 'vote'; vote: Vote }
  | { type: 'timeout'; height: number; round: number; step: TimeoutStep }
  | { type: 'block_ready'; height: number; round: number; block: Block }
  | { type: 'commit_sync'; block: Block; commit: Commit }
);

export type ConsensusAction =
  | { type: 'wal_write'; entry: WalEntry; /** fsync before the next action */ sync: boolean }
  | { type: 'broadcast_proposal'; proposal: Proposal; block: Block }
  | { type: 'broadcast_vote'; vote: Vote }
  | { type: 'schedule_timeout'; height: number; round: number; step: TimeoutStep; durationMs: number }
  | { type: 'request_block'; height: number; round: number }
  | { type: 'commit'; block: Block; commit: Commit }
  | { type: 'evidence'; ev: DuplicateVoteEvidence }
  /** An unexpected internal failure (a bug): reported, never thrown. */
  | { type: 'error'; message: string };

export type Step = 'new_height' | 'propose' | 'prevote' | 'precommit' | 'commit';

export interface RoundStateView {
  height: number;
  round: number;
  step: Step;
  lockedRound: number;
  lockedBlockHash: Uint8Array | undefined;
  validRound: number;
  validBlockHash: Uint8Array | undefined;
  decided: boolean;
}

export const MAX_FUTURE_ROUNDS = 4;
export const MAX_PROPOSAL_ROUNDS_AHEAD = 10;
export const MAX_BUFFERED_FUTURE = 10_000;

const NIL: BlockId = { hash: new Uint8Array(0) };

interface StoredProposal {
  proposal: Proposal;
  block: Block;
  hash: Uint8Array;
}

/** Converts a WAL entry back into the event that produced it (for replay). */
export function walEntryToEvent(e: WalEntry): ConsensusEvent | undefined {
  switch (e.kind) {
    case 'proposal':
      return { type: 'proposal', proposal: e.proposal, block: e.block };
    case 'vote':
      return { type: 'vote', vote: e.vote };
    case 'timeout':
      return { type: 'timeout', height: e.height, round: e.round, step: e.step };
    case 'commit_sync':
      return { type: 'commit_sync', block: e.block, commit: e.commit };
    default:
      return undefined;
  }
}

export class ConsensusCore {
  private readonly chainId: string;
  private readonly t: TimeoutConfig;
  private readonly verify: SigVerifier;

  private height = 0;
  private round = 0;
  private step: Step = 'new_height';
  private started = false;
  private decided = false;
  private now = 0;

  private validators: ValidatorSet | undefined;
  private readonly proposerByRound = new Map<number, Uint8Array>();
  private lastCommit: Commit | undefined;

  private proposals = new Map<number, StoredProposal>();
  private blocks = new Map<string, Block>();
  private validity = new Map<string, boolean>();
  private prevotes = new Map<number, VoteSet>();
  private precommits = new Map<number, VoteSet>();
  private futureRounds = new Map<number, Set<number>>();

  private lockedRound = -1;
  private lockedHash: Uint8Array | undefined;
  private validRound = -1;
  private validBlock: Block | undefined;
  private validHash: Uint8Array | undefined;

  private prevoteWait = new Set<number>();
  private precommitWait = new Set<number>();
  private polDone = new Set<number>();
  private proposing = new Set<number>();
  private evidenceSeen = new Set<string>();
  private future: ConsensusEvent[] = [];

  private out: ConsensusAction[] = [];

  constructor(private readonly cfg: ConsensusConfig) {
    this.chainId = cfg.chainId;
    this.t = { ...DEFAULT_TIMEOUTS, ...(cfg.timeouts ?? {}) };
    this.verify = cfg.verify ?? ed25519Verify;
  }

  roundState(): RoundStateView {
    return {
      height: this.height,
      round: this.round,
      step: this.step,
      lockedRound: this.lockedRound,
      lockedBlockHash: this.lockedHash,
      validRound: this.validRound,
      validBlockHash: this.validHash,
      decided: this.decided,
    };
  }

  /** Votes held for (round, type) at the current height (for gossip). */
  votes(round: number, type: VoteTypeValue): Vote[] {
    return (type === VoteType.Prevote ? this.prevotes : this.precommits).get(round)?.allVotes() ?? [];
  }

  proposal(round: number): { proposal: Proposal; block: Block } | undefined {
    const p = this.proposals.get(round);
    return p ? { proposal: p.proposal, block: p.block } : undefined;
  }

  /** Proposer address for `round` of the current height. */
  proposerAddress(round: number): Uint8Array | undefined {
    if (!this.validators) return undefined;
    let a = this.proposerByRound.get(round);
    if (!a) {
      a = this.validators.copyIncrementProposerPriority(round).getProposer()!.address;
      if (this.proposerByRound.size > 64) this.proposerByRound.clear();
      this.proposerByRound.set(round, a);
    }
    return a;
  }

  handle(ev: ConsensusEvent): ConsensusAction[] {
    this.out = [];
    try {
      if (typeof ev.nowMs === 'number' && Number.isFinite(ev.nowMs) && ev.nowMs > this.now) this.now = ev.nowMs;
      switch (ev.type) {
        case 'start':
          this.onStart(ev.height, ev.lastCommit, ev.state, ev.waitMs);
          break;
        case 'proposal':
          this.onProposal(ev, ev.proposal, ev.block, false);
          break;
        case 'vote':
          this.onVote(ev, ev.vote, false);
          break;
        case 'timeout':
          this.onTimeout(ev.height, ev.round, ev.step);
          break;
        case 'block_ready':
          this.onBlockReady(ev.height, ev.round, ev.block);
          break;
        case 'commit_sync':
          this.onCommitSync(ev.block, ev.commit);
          break;
        default:
          break;
      }
    } catch (e) {
      this.out.push({ type: 'error', message: toChainError(e).message });
    }
    return this.out;
  }

  // ------------------------------------------------------------------ inputs

  private onStart(height: number, lastCommit: Commit, state: HeightState, waitMs?: number): void {
    if (!Number.isSafeInteger(height) || height < 1 || !state?.validators || state.validators.size === 0) return;
    if (this.started && height <= this.height) return;
    this.started = true;
    this.height = height;
    this.round = 0;
    this.step = 'new_height';
    this.decided = false;
    this.validators = state.validators.copy();
    this.proposerByRound.clear();
    this.lastCommit = lastCommit;
    this.proposals = new Map();
    this.blocks = new Map();
    this.validity = new Map();
    this.prevotes = new Map();
    this.precommits = new Map();
    this.futureRounds = new Map();
    this.lockedRound = -1;
    this.lockedHash = undefined;
    this.validRound = -1;
    this.validBlock = this.validHash = undefined;
    this.prevoteWait = new Set();
    this.precommitWait = new Set();
    this.polDone = new Set();
    this.proposing = new Set();
    this.evidenceSeen = new Set();
    const wait = waitMs ?? this.t.commitMs;
    if (wait <= 0) this.startRound(0);
    else this.out.push({ type: 'schedule_timeout', height, round: 0, step: 'new_height', durationMs: wait });
    const buffered = this.future.filter((e) => msgHeight(e) === height);
    this.future = [];
    for (const e of buffered) {
      if (e.type === 'proposal') this.onProposal(e, e.proposal, e.block, false);
      else if (e.type === 'vote') this.onVote(e, e.vote, false);
    }
    this.evaluate();
  }

  private bufferFuture(ev: ConsensusEvent, h: number): void {
    if (this.started && h === this.height + 1 && this.future.length < MAX_BUFFERED_FUTURE) this.future.push(ev);
  }

  private onProposal(ev: ConsensusEvent, p: Proposal, block: Block, own: boolean): void {
    if (!p || !block?.header || validateProposalBasic(p)) return;
    if (p.height !== this.height || !this.started) return this.bufferFuture(ev, p.height);
    if (this.decided || this.proposals.has(p.round)) return;
    if (p.round > this.round + MAX_PROPOSAL_ROUNDS_AHEAD) return;
    const hash = headerHash(block.header);
    if (!bytesEqual(hash, p.blockId.hash)) return;
    const proposer = this.validators!.getByAddress(this.proposerAddress(p.round)!)!.validator;
    if (!this.verify(proposer.pubKey, proposalSignBytes(this.chainId, p), p.signature)) return;
    if (!own) {
      const blockBytes = ev.type === 'proposal' ? ev.blockBytes : undefined;
      const entry: WalEntry = blockBytes ? { kind: 'proposal', own: false, proposal: p, block, blockBytes } : { kind: 'proposal', own: false, proposal: p, block };
      this.out.push({ type: 'wal_write', entry, sync: false });
    }
    this.proposals.set(p.round, { proposal: p, block, hash });
    this.blocks.set(toHex(hash), block);
    // The proposer claims +2/3 prevotes for this block in polRound: count conflicting votes for it there.
    if (p.polRound >= 0) this.voteSet(p.polRound, VoteType.Prevote).claim(p.blockId);
    this.evaluate();
  }

  private onVote(ev: ConsensusEvent, vote: Vote, own: boolean): void {
    if (!vote || validateVoteBasic(vote)) return;
    if (vote.height !== this.height || !this.started) return this.bufferFuture(ev, vote.height);
    if (this.decided) return;
    if (vote.round > this.round + 1) {
      let rounds = this.futureRounds.get(vote.validatorIndex);
      if (!rounds) this.futureRounds.set(vote.validatorIndex, (rounds = new Set()));
      if (!rounds.has(vote.round)) {
        let ahead = 0;
        for (const r of rounds) if (r > this.round + 1) ahead++;
        if (ahead >= MAX_FUTURE_ROUNDS) return;
      }
      const val = this.validators!.getByIndex(vote.validatorIndex);
      if (!val || !bytesEqual(val.address, vote.validatorAddress)) return;
      rounds.add(vote.round);
    }
    const set = this.voteSet(vote.round, vote.type);
    const res = set.addVote(vote, this.now);
    if (res.status === 'conflict') {
      const key = `${toHex(vote.validatorAddress)}/${vote.round}/${vote.type}`;
      if (!this.evidenceSeen.has(key)) {
        this.evidenceSeen.add(key);
        this.out.push({ type: 'evidence', ev: res.evidence });
      }
      return;
    }
    if (res.status !== 'added') return;
    if (!own) this.out.push({ type: 'wal_write', entry: { kind: 'vote', own: false, vote }, sync: false });
    this.evaluate();
  }

  private onTimeout(height: number, round: number, step: TimeoutStep): void {
    if (!this.started || height !== this.height || this.decided) return;
    const log = (): void => {
      this.out.push({ type: 'wal_write', entry: { kind: 'timeout', height, round, step }, sync: false });
    };
    switch (step) {
      case 'new_height':
        if (this.step !== 'new_height' || round !== 0) return;
        log();
        this.startRound(0);
        break;
      case 'propose': // OnTimeoutPropose
        if (round !== this.round || this.step !== 'propose') return;
        log();
        this.step = 'prevote';
        this.castVote(VoteType.Prevote, NIL);
        break;
      case 'prevote': // OnTimeoutPrevote
        if (round !== this.round || this.step !== 'prevote') return;
        log();
        this.step = 'precommit';
        this.castVote(VoteType.Precommit, NIL);
        break;
      case 'precommit': // OnTimeoutPrecommit
        if (round !== this.round || this.step === 'new_height') return;
        log();
        this.startRound(round + 1);
        break;
      default:
        return;
    }
    this.evaluate();
  }

  private onBlockReady(height: number, round: number, block: Block): void {
    if (!block?.header || height !== this.height || round !== this.round || this.step !== 'propose' || this.decided) return;
    if (!this.isOwnTurn(round) || this.proposals.has(round)) return;
    this.sendProposal(block, -1);
    this.evaluate();
  }

  private onCommitSync(block: Block, commit: Commit): void {
    if (!this.started || this.decided || !block?.header || !commit) return;
    if (block.header.height !== this.height || commit.height !== this.height) return;
    const hash = headerHash(block.header);
    if (!bytesEqual(hash, commit.blockId.hash)) return;
    try {
      this.validators!.verifyCommit(this.chainId, { hash }, this.height, commit, this.verify);
    } catch {
      return;
    }
    if (!this.isValid(block, hash)) return;
    this.out.push({ type: 'wal_write', entry: { kind: 'commit_sync', block, commit }, sync: false });
    this.decide(block, commit);
  }

  // ------------------------------------------------------------------ rules

  private evaluate(): void {
    for (let i = 0; i < 10_000; i++) if (this.decided || !this.applyOneRule()) return;
  }

  /** Fires the first applicable upon-rule; false when none applies. */
  private applyOneRule(): boolean {
    // L49: +2/3 precommits for a block we have, in any round → decide.
    for (const r of [...this.precommits.keys()].sort((a, b) => a - b)) {
      const set = this.precommits.get(r)!;
      const maj = set.twoThirdsMajority();
      if (!maj || maj.hash.length === 0) continue;
      const block = this.blocks.get(toHex(maj.hash));
      if (block && this.isValid(block, maj.hash)) {
        this.decide(block, set.makeCommit());
        return false;
      }
    }
    // L55: f+1 (more than 1/3 of the power) sent something in a higher round → go there.
    let skipTo = -1;
    const rounds = new Set([...this.prevotes.keys(), ...this.precommits.keys()]);
    for (const r of rounds) if (r > this.round && r > skipTo && this.oneThirdAnyInRound(r)) skipTo = r;
    if (skipTo > this.round) {
      this.startRound(skipTo);
      return true;
    }
    if (this.step === 'new_height' || this.step === 'commit') return false;

    const r = this.round;
    const prop = this.proposals.get(r);
    const prevotes = this.prevotes.get(r);
    const precommits = this.precommits.get(r);
    if (this.step === 'propose' && prop) {
      const vr = prop.proposal.polRound;
      if (vr === -1) {
        // L22
        const ok = this.isValid(prop.block, prop.hash) && (this.lockedRound === -1 || this.isLocked(prop.hash));
        this.step = 'prevote';
        this.castVote(VoteType.Prevote, ok ? { hash: prop.hash } : NIL);
        return true;
      }
      const polMaj = this.prevotes.get(vr)?.twoThirdsMajority();
      if (vr < r && polMaj && bytesEqual(polMaj.hash, prop.hash)) {
        // L28: a proof of lock from round vr unlocks anyone locked at or before vr.
        const ok = this.isValid(prop.block, prop.hash) && (this.lockedRound <= vr || this.isLocked(prop.hash));
        this.step = 'prevote';
        this.castVote(VoteType.Prevote, ok ? { hash: prop.hash } : NIL);
        return true;
      }
    }
    // L34
    if (this.step === 'prevote' && prevotes?.hasTwoThirdsAny() && !this.prevoteWait.has(r)) {
      this.prevoteWait.add(r);
      this.scheduleTimeout('prevote', r);
      return true;
    }
    // L36: +2/3 prevotes for this round's proposal → lock (if still in prevote) and remember as valid.
    if ((this.step === 'prevote' || this.step === 'precommit') && prop && !this.polDone.has(r)) {
      const maj = prevotes?.twoThirdsMajority();
      if (maj && bytesEqual(maj.hash, prop.hash) && this.isValid(prop.block, prop.hash)) {
        this.polDone.add(r);
        if (this.step === 'prevote') {
          this.lockedRound = r;
          this.lockedHash = prop.hash;
          this.step = 'precommit';
          this.castVote(VoteType.Precommit, { hash: prop.hash });
        }
        this.validRound = r;
        this.validBlock = prop.block;
        this.validHash = prop.hash;
        return true;
      }
    }
    // L44
    if (this.step === 'prevote') {
      const maj = prevotes?.twoThirdsMajority();
      if (maj && maj.hash.length === 0) {
        this.step = 'precommit';
        this.castVote(VoteType.Precommit, NIL);
        return true;
      }
    }
    // L47
    if (precommits?.hasTwoThirdsAny() && !this.precommitWait.has(r)) {
      this.precommitWait.add(r);
      this.scheduleTimeout('precommit', r);
      return true;
    }
    return false;
  }

  /** StartRound (L11). */
  private startRound(round: number): void {
    if (round < this.round || (round === this.round && this.step !== 'new_height')) return;
    this.round = round;
    this.step = 'propose';
    this.scheduleTimeout('propose', round);
    if (this.isOwnTurn(round) && !this.proposals.has(round) && !this.proposing.has(round)) {
      this.proposing.add(round);
      if (this.validBlock) {
        this.sendProposal(this.validBlock, this.validRound);
      } else if (this.cfg.createBlock) {
        let block: Block | undefined;
        try {
          block = this.cfg.createBlock({
            height: this.height,
            round,
            timeMs: this.now,
            proposerAddress: this.cfg.signer!.address,
            lastCommit: this.lastCommit!,
          });
        } catch (e) {
          this.out.push({ type: 'error', message: `createBlock: ${toChainError(e).message}` });
        }
        if (block) this.sendProposal(block, -1);
      } else {
        this.out.push({ type: 'request_block', height: this.height, round });
      }
    }
  }

  private decide(block: Block, commit: Commit): void {
    this.decided = true;
    this.step = 'commit';
    this.out.push({ type: 'commit', block, commit });
  }

  // ------------------------------------------------------------------ helpers

  private isOwnTurn(round: number): boolean {
    const s = this.cfg.signer;
    return !!s && bytesEqual(this.proposerAddress(round)!, s.address);
  }

  private isLocked(hash: Uint8Array): boolean {
    return !!this.lockedHash && bytesEqual(this.lockedHash, hash);
  }

  private isValid(block: Block, hash: Uint8Array): boolean {
    const key = toHex(hash);
    let ok = this.validity.get(key);
    if (ok === undefined) {
      ok = validateBlockBasic(block, this.chainId, this.height) === undefined && this.validators!.hasAddress(block.header.proposerAddress);
      if (ok && this.cfg.isValidBlock) {
        try {
          ok = this.cfg.isValidBlock(block);
        } catch {
          ok = false;
        }
      }
      this.validity.set(key, ok);
    }
    return ok;
  }

  private voteSet(round: number, type: VoteTypeValue): VoteSet {
    const m = type === VoteType.Prevote ? this.prevotes : this.precommits;
    let s = m.get(round);
    if (!s) {
      s = new VoteSet(this.chainId, this.height, round, type, this.validators!, this.verify);
      m.set(round, s);
    }
    return s;
  }

  private oneThirdAnyInRound(round: number): boolean {
    const voters = new Set<number>([...(this.prevotes.get(round)?.voterIndexes() ?? []), ...(this.precommits.get(round)?.voterIndexes() ?? [])]);
    let power = 0n;
    for (const i of voters) power += this.validators!.getByIndex(i)!.votingPower;
    return power * 3n > this.validators!.totalVotingPower();
  }

  private scheduleTimeout(step: 'propose' | 'prevote' | 'precommit', round: number): void {
    const t = this.t;
    const durationMs =
      step === 'propose'
        ? t.proposeMs + t.proposeDeltaMs * round
        : step === 'prevote'
          ? t.prevoteMs + t.prevoteDeltaMs * round
          : t.precommitMs + t.precommitDeltaMs * round;
    this.out.push({ type: 'schedule_timeout', height: this.height, round, step, durationMs });
  }

  private sendProposal(block: Block, polRound: number): void {
    const signer = this.cfg.signer;
    if (!signer) return;
    const proposal: Proposal = {
      height: this.height,
      round: this.round,
      polRound,
      blockId: { hash: headerHash(block.header) },
      timeMs: this.now,
      signature: new Uint8Array(0),
    };
    try {
      proposal.signature = signer.signProposal(this.chainId, proposal);
    } catch {
      return; // refused by the double-sign guard (e.g. replay after a crash): stay silent
    }
    this.out.push({ type: 'wal_write', entry: { kind: 'proposal', own: true, proposal, block }, sync: true });
    this.out.push({ type: 'broadcast_proposal', proposal, block });
    this.proposals.set(proposal.round, { proposal, block, hash: proposal.blockId.hash });
    this.blocks.set(toHex(proposal.blockId.hash), block);
  }

  /** Signs, logs, broadcasts and counts our own vote; at most one per (round, type). */
  private castVote(type: VoteTypeValue, blockId: BlockId): void {
    const signer = this.cfg.signer;
    if (!signer) return;
    const me = this.validators!.getByAddress(signer.address);
    if (!me) return;
    const set = this.voteSet(this.round, type);
    if (set.getByIndex(me.index)) return; // already voted (e.g. restored from the WAL)
    const vote: Vote = {
      type,
      height: this.height,
      round: this.round,
      blockId,
      timeMs: this.now,
      validatorAddress: signer.address,
      validatorIndex: me.index,
      signature: new Uint8Array(0),
    };
    try {
      vote.signature = signer.signVote(this.chainId, vote);
    } catch {
      return; // refused by the double-sign guard
    }
    this.out.push({ type: 'wal_write', entry: { kind: 'vote', own: true, vote }, sync: true });
    this.out.push({ type: 'broadcast_vote', vote });
    set.addVote(vote, this.now);
  }
}

function msgHeight(e: ConsensusEvent): number {
  if (e.type === 'proposal') return e.proposal.height;
  if (e.type === 'vote') return e.vote.height;
  return -1;
}
