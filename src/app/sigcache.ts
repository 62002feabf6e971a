/**
 * Remembers the signature verdict of tx hashes, so deliverTx after checkTx (or after the
 * verify worker pool, see `DexApp.preverify`) does not verify again. Sound because the sign
 * bytes are a function of the tx bytes and the app's fixed chain id; the ante step still checks
 * pubkey, account number and sequence against the state every time.
 *
 * A verdict is either "all signatures valid" or "signature i is the first invalid one": the
 * negative verdict lets the ante step reject a known-bad tx (a flood, a hostile proposal) with
 * exactly the error a verification would give, without paying ~50 µs for it again.
 */
import { makeRoom } from '../cache/evict.js';

const ALL_VALID = -1;

export class SigCache {
  /** hash → ALL_VALID, or the index of the first invalid signature. Insertion order = recency. */
  private readonly entries = new Map<string, number>();

  /** @param capacity max hashes kept (oldest dropped first); 200k ≈ 40 blocks of 5,000 txs. */
  constructor(readonly capacity = 200_000) {
    if (!(capacity > 0)) throw new Error('SigCache capacity must be positive');
  }

  /** True when every signature of the tx is known to verify. */
  has(hash: string): boolean {
    const v = this.entries.get(hash);
    if (v === undefined) return false;
    // refresh recency
    this.entries.delete(hash);
    this.entries.set(hash, v);
    return v === ALL_VALID;
  }

  /**
   * The verdict: undefined = unknown, -1 = all signatures verify, i ≥ 0 = signature i is the
   * first that does not (those before it verify).
   */
  status(hash: string): number | undefined {
    return this.entries.get(hash);
  }

  /** Records that every signature of the tx with this UPPERCASE hex hash verified. */
  markVerified(hash: string): void {
    this.put(hash, ALL_VALID);
  }

  /** Records that signature `index` of the tx does not verify (and those before it do). */
  markInvalid(hash: string, index: number): void {
    if (!Number.isInteger(index) || index < 0) throw new Error(`markInvalid: bad signature index ${index}`);
    this.put(hash, index);
  }

  private put(hash: string, v: number): void {
    if (this.entries.has(hash)) this.entries.delete(hash);
    else makeRoom(this.entries, this.capacity);
    this.entries.set(hash, v);
  }

  delete(hash: string): void {
    this.entries.delete(hash);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
