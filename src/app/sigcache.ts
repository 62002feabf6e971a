/**
 * Remembers which tx hashes had all their signatures verified, so deliverTx after checkTx (or
 * after the node's verify worker pool) does not verify again. Sound because the sign bytes are
 * a function of the tx bytes and the app's fixed chain id; the ante step still checks pubkey,
 * account number and sequence against the state every time.
 */
export class SigCache {
  private readonly entries = new Map<string, true>();

  /** @param capacity max hashes kept (oldest dropped first); 200k ≈ 40 blocks of 5,000 txs. */
  constructor(readonly capacity = 200_000) {
    if (!(capacity > 0)) throw new Error('SigCache capacity must be positive');
  }

  has(hash: string): boolean {
    if (!this.entries.has(hash)) return false;
    // refresh recency
    this.entries.delete(hash);
    this.entries.set(hash, true);
    return true;
  }

  /** Records that every signature of the tx with this UPPERCASE hex hash verified. */
  markVerified(hash: string): void {
    if (this.entries.has(hash)) this.entries.delete(hash);
    this.entries.set(hash, true);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
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
