/**
 * The gossip messages this node relayed by announcement (IHAVE), kept for a while so peers can
 * fetch them (IWANT). Bounded in time and bytes, oldest dropped first. Each peer is served a
 * message at most once: an IWANT costs the asker 33 bytes and us up to 4 MiB, so repeating it
 * must not be a way to make us send the same block again and again.
 */
export class RelayStore {
  private readonly kept = new Map<string, { frame: Uint8Array; expires: number; served: Set<string> }>();
  private bytes = 0;

  constructor(private readonly ttlMs: number, private readonly maxBytes: number, private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.kept.size;
  }

  get keptBytes(): number {
    return this.bytes;
  }

  add(id: string, frame: Uint8Array): void {
    if (this.kept.has(id) || frame.length > this.maxBytes) return;
    this.kept.set(id, { frame, expires: this.now() + this.ttlMs, served: new Set() });
    this.bytes += frame.length;
    this.evict();
  }

  /** The frame for `peer`, unless it is unknown, expired, or already served to that peer. */
  take(id: string, peer: string): Uint8Array | undefined {
    this.evict();
    const e = this.kept.get(id);
    if (e === undefined || e.served.has(peer)) return undefined;
    e.served.add(peer);
    return e.frame;
  }

  private evict(): void {
    const t = this.now();
    for (const [id, e] of this.kept) {
      if (e.expires > t && this.bytes <= this.maxBytes) break;
      this.kept.delete(id);
      this.bytes -= e.frame.length;
    }
  }
}
