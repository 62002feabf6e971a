/**
 * The validator set and CometBFT's weighted round-robin proposer selection
 * (`types/validator_set.go`), reproduced step for step so proposer sequences match:
 *  - IncrementProposerPriority(times): rescale priorities so max-min <= 2*total, shift them by
 *    their (floored) average, then `times` times: every priority += power, the validator with
 *    the highest priority (ties: lower address) is proposer and loses total power.
 *  - new validators enter at -1.125 * total power (cannot reset a negative priority by
 *    unbonding and rebonding).
 *  - index order: voting power descending, then address ascending.
 * Priorities are int64 in CometBFT; here bigint, clipped to the int64 range the same way.
 */
import { rootError } from '../errors.js';
import { bytesCompare, bytesEqual, ed25519Verify, toHex, type SigVerifier } from './crypto-adapter.js';
import { validatorsHash, voteSignBytes } from './block.js';
import { CommitFlag, VoteType, type BlockId, type Commit, type Validator } from './types.js';

const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);
/** CometBFT MaxTotalVotingPower = MaxInt64 / 8. */
export const MAX_TOTAL_VOTING_POWER = MAX_INT64 / 8n;
const PRIORITY_WINDOW_SIZE_FACTOR = 2n;

function clip(v: bigint): bigint {
  return v > MAX_INT64 ? MAX_INT64 : v < MIN_INT64 ? MIN_INT64 : v;
}
/** Go big.Int.Div is Euclidean: for a positive divisor that is floor division. */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

function copyVal(v: Validator): Validator {
  return { address: v.address, pubKey: v.pubKey, votingPower: v.votingPower, proposerPriority: v.proposerPriority };
}

function byPower(a: Validator, b: Validator): number {
  if (a.votingPower !== b.votingPower) return a.votingPower > b.votingPower ? -1 : 1;
  return bytesCompare(a.address, b.address);
}

/** The higher priority wins; on a tie the lower address wins (CometBFT CompareProposerPriority). */
function morePriority(a: Validator, b: Validator): Validator {
  if (a.proposerPriority !== b.proposerPriority) return a.proposerPriority > b.proposerPriority ? a : b;
  return bytesCompare(a.address, b.address) < 0 ? a : b;
}

export interface ValidatorChange {
  address: Uint8Array;
  pubKey: Uint8Array;
  /** 0 removes the validator. */
  votingPower: bigint;
}

export class ValidatorSet {
  /** Index order: power desc, address asc. Treat as read-only outside this class. */
  readonly validators: Validator[];
  private proposer: Validator | undefined;
  private total = 0n;

  private constructor(vals: Validator[], proposer: Validator | undefined) {
    this.validators = vals;
    this.proposer = proposer;
    this.recomputeTotal();
  }

  /**
   * CometBFT `NewValidatorSet`: validators enter as new (equal starting priority), then the set
   * is incremented once so the first proposer is already chosen.
   */
  static create(vals: readonly { address: Uint8Array; pubKey: Uint8Array; votingPower: bigint }[]): ValidatorSet {
    const set = new ValidatorSet([], undefined);
    set.applyChanges(vals, false);
    if (set.validators.length > 0) set.incrementProposerPriority(1);
    return set;
  }

  /** Restores a persisted set (priorities kept as given; no increment). */
  static fromState(vals: readonly Validator[]): ValidatorSet {
    const list = vals.map(copyVal).sort(byPower);
    for (let i = 1; i < list.length; i++) {
      if (bytesEqual(list[i - 1]!.address, list[i]!.address)) throw rootError('invalidRequest', 'duplicate validator address');
    }
    for (const v of list) if (v.votingPower <= 0n) throw rootError('invalidRequest', 'validator power must be positive');
    return new ValidatorSet(list, undefined);
  }

  private recomputeTotal(): void {
    let sum = 0n;
    for (const v of this.validators) {
      sum += v.votingPower;
      if (sum > MAX_TOTAL_VOTING_POWER) throw rootError('overflow', `total voting power exceeds ${MAX_TOTAL_VOTING_POWER}`);
    }
    this.total = sum;
  }

  get size(): number {
    return this.validators.length;
  }

  totalVotingPower(): bigint {
    return this.total;
  }

  copy(): ValidatorSet {
    const vals = this.validators.map(copyVal);
    const p = this.proposer ? vals.find((v) => bytesEqual(v.address, this.proposer!.address)) : undefined;
    return new ValidatorSet(vals, p);
  }

  copyIncrementProposerPriority(times: number): ValidatorSet {
    const c = this.copy();
    if (times > 0) c.incrementProposerPriority(times);
    return c;
  }

  getProposer(): Validator | undefined {
    if (this.validators.length === 0) return undefined;
    if (!this.proposer) {
      let p: Validator | undefined;
      for (const v of this.validators) p = p ? morePriority(p, v) : v;
      this.proposer = p;
    }
    return copyVal(this.proposer!);
  }

  getByAddress(address: Uint8Array): { index: number; validator: Validator } | undefined {
    const i = this.validators.findIndex((v) => bytesEqual(v.address, address));
    return i < 0 ? undefined : { index: i, validator: copyVal(this.validators[i]!) };
  }

  getByIndex(index: number): Validator | undefined {
    const v = this.validators[index];
    return v ? copyVal(v) : undefined;
  }

  hasAddress(address: Uint8Array): boolean {
    return this.validators.some((v) => bytesEqual(v.address, address));
  }

  /** Merkle root over validators sorted by address (see `validatorsHash`). */
  hash(): Uint8Array {
    return validatorsHash(this.validators);
  }

  incrementProposerPriority(times: number): void {
    if (this.validators.length === 0) throw rootError('internal', 'empty validator set');
    if (!Number.isInteger(times) || times <= 0) throw rootError('internal', 'incrementProposerPriority: times must be positive');
    this.rescalePriorities(PRIORITY_WINDOW_SIZE_FACTOR * this.total);
    this.shiftByAvgProposerPriority();
    let proposer: Validator | undefined;
    for (let i = 0; i < times; i++) proposer = this.incrementOnce();
    this.proposer = proposer;
  }

  private incrementOnce(): Validator {
    for (const v of this.validators) v.proposerPriority = clip(v.proposerPriority + v.votingPower);
    let most = this.validators[0]!;
    for (const v of this.validators) most = morePriority(most, v);
    most.proposerPriority = clip(most.proposerPriority - this.total);
    return most;
  }

  /** Divides every priority by ceil(diff / diffMax) when the spread exceeds diffMax (Go truncating division). */
  rescalePriorities(diffMax: bigint): void {
    if (this.validators.length === 0) throw rootError('internal', 'empty validator set');
    if (diffMax <= 0n) return;
    let max = MIN_INT64;
    let min = MAX_INT64;
    for (const v of this.validators) {
      if (v.proposerPriority < min) min = v.proposerPriority;
      if (v.proposerPriority > max) max = v.proposerPriority;
    }
    const diff = max - min;
    const ratio = (diff + diffMax - 1n) / diffMax;
    if (diff > diffMax) for (const v of this.validators) v.proposerPriority = v.proposerPriority / ratio;
  }

  private shiftByAvgProposerPriority(): void {
    let sum = 0n;
    for (const v of this.validators) sum += v.proposerPriority;
    const avg = floorDiv(sum, BigInt(this.validators.length));
    for (const v of this.validators) v.proposerPriority = clip(v.proposerPriority - avg);
  }

  /**
   * Applies validator updates (CometBFT `UpdateWithChangeSet`): power 0 removes, unknown
   * addresses are added at -1.125*total priority, existing ones keep their priority. Throws a
   * ChainError (and leaves the set untouched) on duplicates, negative power, removal of an
   * unknown validator, an empty result or total power overflow.
   */
  update(changes: readonly ValidatorChange[]): void {
    const backup = this.validators.map(copyVal);
    const backupProposer = this.proposer;
    try {
      this.applyChanges(changes, true);
    } catch (e) {
      this.validators.splice(0, this.validators.length, ...backup);
      this.proposer = backupProposer;
      this.recomputeTotal();
      throw e;
    }
  }

  private applyChanges(changes: readonly { address: Uint8Array; pubKey: Uint8Array; votingPower: bigint }[], allowDeletes: boolean): void {
    const sorted = [...changes].sort((a, b) => bytesCompare(a.address, b.address));
    const updates: Validator[] = [];
    const removals: Uint8Array[] = [];
    for (let i = 0; i < sorted.length; i++) {
      const c = sorted[i]!;
      if (i > 0 && bytesEqual(sorted[i - 1]!.address, c.address)) throw rootError('invalidRequest', `duplicate validator ${toHex(c.address)}`);
      if (c.votingPower < 0n) throw rootError('invalidRequest', 'voting power cannot be negative');
      if (c.votingPower > MAX_TOTAL_VOTING_POWER) throw rootError('overflow', 'voting power too large');
      if (c.votingPower === 0n) {
        if (!allowDeletes) throw rootError('invalidRequest', 'validator with zero power in a new set');
        if (!this.hasAddress(c.address)) throw rootError('invalidRequest', `cannot remove unknown validator ${toHex(c.address)}`);
        removals.push(c.address);
      } else {
        updates.push({ address: c.address, pubKey: c.pubKey, votingPower: c.votingPower, proposerPriority: 0n });
      }
    }
    // Total after updates but before removals (CometBFT verifyUpdates).
    let removedPower = 0n;
    for (const a of removals) removedPower += this.getByAddress(a)!.validator.votingPower;
    let tvp = this.total - removedPower;
    for (const u of updates) {
      const old = this.getByAddress(u.address);
      tvp += u.votingPower - (old ? old.validator.votingPower : 0n);
    }
    if (tvp > MAX_TOTAL_VOTING_POWER) throw rootError('overflow', 'total voting power overflow');
    const tvpBeforeRemovals = tvp + removedPower;
    for (const u of updates) {
      const old = this.getByAddress(u.address);
      u.proposerPriority = old ? old.validator.proposerPriority : -(tvpBeforeRemovals + (tvpBeforeRemovals >> 3n));
    }
    const byAddr = new Map<string, Validator>();
    for (const v of this.validators) byAddr.set(toHex(v.address), v);
    for (const u of updates) byAddr.set(toHex(u.address), u);
    for (const a of removals) byAddr.delete(toHex(a));
    if (byAddr.size === 0 && (allowDeletes || changes.length > 0)) throw rootError('invalidRequest', 'validator set would be empty');
    const next = [...byAddr.values()];
    this.validators.splice(0, this.validators.length, ...next);
    this.recomputeTotal();
    if (this.validators.length > 0) {
      this.rescalePriorities(PRIORITY_WINDOW_SIZE_FACTOR * this.total);
      this.shiftByAvgProposerPriority();
    }
    this.validators.sort(byPower);
    this.proposer = undefined;
  }

  /**
   * Checks that `commit` carries +2/3 of this set's power for `blockId` at `height`, with every
   * present signature valid (CometBFT VerifyCommit). Throws a ChainError saying what is wrong.
   */
  verifyCommit(chainId: string, blockId: BlockId, height: number, commit: Commit, verify: SigVerifier = ed25519Verify): void {
    if (commit.height !== height) throw rootError('invalidRequest', `commit height ${commit.height} != ${height}`);
    if (!bytesEqual(commit.blockId.hash, blockId.hash) || blockId.hash.length === 0) {
      throw rootError('invalidRequest', 'commit is for another block');
    }
    if (commit.signatures.length !== this.validators.length) {
      throw rootError('invalidRequest', `commit has ${commit.signatures.length} signatures, set has ${this.validators.length}`);
    }
    let tallied = 0n;
    for (let i = 0; i < commit.signatures.length; i++) {
      const s = commit.signatures[i]!;
      if (s.flag === CommitFlag.Absent) continue;
      const v = this.validators[i]!;
      if (!bytesEqual(s.validatorAddress, v.address)) throw rootError('invalidRequest', `commit sig ${i}: wrong validator address`);
      const forBlock = s.flag === CommitFlag.Commit;
      const msg = voteSignBytes(chainId, {
        type: VoteType.Precommit,
        height,
        round: commit.round,
        blockId: forBlock ? blockId : { hash: new Uint8Array(0) },
      });
      if (!verify(v.pubKey, msg, s.signature)) throw rootError('invalidSignature', `commit sig ${i}: invalid signature`);
      if (forBlock) tallied += v.votingPower;
    }
    if (tallied * 3n <= this.total * 2n) {
      throw rootError('invalidRequest', `commit has insufficient voting power: ${tallied} of ${this.total}`);
    }
  }
}
