/**
 * The mempool: txs that passed checkTx and wait for a block. Admission is bounded (count, bytes,
 * per sender, minimum fee), duplicates and already committed txs are refused cheaply by hash,
 * and after each commit the remaining txs are rechecked against the new state (at most
 * `max_recheck` per commit, oldest first) so that txs made invalid by the block leave.
 *
 * Block order (`reap`): txs that pay go first — higher fee first, then arrival — but a sender's
 * txs always stay in arrival (= sequence) order, which the ante step needs: the reap merges the
 * senders' queues by the fee of each queue's head. With equal fees this is arrival order.
 * (Moving a paying tx ahead of a free one of another sender can make a tx that spends coins
 * received in that free tx fail in the block; it then pays nothing.)
 *
 * Rejections (except duplicates) are remembered in a bounded map, so `GET /api/v1/tx/{hash}`
 * can say why a tx accepted for asynchronous processing never made it.
 */
import type { CheckTxResult, CheckTxKind } from '../app/abci.js';
import type { DecodedTx } from '../codec/types.js';
import { rootError, toChainError } from '../errors.js';
import { toHex } from '../crypto/hash.js';
import { txHashHex } from '../codec/tx.js';
import { makeRoom } from '../cache/evict.js';

export interface MempoolConfig {
  size: number;
  max_txs_bytes: number;
  max_txs_per_sender: number;
  max_recheck: number;
  min_fee: number;
  cache_size: number;
}

export interface TxChecker {
  /**
   * `hash`: the tx's UPPERCASE hex hash, which the mempool computed already (optional to use);
   * `decoded`: the tx decoded (from `decodedTx`), when the mempool holds it.
   */
  checkTx(tx: Uint8Array, kind: CheckTxKind, hash?: string, decoded?: DecodedTx): CheckTxResult;
  /** Hex of the paying signer, known before checkTx runs (lets the per-sender limit refuse a tx without touching the check state). */
  senderOf?(tx: Uint8Array, hash?: string, decoded?: DecodedTx): string | undefined;
  /**
   * The tx decoded (throws on bad bytes); `consume`: the checker forgets any copy it kept. When
   * present, the mempool keeps each accepted tx's decoded form and hands it back to the recheck
   * after every block and to the producer's block (`reap`), which then decode nothing.
   */
  decodedTx?(tx: Uint8Array, hash: string, consume: boolean): DecodedTx;
}

interface Entry {
  tx: Uint8Array;
  hash: string;
  sender: string;
  fee: bigint;
  /** Height at which it entered (for metrics and eviction). */
  height: number;
  /** Arrival number (ties between equal fees go to the earlier tx). */
  seq: number;
  /** The tx decoded (when the checker decodes for us), for its rechecks and its block. */
  decoded: DecodedTx | undefined;
}

/** Why a tx was refused or dropped. */
export interface RejectedTx {
  code: number;
  log: string;
  /** Height the node was at when it gave up on the tx. */
  height: number;
}

/** Recently rejected hashes → reason, bounded (oldest dropped first). */
export class RejectedTxs {
  private readonly m = new Map<string, RejectedTx>();
  constructor(readonly capacity = 50_000) {}
  get(hash: string): RejectedTx | undefined {
    return this.m.get(hash);
  }
  add(hash: string, r: RejectedTx): void {
    if (this.m.has(hash)) this.m.delete(hash);
    else makeRoom(this.m, this.capacity);
    this.m.set(hash, r);
  }
  delete(hash: string): void {
    this.m.delete(hash);
  }
  get size(): number {
    return this.m.size;
  }
}

export interface CommittedInfo {
  height: number;
  index: number;
  code: number;
  log: string;
}

type Waiter = (info: CommittedInfo | undefined) => void;

/** A bounded set of recently committed hashes (FIFO eviction). */
class HashCache {
  private readonly set = new Set<string>();
  constructor(private readonly cap: number) {}
  has(h: string): boolean {
    return this.set.has(h);
  }
  add(h: string): void {
    if (this.set.has(h)) return;
    makeRoom(this.set, this.cap);
    this.set.add(h);
  }
}

export function txHash(tx: Uint8Array): string {
  return txHashHex(tx);
}

const DUPLICATE_CODE = rootError('duplicateTx', '').code;

/**
 * At most this many entries keep their decoded tx (~0.9 KB each for an order, on top of the
 * ~0.5 KB an entry costs anyway): ~27 MB, a few seconds of traffic at the target rates, which
 * covers every recheck and block of a pool that keeps up. Entries beyond it decode again.
 */
export const MAX_DECODED_KEPT = 30_000;

/**
 * Clients' txs fill the pool up to this many times the mean tx count of the last
 * `RECENT_BLOCKS` blocks (never below `CLIENT_FLOOR`, never above the capacity); see
 * `clientCapacity`.
 */
export const CLIENT_BLOCKS = 2;
export const RECENT_BLOCKS = 4;
export const CLIENT_FLOOR = 5_000;

export class Mempool {
  private readonly entries = new Map<string, Entry>();
  /** Tx counts of the last RECENT_BLOCKS blocks, oldest first. */
  private readonly recentBlocks: number[] = [];
  private readonly perSender = new Map<string, number>();
  private readonly committed: HashCache;
  private readonly waiters = new Map<string, Set<Waiter>>();
  private bytes = 0;
  private height = 0;
  private arrivals = 0;
  /**
   * Txs in the pool per fee. One fee value (none paying, or all paying the same, as a stream of
   * transfers does): the fee-then-arrival merge is plain arrival order, so reap skips it.
   */
  private readonly feeCounts = new Map<bigint, number>();
  /** Entries holding a decoded tx (at most MAX_DECODED_KEPT). */
  private decodedKept = 0;
  private readonly rejectedTxs: RejectedTxs;
  /** Counters for metrics. */
  readonly stats = { accepted: 0, rejected: 0, evictedOnRecheck: 0 };
  private listeners: ((tx: Uint8Array, hash: string) => void)[] = [];

  constructor(private readonly app: TxChecker, private readonly cfg: MempoolConfig) {
    for (const k of ['size', 'max_recheck'] as const) {
      if (!Number.isSafeInteger(cfg[k]) || cfg[k] < 1) throw new Error(`mempool.${k} must be a whole number of at least 1, got ${cfg[k]} (max_recheck also bounds the pool)`);
    }
    this.committed = new HashCache(cfg.cache_size);
    this.rejectedTxs = new RejectedTxs();
  }

  /** Why a recent tx was refused or dropped (undefined: not rejected, or long ago). */
  rejected(hash: string): RejectedTx | undefined {
    return this.rejectedTxs.get(hash);
  }

  /** Records a rejection decided outside `add` (the admission pipeline's signature check). */
  recordRejection(hash: string, code: number, log: string): void {
    if (code === 0 || code === DUPLICATE_CODE) return;
    this.rejectedTxs.add(hash, { code, log, height: this.height });
  }

  /** Committed recently (within the `cache_size` last committed txs): a new copy would be a duplicate. */
  isCommitted(hash: string): boolean {
    return this.committed.has(hash);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Most txs the pool holds: `size`, and never more than `max_recheck`. Every tx left after a
   * block must be rechecked against the new state: the check state starts again from the
   * committed one, and a tx not rechecked would leave its sequence bump (and spends) out of
   * it, so the sender's next tx would be refused for a sequence the pool itself is about to
   * fill. Bounding the pool by the recheck budget keeps both the recheck cost and that rule.
   */
  get capacity(): number {
    return Math.min(this.cfg.size, this.cfg.max_recheck);
  }
  /**
   * Most txs the pool holds before admission refuses new txs from clients (as `mempoolFull`,
   * before their signature check): about two blocks' worth, from the last blocks' sizes.
   * Peers' relayed txs still fill up to `capacity` (refusing one leaves a gap in its sender's
   * sequence, see Admission).
   *
   * Why: a pool beyond what the next blocks take adds no throughput, only latency and work.
   * Every tx left after a block is rechecked, so under a load above what the network commits
   * a pool sitting at its 20,000 bound (~5 blocks' worth on a 4-validator net on two cores)
   * made each tx be rechecked ~5 times on every validator, and wait ~5 blocks (measured p99
   * 6.6–11.3 s, 3.8–4.5 s with this bound). Two blocks' worth keeps a full next block and lets
   * blocks double from one to the next when the network has room; the floor lets a burst in
   * after idle blocks.
   */
  get clientCapacity(): number {
    const n = this.recentBlocks.length;
    if (n === 0) return this.capacity;
    let sum = 0;
    for (const b of this.recentBlocks) sum += b;
    return Math.min(this.capacity, Math.max(CLIENT_FLOOR, Math.ceil((CLIENT_BLOCKS * sum) / n)));
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  /** Called for every accepted tx (gossip hooks in). */
  onAccepted(fn: (tx: Uint8Array, hash: string) => void): void {
    this.listeners.push(fn);
  }

  has(hash: string): boolean {
    return this.entries.has(hash);
  }

  /**
   * Admits a tx: cheap checks first (duplicates, capacity), then checkTx. Returns the check
   * result (code 0 = accepted); never throws for bad input.
   */
  add(tx: Uint8Array, knownHash?: string): CheckTxResult {
    const res = this.admit(tx, knownHash ?? txHash(tx));
    if (res.code !== 0) this.recordRejection(res.hash, res.code, res.log);
    return res;
  }

  private fail(hash: string, kind: Parameters<typeof rootError>[0], msg: string): CheckTxResult {
    this.stats.rejected++;
    const e = rootError(kind, msg);
    return { code: e.code, log: e.message, data: new Uint8Array(), events: [], hash, fee: 0n };
  }

  private admit(tx: Uint8Array, hash: string): CheckTxResult {
    if (this.entries.has(hash)) return this.fail(hash, 'duplicateTx', `tx ${hash} is already in the mempool`);
    if (this.committed.has(hash)) return this.fail(hash, 'duplicateTx', `tx ${hash} was already committed`);
    if (this.entries.size >= this.capacity) return this.fail(hash, 'mempoolFull', `mempool is full (${this.entries.size} txs); retry after the next block`);
    if (this.bytes + tx.length > this.cfg.max_txs_bytes) return this.fail(hash, 'mempoolFull', `mempool is full (${this.bytes} bytes)`);
    // The per-sender limit goes first when the app can name the sender: a tx refused after
    // checkTx would leave its sequence bump in the check state, and the sender's next tx
    // would then be judged against a sequence that never reaches a block.
    let decoded: DecodedTx | undefined;
    if (this.app.decodedTx) {
      try {
        decoded = this.app.decodedTx(tx, hash, true);
      } catch {
        decoded = undefined; // checkTx reports the decode error
      }
    }
    const early = this.app.senderOf?.(tx, hash, decoded);
    if (early !== undefined && (this.perSender.get(early) ?? 0) >= this.cfg.max_txs_per_sender) {
      return this.fail(hash, 'rateLimited', `sender has ${this.perSender.get(early)} txs pending, the limit is ${this.cfg.max_txs_per_sender}`);
    }
    let res: CheckTxResult;
    try {
      res = this.app.checkTx(tx, 'new', hash, decoded);
    } catch (e) {
      const ce = toChainError(e);
      this.stats.rejected++;
      return { code: ce.code, log: ce.message, data: new Uint8Array(), events: [], hash, fee: 0n };
    }
    if (res.code !== 0) {
      this.stats.rejected++;
      return res;
    }
    // senderOf named the same first signer already: reuse its hex instead of building it again
    const sender = res.sender ? (early ?? toHex(res.sender)) : '';
    const n = this.perSender.get(sender) ?? 0;
    if (sender && n >= this.cfg.max_txs_per_sender) {
      return this.fail(hash, 'rateLimited', `sender has ${n} txs pending, the limit is ${this.cfg.max_txs_per_sender}`);
    }
    if (this.cfg.min_fee > 0 && res.fee < BigInt(this.cfg.min_fee)) {
      return this.fail(hash, 'insufficientFee', `fee ${res.fee} is below this node's minimum ${this.cfg.min_fee}`);
    }
    if (decoded !== undefined) {
      if (this.decodedKept < MAX_DECODED_KEPT) this.decodedKept++;
      else decoded = undefined;
    }
    this.entries.set(hash, { tx, hash, sender, fee: res.fee, height: this.height, seq: this.arrivals++, decoded });
    this.feeCounts.set(res.fee, (this.feeCounts.get(res.fee) ?? 0) + 1);
    this.rejectedTxs.delete(hash); // accepted now (e.g. resent after a sequence gap closed)
    this.perSender.set(sender, n + 1);
    this.bytes += tx.length;
    this.stats.accepted++;
    for (const l of this.listeners) l(tx, hash);
    return res;
  }

  /**
   * Txs for the next block within the limits: paying txs first (fee, then arrival), each
   * sender's txs in arrival order; stops at the first tx that does not fit. With one fee value
   * in the pool that order is arrival order, taken straight from the entries. `hashes`, when
   * given, receives each reaped tx's UPPERCASE hex hash in the same order (the producer needs
   * them for the header and the executor; the mempool has them already); `decoded`, likewise,
   * each reaped tx decoded (`undefined` where the mempool has no decoded form).
   */
  reap(maxBytes: number, maxTxs: number, hashes?: string[], decoded?: (DecodedTx | undefined)[]): Uint8Array[] {
    const out: Uint8Array[] = [];
    let total = 0;
    if (this.feeCounts.size <= 1) {
      for (const e of this.entries.values()) {
        if (out.length >= maxTxs) break;
        if (total + e.tx.length > maxBytes) break;
        out.push(e.tx);
        hashes?.push(e.hash);
        decoded?.push(e.decoded);
        total += e.tx.length;
      }
      return out;
    }
    // one FIFO per sender (txs without a sender stand alone), merged by their heads
    const queues = new Map<string, Entry[]>();
    for (const e of this.entries.values()) {
      const k = e.sender === '' ? `#${e.hash}` : e.sender;
      const q = queues.get(k);
      if (q) q.push(e);
      else queues.set(k, [e]);
    }
    const heap = new HeadHeap();
    for (const q of queues.values()) heap.push({ q, i: 0 });
    while (heap.size > 0 && out.length < maxTxs) {
      const top = heap.pop()!;
      const e = top.q[top.i]!;
      if (total + e.tx.length > maxBytes) break;
      out.push(e.tx);
      hashes?.push(e.hash);
      decoded?.push(e.decoded);
      total += e.tx.length;
      if (++top.i < top.q.length) heap.push(top);
    }
    return out;
  }

  /**
   * The decoded form kept for each hash, `undefined` where the pool holds no such tx or kept no
   * decoded form: a validator's copies of a proposal's txs, so executing the block decodes only
   * the txs it had not seen.
   */
  decodedOf(hashes: readonly string[]): (DecodedTx | undefined)[] {
    const out = new Array<DecodedTx | undefined>(hashes.length);
    for (let i = 0; i < hashes.length; i++) out[i] = this.entries.get(hashes[i]!)?.decoded;
    return out;
  }

  private remove(hash: string): void {
    const e = this.entries.get(hash);
    if (!e) return;
    this.entries.delete(hash);
    this.bytes -= e.tx.length;
    if (e.decoded !== undefined) this.decodedKept--;
    const c = (this.feeCounts.get(e.fee) ?? 1) - 1;
    if (c <= 0) this.feeCounts.delete(e.fee);
    else this.feeCounts.set(e.fee, c);
    const n = (this.perSender.get(e.sender) ?? 1) - 1;
    if (n <= 0) this.perSender.delete(e.sender);
    else this.perSender.set(e.sender, n);
  }

  /**
   * After a commit: drops the block's txs, wakes their waiters, then rechecks what is left.
   * `results` are in block order. `stored`: the waiters are woken once it settles instead of at
   * once (the node passes the block store's save, so a client told "committed" finds the tx
   * there); the block's txs leave the pool and the recheck runs now either way.
   */
  update(height: number, txs: readonly { hash: string; code: number; log: string }[], stored?: Promise<unknown>): void {
    this.height = height;
    this.recentBlocks.push(txs.length);
    if (this.recentBlocks.length > RECENT_BLOCKS) this.recentBlocks.shift();
    const woken: [Set<Waiter>, CommittedInfo][] = [];
    txs.forEach((t, index) => {
      this.remove(t.hash);
      this.committed.add(t.hash);
      const ws = this.waiters.get(t.hash);
      if (ws) {
        this.waiters.delete(t.hash);
        woken.push([ws, { height, index, code: t.code, log: t.log }]);
      }
    });
    if (woken.length > 0) {
      const wake = (ok: boolean) => {
        for (const [ws, info] of woken) for (const w of ws) w(ok ? info : undefined);
      };
      // a save that failed stops the node: its waiters hear nothing rather than a false "committed"
      if (stored) stored.then(() => wake(true), () => wake(false));
      else wake(true);
    }
    // every entry: the pool holds at most max_recheck (see `capacity`)
    for (const e of [...this.entries.values()]) {
      let ok = false;
      let why: { code: number; log: string } = { code: 1, log: 'recheck threw' };
      try {
        const r = this.app.checkTx(e.tx, 'recheck', e.hash, e.decoded);
        ok = r.code === 0;
        why = r;
      } catch (err) {
        ok = false;
        const ce = toChainError(err);
        why = { code: ce.code, log: ce.message };
      }
      if (!ok) {
        this.remove(e.hash);
        this.recordRejection(e.hash, why.code, `dropped on recheck after block ${height}: ${why.log}`);
        this.stats.evictedOnRecheck++;
        const ws = this.waiters.get(e.hash);
        if (ws) {
          this.waiters.delete(e.hash);
          for (const w of ws) w(undefined);
        }
      }
    }
  }

  /** Resolves when the tx is committed (or `undefined` on timeout / eviction). */
  waitForCommit(hash: string, timeoutMs: number): Promise<CommittedInfo | undefined> {
    return new Promise((resolve) => {
      let set = this.waiters.get(hash);
      if (!set) {
        set = new Set();
        this.waiters.set(hash, set);
      }
      const s = set;
      const timer = setTimeout(() => {
        s.delete(waiter);
        if (s.size === 0) this.waiters.delete(hash);
        resolve(undefined);
      }, timeoutMs);
      const waiter: Waiter = (info) => {
        clearTimeout(timer);
        resolve(info);
      };
      s.add(waiter);
    });
  }

  /** Hashes and txs currently held (for `unconfirmed_txs`). */
  list(limit: number): { hash: string; tx: Uint8Array }[] {
    const out: { hash: string; tx: Uint8Array }[] = [];
    for (const e of this.entries.values()) {
      if (out.length >= limit) break;
      out.push({ hash: e.hash, tx: e.tx });
    }
    return out;
  }

  /** Wakes all waiters with `undefined` (shutdown). */
  close(): void {
    for (const [, ws] of this.waiters) for (const w of ws) w(undefined);
    this.waiters.clear();
  }
}

/** A sender's queue and the index of its next tx. */
interface Head {
  q: Entry[];
  i: number;
}

/** Max-heap of queue heads: higher fee first, then earlier arrival. */
class HeadHeap {
  private readonly a: Head[] = [];
  get size(): number {
    return this.a.length;
  }
  private before(x: Head, y: Head): boolean {
    const ex = x.q[x.i]!;
    const ey = y.q[y.i]!;
    return ex.fee !== ey.fee ? ex.fee > ey.fee : ex.seq < ey.seq;
  }
  push(h: Head): void {
    const a = this.a;
    a.push(h);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): Head | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.before(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}
