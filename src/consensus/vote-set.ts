/**
 * Votes of one (height, round, type), CometBFT `types/vote_set.go` reduced to what the core
 * needs. Each validator counts once, with the first valid vote seen from it; a second vote for a
 * different block id is not counted but returned as DuplicateVoteEvidence (the conflicting-votes
 * error carries the evidence). Re-delivery of a vote already held is recognised before any
 * signature check, so gossip repeats cost nothing.
 *
 * Claimed blocks (CometBFT `SetPeerMaj23`): once someone credibly claims a block had +2/3 here
 * (a proposal's proof-of-lock round), conflicting votes for THAT block are counted for it too.
 * Without this, an equivocator whose other vote reached us first could keep us from ever seeing
 * a proof of lock that others saw, and validators locked on it would stall the chain. Safety is
 * unaffected: two blocks can both reach +2/3 only if more than 1/3 of the power equivocates.
 * Claims are bounded by the caller (one per proposal and round).
 */
import { bytesEqual, ed25519Verify, toHex, type SigVerifier } from './crypto-adapter.js';
import { validateVoteBasic, voteSignBytes } from './block.js';
import { CommitFlag, type BlockId, type Commit, type CommitSig, type DuplicateVoteEvidence, type Vote, type VoteTypeValue } from './types.js';
import type { ValidatorSet } from './validator-set.js';

export type AddVoteResult =
  | { status: 'added' }
  | { status: 'duplicate' }
  | { status: 'conflict'; evidence: DuplicateVoteEvidence }
  | { status: 'invalid'; reason: string };

export class VoteSet {
  private readonly votes: (Vote | undefined)[];
  private readonly byBlock = new Map<string, bigint>();
  private sum = 0n;
  private maj23: BlockId | undefined;
  /** Per claimed block: every valid vote for it (first or conflicting), by validator index. */
  private readonly claimed = new Map<string, { power: bigint; votes: Map<number, Vote> }>();

  constructor(
    readonly chainId: string,
    readonly height: number,
    readonly round: number,
    readonly type: VoteTypeValue,
    readonly valSet: ValidatorSet,
    private readonly verify: SigVerifier = ed25519Verify,
  ) {
    this.votes = new Array(valSet.size).fill(undefined);
  }

  /**
   * Adds a vote after checking height/round/type, membership (address must match the index)
   * and signature. `nowMs` stamps evidence.
   */
  addVote(vote: Vote, nowMs = vote.timeMs): AddVoteResult {
    const bad = validateVoteBasic(vote);
    if (bad) return { status: 'invalid', reason: bad };
    if (vote.height !== this.height || vote.round !== this.round || vote.type !== this.type) {
      return { status: 'invalid', reason: `vote for ${vote.height}/${vote.round}/${vote.type}, set is ${this.height}/${this.round}/${this.type}` };
    }
    const val = this.valSet.getByIndex(vote.validatorIndex);
    if (!val || !bytesEqual(val.address, vote.validatorAddress)) return { status: 'invalid', reason: 'unknown validator' };
    const existing = this.votes[vote.validatorIndex];
    if (existing && bytesEqual(existing.blockId.hash, vote.blockId.hash) && bytesEqual(existing.signature, vote.signature)) {
      return { status: 'duplicate' };
    }
    if (!this.verify(val.pubKey, voteSignBytes(this.chainId, vote), vote.signature)) {
      return { status: 'invalid', reason: 'invalid signature' };
    }
    if (existing) {
      if (bytesEqual(existing.blockId.hash, vote.blockId.hash)) return { status: 'duplicate' };
      const c = this.claimed.get(toHex(vote.blockId.hash));
      if (c && !c.votes.has(vote.validatorIndex)) {
        c.votes.set(vote.validatorIndex, vote);
        c.power += val.votingPower;
        this.checkMaj23(vote.blockId, c.power);
      }
      // Order the pair by block id so every node builds byte-identical evidence.
      const [a, b] = Buffer.compare(existing.blockId.hash, vote.blockId.hash) < 0 ? [existing, vote] : [vote, existing];
      return {
        status: 'conflict',
        evidence: { voteA: a, voteB: b, totalVotingPower: this.valSet.totalVotingPower(), validatorPower: val.votingPower, timeMs: nowMs },
      };
    }
    this.votes[vote.validatorIndex] = vote;
    this.sum += val.votingPower;
    const key = toHex(vote.blockId.hash);
    const power = (this.byBlock.get(key) ?? 0n) + val.votingPower;
    this.byBlock.set(key, power);
    this.checkMaj23(vote.blockId, power);
    const c = this.claimed.get(key);
    if (c && !c.votes.has(vote.validatorIndex)) {
      c.votes.set(vote.validatorIndex, vote);
      c.power += val.votingPower;
      this.checkMaj23(vote.blockId, c.power);
    }
    return { status: 'added' };
  }

  private checkMaj23(blockId: BlockId, power: bigint): void {
    if (!this.maj23 && power * 3n > this.valSet.totalVotingPower() * 2n) this.maj23 = { hash: blockId.hash };
  }

  /** Marks `blockId` as claimed to have +2/3 here (see the module comment). Idempotent. */
  claim(blockId: BlockId): void {
    const key = toHex(blockId.hash);
    if (this.claimed.has(key)) return;
    const c = { power: 0n, votes: new Map<number, Vote>() };
    this.votes.forEach((v, i) => {
      if (v && bytesEqual(v.blockId.hash, blockId.hash)) {
        c.votes.set(i, v);
        c.power += this.valSet.getByIndex(i)!.votingPower;
      }
    });
    this.claimed.set(key, c);
  }

  claimedCount(): number {
    return this.claimed.size;
  }

  /** The block id (empty hash = nil) with more than 2/3 of the power, or undefined if none. */
  twoThirdsMajority(): BlockId | undefined {
    return this.maj23;
  }

  /** More than 2/3 of the power voted, for anything. */
  hasTwoThirdsAny(): boolean {
    return this.sum * 3n > this.valSet.totalVotingPower() * 2n;
  }

  /** More than 1/3 of the power voted, for anything (at least one honest validator is here). */
  hasOneThirdAny(): boolean {
    return this.sum * 3n > this.valSet.totalVotingPower();
  }

  hasAll(): boolean {
    return this.sum === this.valSet.totalVotingPower();
  }

  getByIndex(index: number): Vote | undefined {
    return this.votes[index];
  }

  getByAddress(address: Uint8Array): Vote | undefined {
    const v = this.valSet.getByAddress(address);
    return v ? this.votes[v.index] : undefined;
  }

  /** Indexes of validators that voted (for +1/3-any across vote types). */
  voterIndexes(): number[] {
    const out: number[] = [];
    this.votes.forEach((v, i) => v && out.push(i));
    return out;
  }

  allVotes(): Vote[] {
    return this.votes.filter((v): v is Vote => v !== undefined);
  }

  /**
   * Builds the Commit from precommits with a +2/3 majority for a block: one entry per validator in
   * set order; votes for nil are kept as Nil, votes for another block and missing votes are Absent.
   */
  makeCommit(): Commit {
    const maj = this.maj23;
    if (!maj || maj.hash.length === 0) throw new Error('makeCommit: no +2/3 majority for a block');
    const claimedVotes = this.claimed.get(toHex(maj.hash))?.votes;
    const signatures: CommitSig[] = this.votes.map((first, i) => {
      const v = claimedVotes?.get(i) ?? first;
      const address = this.valSet.getByIndex(i)!.address;
      if (!v) return { flag: CommitFlag.Absent, validatorAddress: address, timeMs: 0, signature: new Uint8Array(0) };
      if (v.blockId.hash.length === 0) return { flag: CommitFlag.Nil, validatorAddress: address, timeMs: v.timeMs, signature: v.signature };
      if (!bytesEqual(v.blockId.hash, maj.hash)) return { flag: CommitFlag.Absent, validatorAddress: address, timeMs: 0, signature: new Uint8Array(0) };
      return { flag: CommitFlag.Commit, validatorAddress: address, timeMs: v.timeMs, signature: v.signature };
    });
    return { height: this.height, round: this.round, blockId: { hash: maj.hash }, signatures };
  }
}
