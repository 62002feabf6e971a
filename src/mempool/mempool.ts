/**
 * The mempool: txs that passed checkTx and wait for a block. Admission is bounded (count, bytes,
 * per sender, minimum fee), duplicates and already committed txs are refused cheaply by hash,
 * and after each commit the remaining txs are rechecked against the new state (at most
 * `max_recheck` per commit, oldest first) so that txs made invalid by the block leave.
 *
 * Order is arrival order: a sender's txs stay in sequence order, which the ante step needs.
 */
import type { CheckTxResult, CheckTxKind } from '../app/abci.js';
import { rootError, toChainError } from '../errors.js';
import { sha256, toHex } from '../crypto/hash.js';

export interface MempoolConfig {
  size: number;
  max_txs_bytes: number;
  max_txs_per_sender: number;
  max_recheck: number;
  min_fee: number;
  cache_size: number;
}

export interface TxChecker {
  checkTx(tx: Uint8Array, kind: CheckTxKind): CheckTxResult;
}

interface Entry {
  tx: Uint8Array;
  hash: string;
  sender: string;
  fee: bigint;
  /** Height at which it entered (for metrics and eviction). */
  height: number;
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
    this.set.add(h);
    if (this.set.size > this.cap) {
      const first = this.set.values().next().value as string;
      this.set.delete(first);
    }
  }
}

export function txHash(tx: Uint8Array): string {
  return toHex(sha256(tx)).toUpperCase();
}

export class Mempool {
  private readonly entries = new Map<string, Entry>();
  private readonly perSender = new Map<string, number>();
  private readonly committed: HashCache;
  private readonly waiters = new Map<string, Set<Waiter>>();
  private bytes = 0;
  private height = 0;
  /** Counters for metrics. */
  readonly stats = { accepted: 0, rejected: 0, evictedOnRecheck: 0 };
  private listeners: ((tx: Uint8Array, hash: string) => void)[] = [];

  constructor(private readonly app: TxChecker, private readonly cfg: MempoolConfig) {
    this.committed = new HashCache(cfg.cache_size);
  }

  get size(): number {
    return this.entries.size;
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
  add(tx: Uint8Array): CheckTxResult {
    const hash = txHash(tx);
    const fail = (kind: Parameters<typeof rootError>[0], msg: string): CheckTxResult => {
      this.stats.rejected++;
      const e = rootError(kind, msg);
      return { code: e.code, log: e.message, data: new Uint8Array(), events: [], hash, fee: 0n };
    };
    if (this.entries.has(hash)) return fail('duplicateTx', `tx ${hash} is already in the mempool`);
    if (this.committed.has(hash)) return fail('duplicateTx', `tx ${hash} was already committed`);
    if (this.entries.size >= this.cfg.size) return fail('mempoolFull', `mempool is full (${this.entries.size} txs)`);
    if (this.bytes + tx.length > this.cfg.max_txs_bytes) return fail('mempoolFull', `mempool is full (${this.bytes} bytes)`);
    let res: CheckTxResult;
    try {
      res = this.app.checkTx(tx, 'new');
    } catch (e) {
      const ce = toChainError(e);
      this.stats.rejected++;
      return { code: ce.code, log: ce.message, data: new Uint8Array(), events: [], hash, fee: 0n };
    }
    if (res.code !== 0) {
      this.stats.rejected++;
      return res;
    }
    const sender = res.sender ? toHex(res.sender) : '';
    const n = this.perSender.get(sender) ?? 0;
    if (sender && n >= this.cfg.max_txs_per_sender) {
      return fail('rateLimited', `sender has ${n} txs pending, the limit is ${this.cfg.max_txs_per_sender}`);
    }
    if (this.cfg.min_fee > 0 && res.fee < BigInt(this.cfg.min_fee)) {
      return fail('insufficientFee', `fee ${res.fee} is below this node's minimum ${this.cfg.min_fee}`);
    }
    this.entries.set(hash, { tx, hash, sender, fee: res.fee, height: this.height });
    this.perSender.set(sender, n + 1);
    this.bytes += tx.length;
    this.stats.accepted++;
    for (const l of this.listeners) l(tx, hash);
    return res;
  }

  /** Txs for the next block, in arrival order, within the limits. */
  reap(maxBytes: number, maxTxs: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let total = 0;
    for (const e of this.entries.values()) {
      if (out.length >= maxTxs) break;
      if (total + e.tx.length > maxBytes) break;
      out.push(e.tx);
      total += e.tx.length;
    }
    return out;
  }

  private remove(hash: string): void {
    const e = this.entries.get(hash);
    if (!e) return;
    this.entries.delete(hash);
    this.bytes -= e.tx.length;
    const n = (this.perSender.get(e.sender) ?? 1) - 1;
    if (n <= 0) this.perSender.delete(e.sender);
    else this.perSender.set(e.sender, n);
  }

  /**
   * After a commit: drops the block's txs, wakes their waiters, then rechecks what is left.
   * `results` are in block order.
   */
  update(height: number, txs: { hash: string; code: number; log: string }[]): void {
    this.height = height;
    txs.forEach((t, index) => {
      this.remove(t.hash);
      this.committed.add(t.hash);
      const ws = this.waiters.get(t.hash);
      if (ws) {
        this.waiters.delete(t.hash);
        for (const w of ws) w({ height, index, code: t.code, log: t.log });
      }
    });
    let budget = this.cfg.max_recheck;
    for (const e of [...this.entries.values()]) {
      if (budget-- <= 0) break;
      let ok = false;
      try {
        ok = this.app.checkTx(e.tx, 'recheck').code === 0;
      } catch {
        ok = false;
      }
      if (!ok) {
        this.remove(e.hash);
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
