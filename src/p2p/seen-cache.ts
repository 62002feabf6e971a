/**
 * Remembers message ids for gossip deduplication: bounded in time (ttl) and size (oldest first).
 * Insertion order of a Map is the age order here, which is all it is used for (local, not
 * consensus data).
 */
export class SeenCache {
  private readonly seen = new Map<string, number>();

  constructor(private readonly ttlMs: number, private readonly max: number, private readonly now: () => number = Date.now) {}

  /** Records the id; returns false if it was already there (a duplicate). */
  add(id: string): boolean {
    const t = this.now();
    this.evict(t);
    if (this.seen.has(id)) return false;
    this.seen.set(id, t + this.ttlMs);
    return true;
  }

  has(id: string): boolean {
    const exp = this.seen.get(id);
    return exp !== undefined && exp > this.now();
  }

  get size(): number {
    return this.seen.size;
  }

  private evict(t: number): void {
    for (const [id, exp] of this.seen) {
      if (exp > t && this.seen.size < this.max) break;
      this.seen.delete(id);
    }
  }
}
