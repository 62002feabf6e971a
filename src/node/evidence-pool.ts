/**
 * Evidence of duplicate votes, from our own core or from peers, waiting to be put in a block.
 * The proposer includes what is pending (deterministic order, bounded); a block's evidence is
 * checked with `checkEvidence` before voting for it; once committed it leaves the pool and is
 * remembered so it is not proposed again. The app makes punishment idempotent (a jailed
 * validator is not punished twice), which covers evidence re-proposed after a restart.
 * Pending items are kept in `data/evidence.bin` (see evidence-file.ts) so a restart does not
 * forget them.
 */
import { validateVoteBasic, voteSignBytes } from '../consensus/block.js';
import { bytesEqual, toHex, type SigVerifier } from '../consensus/crypto-adapter.js';
import type { DuplicateVoteEvidence } from '../consensus/types.js';
import type { ValidatorSet } from '../consensus/validator-set.js';
import { makeRoom } from '../cache/evict.js';

/** Evidence older than this many heights is no longer accepted or proposed. */
export const MAX_EVIDENCE_AGE_HEIGHTS = 100;
/** Most evidence items per block. */
export const MAX_EVIDENCE_PER_BLOCK = 20;

export function evidenceKey(ev: DuplicateVoteEvidence): string {
  const v = ev.voteA;
  return `${toHex(v.validatorAddress)}/${v.height}/${v.round}/${v.type}`;
}

/**
 * Why `ev` is not valid evidence against a member of `set` (the set of the votes' height), or
 * undefined when it is.
 */
export function checkEvidence(ev: DuplicateVoteEvidence, chainId: string, set: ValidatorSet | undefined, verify: SigVerifier): string | undefined {
  const a = ev.voteA;
  const b = ev.voteB;
  const bad = validateVoteBasic(a) ?? validateVoteBasic(b);
  if (bad) return `evidence vote: ${bad}`;
  if (a.height !== b.height || a.round !== b.round || a.type !== b.type) return 'evidence votes are for different height/round/type';
  if (!bytesEqual(a.validatorAddress, b.validatorAddress) || a.validatorIndex !== b.validatorIndex) return 'evidence votes are from different validators';
  if (bytesEqual(a.blockId.hash, b.blockId.hash)) return 'evidence votes do not conflict';
  if (!set) return `no validator set known for height ${a.height}`;
  const val = set.getByIndex(a.validatorIndex);
  if (!val || !bytesEqual(val.address, a.validatorAddress)) return 'evidence names no validator of that height';
  if (ev.validatorPower !== val.votingPower || ev.totalVotingPower !== set.totalVotingPower()) return 'evidence powers do not match the validator set';
  if (!verify(val.pubKey, voteSignBytes(chainId, a), a.signature)) return 'evidence vote A has an invalid signature';
  if (!verify(val.pubKey, voteSignBytes(chainId, b), b.signature)) return 'evidence vote B has an invalid signature';
  return undefined;
}

/** Where the pool keeps its pending items across restarts (`EvidenceFile`, or none in tests). */
export interface EvidenceSink {
  save(pending: readonly DuplicateVoteEvidence[]): void;
}

export class EvidencePool {
  private readonly pendingByKey = new Map<string, DuplicateVoteEvidence>();
  private readonly committed = new Set<string>();

  /**
   * `restored`: pending items read back at start (from `sink`'s file); they are re-checked by
   * the proposer like any pending item before they go into a block.
   */
  constructor(
    private readonly sink?: EvidenceSink,
    restored: readonly DuplicateVoteEvidence[] = [],
  ) {
    for (const ev of restored) this.pendingByKey.set(evidenceKey(ev), ev);
  }

  private persist(): void {
    this.sink?.save([...this.pendingByKey.values()]);
  }

  get size(): number {
    return this.pendingByKey.size;
  }

  /** Adds already checked evidence; false if known (pending or committed). */
  add(ev: DuplicateVoteEvidence): boolean {
    const k = evidenceKey(ev);
    if (this.pendingByKey.has(k) || this.committed.has(k)) return false;
    this.pendingByKey.set(k, ev);
    this.persist();
    return true;
  }

  isCommitted(ev: DuplicateVoteEvidence): boolean {
    return this.committed.has(evidenceKey(ev));
  }

  /** What the next block should carry, oldest heights first, at most MAX_EVIDENCE_PER_BLOCK. */
  pending(currentHeight: number): DuplicateVoteEvidence[] {
    const out: DuplicateVoteEvidence[] = [];
    let expired = false;
    for (const [k, ev] of this.pendingByKey) {
      if (ev.voteA.height < currentHeight - MAX_EVIDENCE_AGE_HEIGHTS) {
        this.pendingByKey.delete(k);
        expired = true;
      } else out.push(ev);
    }
    if (expired) this.persist();
    out.sort((x, y) => x.voteA.height - y.voteA.height || (evidenceKey(x) < evidenceKey(y) ? -1 : 1));
    return out.slice(0, MAX_EVIDENCE_PER_BLOCK);
  }

  markCommitted(evs: readonly DuplicateVoteEvidence[]): void {
    let removed = false;
    for (const ev of evs) {
      const k = evidenceKey(ev);
      if (this.pendingByKey.delete(k)) removed = true;
      this.committed.add(k);
    }
    makeRoom(this.committed, 10_001);
    if (removed) this.persist();
  }
}
