/**
 * The bookkeeping of one block-sync round, without any I/O: which heights to ask which peer for,
 * what came back, and which block is next to apply. `BlockSync` drives it (sends the requests it
 * hands out, reports answers and failures, applies blocks in order); tests drive it directly.
 *
 * Every height in [next, cursor) is in exactly one place: a pending range (to be asked), a live
 * request, or the ready buffer. Heights are handed out in batches, lowest first, to peers that
 * claim to have them; at most `perPeer` requests per peer and `maxInFlight` in total are live,
 * and nothing past `next + window` is asked, so a slow peer holding the lowest batch bounds the
 * memory spent on blocks received ahead of it.
 *
 * A failed peer (timeout, error, bad answer, a block that does not verify) is avoided for the
 * rest of the round; its live requests and the blocks it sent that are not applied yet go back to
 * pending for other peers. A peer that answers with fewer blocks than asked is taken to be at the
 * last height it sent: the rest goes back to pending and it is no longer asked for those heights,
 * so a round always ends, either with every height applied or with no peer left to ask.
 */

export interface SchedPeer {
  id: string;
  /** Highest height the peer claims (its status height). */
  height: number;
  /** Lowest height it serves (pruned stores); default 1. */
  base?: number;
}

export interface BatchRequest {
  /** Unique within the round. */
  id: number;
  peer: string;
  from: number;
  count: number;
}

export interface ReadyBlock<T> {
  height: number;
  peer: string;
  item: T;
}

export interface BatchSchedulerOptions {
  /** First height to apply. */
  from: number;
  /** Last height to apply. */
  target: number;
  /** Most heights per request. */
  batch: number;
  /** Most live requests per peer. */
  perPeer: number;
  /** Most live requests in total. */
  maxInFlight: number;
  peers: readonly SchedPeer[];
}

interface Range {
  from: number;
  count: number;
}

interface PeerState {
  id: string;
  height: number;
  base: number;
  live: number;
  failed: boolean;
}

export class BatchScheduler<T> {
  private nextHeight: number;
  private cursor: number;
  private readonly target: number;
  private readonly batch: number;
  private readonly perPeer: number;
  private readonly maxInFlight: number;
  private readonly window: number;
  private readonly peerStates = new Map<string, PeerState>();
  /** Sorted by `from`, never overlapping. */
  private pending: Range[] = [];
  private readonly live = new Map<number, BatchRequest>();
  private readonly ready = new Map<number, { peer: string; item: T }>();
  private readonly used = new Set<string>();
  private seq = 0;

  constructor(opts: BatchSchedulerOptions) {
    this.nextHeight = opts.from;
    this.cursor = opts.from;
    this.target = opts.target;
    this.batch = Math.max(1, Math.floor(opts.batch));
    this.perPeer = Math.max(1, Math.floor(opts.perPeer));
    this.maxInFlight = Math.max(1, Math.floor(opts.maxInFlight));
    this.window = this.batch * this.maxInFlight;
    const sorted = [...opts.peers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const p of sorted) {
      if (!this.peerStates.has(p.id)) this.peerStates.set(p.id, { id: p.id, height: p.height, base: Math.max(1, p.base ?? 1), live: 0, failed: false });
    }
  }

  /** Next height to apply. */
  get next(): number {
    return this.nextHeight;
  }

  /** True once every height up to the target was applied. */
  get done(): boolean {
    return this.nextHeight > this.target;
  }

  /** Live requests (those whose answer still counts). */
  get inFlight(): number {
    return this.live.size;
  }

  /** Peers whose blocks were applied this round. */
  get peersUsed(): number {
    return this.used.size;
  }

  /** Ids of the peers that failed this round, sorted. */
  failedPeers(): string[] {
    return [...this.peerStates.values()].filter((p) => p.failed).map((p) => p.id);
  }

  /** Whether the answer to this request still counts (not abandoned because its peer failed). */
  isLive(reqId: number): boolean {
    return this.live.has(reqId);
  }

  /** Hands out as many requests as the window and the peers allow. */
  assign(): BatchRequest[] {
    this.extend();
    const out: BatchRequest[] = [];
    for (let i = 0; i < this.pending.length && this.live.size < this.maxInFlight; ) {
      const r = this.pending[i]!;
      const peer = this.pickPeer(r);
      if (peer === undefined) {
        i++;
        continue;
      }
      const count = Math.min(r.count, peer.height - r.from + 1);
      const req: BatchRequest = { id: ++this.seq, peer: peer.id, from: r.from, count };
      this.live.set(req.id, req);
      peer.live++;
      out.push(req);
      if (count < r.count) {
        this.pending[i] = { from: r.from + count, count: r.count - count };
      } else {
        this.pending.splice(i, 1);
      }
    }
    return out;
  }

  /**
   * The answer to `reqId`: `items[i]` is the block at height `from + i`, at most `count` of them
   * (the caller checked heights and decoded). Fewer than asked marks the peer as being lower.
   */
  received(reqId: number, items: readonly T[]): void {
    const req = this.live.get(reqId);
    if (req === undefined) return;
    this.release(req);
    const n = Math.min(items.length, req.count);
    for (let i = 0; i < n; i++) {
      const h = req.from + i;
      if (h >= this.nextHeight) this.ready.set(h, { peer: req.peer, item: items[i]! });
    }
    if (n < req.count) {
      const peer = this.peerStates.get(req.peer)!;
      peer.height = Math.min(peer.height, req.from + n - 1);
      this.requeue(req.from + n, req.count - n);
    }
  }

  /**
   * `peer` failed (bad answer, timeout, error, a block that did not verify): it is avoided for the
   * rest of the round, and what it holds or sent and is not applied yet is asked again elsewhere.
   */
  failed(peerId: string): void {
    const peer = this.peerStates.get(peerId);
    if (peer === undefined) return;
    peer.failed = true;
    for (const req of [...this.live.values()]) {
      if (req.peer !== peerId) continue;
      this.release(req);
      this.requeue(req.from, req.count);
    }
    for (const [h, r] of [...this.ready.entries()]) {
      if (r.peer !== peerId) continue;
      this.ready.delete(h);
      this.requeue(h, 1);
    }
  }

  /** The failure of one request (its peer fails too); ignored if the request was abandoned. */
  requestFailed(reqId: number): void {
    const req = this.live.get(reqId);
    if (req !== undefined) this.failed(req.peer);
  }

  /** The block at `next`, when it arrived. */
  peekNext(): ReadyBlock<T> | undefined {
    return this.peek(this.nextHeight);
  }

  peek(height: number): ReadyBlock<T> | undefined {
    const r = this.ready.get(height);
    return r === undefined ? undefined : { height, peer: r.peer, item: r.item };
  }

  /** The block at `next` was applied. */
  applied(): void {
    const r = this.ready.get(this.nextHeight);
    if (r !== undefined) this.used.add(r.peer);
    this.ready.delete(this.nextHeight);
    this.nextHeight++;
  }

  /** Heights below `height` were committed some other way (consensus): forget them. */
  skipTo(height: number): void {
    if (height <= this.nextHeight) return;
    for (const h of [...this.ready.keys()]) if (h < height) this.ready.delete(h);
    this.nextHeight = height;
    this.cursor = Math.max(this.cursor, height);
    const kept: Range[] = [];
    for (const r of this.pending) {
      const end = r.from + r.count;
      if (end <= height) continue;
      kept.push(r.from >= height ? r : { from: height, count: end - height });
    }
    this.pending = kept;
  }

  /**
   * True when the round cannot go on: the next block has not arrived, nothing is being fetched and
   * no peer left can be asked for it. Call after `assign`.
   */
  get stalled(): boolean {
    return !this.done && !this.ready.has(this.nextHeight) && this.live.size === 0;
  }

  private release(req: BatchRequest): void {
    this.live.delete(req.id);
    const p = this.peerStates.get(req.peer);
    if (p !== undefined) p.live--;
  }

  /** Cuts fresh batches from `cursor` up to the window and the target. */
  private extend(): void {
    const limit = Math.min(this.target, this.nextHeight + this.window - 1);
    while (this.cursor <= limit) {
      const count = Math.min(this.batch, limit - this.cursor + 1);
      this.pending.push({ from: this.cursor, count });
      this.cursor += count;
    }
  }

  /** Puts heights back to be asked again (only those not applied yet), keeping `pending` sorted. */
  private requeue(from: number, count: number): void {
    const end = from + count;
    const start = Math.max(from, this.nextHeight);
    if (start >= end) return;
    const r: Range = { from: start, count: end - start };
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.from > r.from) i--;
    const prev = this.pending[i - 1];
    if (prev !== undefined && prev.from + prev.count === r.from && prev.count + r.count <= this.batch) {
      prev.count += r.count;
      i--;
    } else {
      this.pending.splice(i, 0, r);
    }
    const cur = this.pending[i]!;
    const after = this.pending[i + 1];
    if (after !== undefined && cur.from + cur.count === after.from && cur.count + after.count <= this.batch) {
      cur.count += after.count;
      this.pending.splice(i + 1, 1);
    }
  }

  /**
   * A peer that has `from`, is not failed and has room. Preferred: one that has the whole range,
   * then the least busy, then the lowest (keeping the highest peers free for the heights only
   * they have), then by id.
   */
  private pickPeer(r: Range): PeerState | undefined {
    const last = r.from + r.count - 1;
    let best: PeerState | undefined;
    let bestCovers = false;
    for (const p of this.peerStates.values()) {
      if (p.failed || p.live >= this.perPeer || p.height < r.from || p.base > r.from) continue;
      const covers = p.height >= last;
      if (
        best === undefined ||
        (covers && !bestCovers) ||
        (covers === bestCovers && (p.live < best.live || (p.live === best.live && p.height < best.height)))
      ) {
        best = p;
        bestCovers = covers;
      }
    }
    return best;
  }
}
