/**
 * The admission pipeline in front of the mempool: bytes from RPC (or gossip) → cheap checks
 * (size, decode, duplicate, capacity, per-source budget) → the batch's signatures verified on
 * the worker pool, in parallel with other batches (`app.preverify`, which records each
 * verdict in the app's SigCache and keeps the decoded tx) → `mempool.add` in arrival order,
 * whose checkTx then verifies nothing and decodes nothing.
 *
 * Why here and not in checkTx: checkTx is synchronous on the event loop; ~50 µs of ECDSA per
 * tx would cap the node near 20k tx/s per core for everything, consensus included. Invalid
 * signatures are refused before they take mempool room, and a tx known bad fails in checkTx
 * with the exact error a verification gives, without verifying again.
 *
 * Ordering: batches verify concurrently but enter the mempool in the order they arrived from
 * their source (client IP or peer), so a sender's txs keep their sequence order across
 * requests; batches of different sources do not wait for each other.
 *
 * Fairness: each client (IP) may have at most `maxPendingPerSource` txs between arrival and
 * the mempool; beyond that its txs are refused (`rateLimited`), so one flooding client fills
 * neither the verify queue nor the node's memory, and other clients' txs wait behind at most
 * that many of its txs. A peer (source `peer:<id>`) has its own, larger budget,
 * `maxPendingPerPeer`: it relays in batches of up to ~2,500 txs what its own admission took
 * from all its clients, and a gossiped tx refused here is never sent again, so each refusal
 * leaves a gap in its sender's sequence that refuses every later tx of that sender too
 * (measured on a 4-validator net with a 5,000 budget: ~10,000 of 130,000 txs missing from each
 * peer's pool, which then proposed near-empty blocks and verified the rest at block time). The
 * total bound `maxPending` still holds for all sources together, and a peer relaying invalid
 * txs loses points in tx gossip.
 */
import type { CheckTxResult } from '../app/abci.js';
import type { DecodedTx } from '../codec/types.js';
import { MAX_TX_BYTES, txHashHex } from '../codec/tx.js';
import { rootError, toChainError, type ChainError } from '../errors.js';
import type { CommittedInfo, Mempool } from './mempool.js';

/** What admission needs from the app (`DexApp` fits). */
export interface AdmissionApp {
  /** Verifies (and caches) the signatures of txs not verified yet; may reject if the pool does. */
  preverify(txs: readonly Uint8Array[], hashes?: readonly string[]): Promise<void>;
  /** Decodes (and caches) a tx; throws a ChainError on bad bytes. */
  decodedTx(bytes: Uint8Array, hash?: string): DecodedTx;
}

export interface AdmissionOptions {
  /** Txs between arrival and the mempool, all sources (default 20,000 ≈ 0.7 s of verification on 2 cores). */
  maxPending?: number;
  /** The same per client source (default 5,000). */
  maxPendingPerSource?: number;
  /** The same per peer, a source named `peer:<id>` (default: `maxPending`). */
  maxPendingPerPeer?: number;
}

export const DEFAULT_MAX_PENDING = 20_000;
export const DEFAULT_MAX_PENDING_PER_SOURCE = 5_000;

const EMPTY = new Uint8Array(0);

/** The admission source of txs relayed by peer `id` (tx gossip passes it; the budgets tell peers from clients by it). */
export function peerSource(id: string): string {
  return `peer:${id}`;
}

export function isPeerSource(source: string): boolean {
  return source.startsWith('peer:');
}

function result(hash: string, code: number, log: string): CheckTxResult {
  return { code, log, data: EMPTY, events: [], hash, fee: 0n };
}

function failure(hash: string, e: ChainError): CheckTxResult {
  return result(hash, e.code, e.message);
}

interface Item {
  tx: Uint8Array;
  hash: string;
  /** Position in the caller's batch. */
  at: number;
}

export class Admission {
  private readonly maxPending: number;
  private readonly maxPerSource: number;
  private readonly maxPerPeer: number;
  /** Hashes between arrival and the mempool (duplicates of these are refused). */
  private readonly inFlight = new Set<string>();
  private readonly perSource = new Map<string, number>();
  /**
   * Per source, completion of its last batch: its next batch enters the mempool after it. Only
   * a source's own txs need arrival order (a sender's sequence); one source's backlog never
   * holds another's batches back.
   */
  private readonly tails = new Map<string, Promise<void>>();
  readonly stats = { submitted: 0, refusedEarly: 0, refusedLater: 0 };
  /**
   * Refusals since start by origin (`client` or `peer`) and ABCI code, early and after the
   * signature check alike, duplicates included: what an operator reads to see why txs do not
   * get in (`dexchain_admission_refused`).
   */
  readonly refusals = new Map<string, { origin: 'client' | 'peer'; code: number; count: number }>();

  constructor(
    private readonly app: AdmissionApp,
    private readonly mempool: Mempool,
    opts: AdmissionOptions = {},
  ) {
    this.maxPending = opts.maxPending ?? DEFAULT_MAX_PENDING;
    this.maxPerSource = opts.maxPendingPerSource ?? DEFAULT_MAX_PENDING_PER_SOURCE;
    this.maxPerPeer = opts.maxPendingPerPeer ?? this.maxPending;
  }

  /** Txs accepted for checking and not yet in the mempool. */
  get pending(): number {
    return this.inFlight.size;
  }

  /**
   * Full admission: resolves with each tx's checkTx result (in input order) once the batch is
   * in the mempool. Never rejects. `beforeAdd` runs just before each surviving tx is offered to
   * the mempool (tx gossip marks peer txs there so they are not published back).
   */
  async admit(txs: readonly Uint8Array[], source = '', beforeAdd?: (hash: string) => void): Promise<CheckTxResult[]> {
    const { out, items } = this.precheck(txs, source);
    if (items.length > 0) {
      const added = await this.enqueue(items, source, beforeAdd);
      for (let i = 0; i < items.length; i++) out[items[i]!.at] = added[i]!;
    }
    return out as CheckTxResult[];
  }

  /**
   * Cheap checks now; the signature check and checkTx run in the background. A result with
   * code 0 means "accepted for checking": a tx that fails later is dropped and recorded in
   * `mempool.rejected(hash)`.
   */
  submit(txs: readonly Uint8Array[], source = ''): CheckTxResult[] {
    const { out, items } = this.precheck(txs, source);
    if (items.length > 0) void this.enqueue(items, source);
    for (const it of items) out[it.at] = result(it.hash, 0, `accepted for checking; GET /api/v1/tx/${it.hash} shows the outcome`);
    return out as CheckTxResult[];
  }

  /**
   * Resolves when the batches in flight now are in the mempool (later ones are not waited for,
   * so under steady traffic this still ends). The block producer waits on it before it reaps.
   */
  async settled(): Promise<void> {
    if (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }

  /** Resolves when every batch admitted so far is in the mempool (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await this.settled();
  }

  // -------------------------------------------------------------------------------------------

  /** Size, decode, duplicate and capacity checks; the survivors are reserved as in flight. */
  private precheck(txs: readonly Uint8Array[], source: string): { out: (CheckTxResult | undefined)[]; items: Item[] } {
    const out = new Array<CheckTxResult | undefined>(txs.length);
    const items: Item[] = [];
    let mine = this.perSource.get(source) ?? 0;
    const peer = isPeerSource(source);
    const budget = peer ? this.maxPerPeer : this.maxPerSource;
    // a relayed tx may fill the whole pool; a client's only what the next blocks take (see
    // Mempool.clientCapacity); either is fixed for the batch
    const room = peer ? this.mempool.capacity : this.mempool.clientCapacity;
    for (let i = 0; i < txs.length; i++) {
      const tx = txs[i]!;
      this.stats.submitted++;
      const hash = txHashHex(tx);
      let fail: ChainError | undefined;
      if (tx.length > MAX_TX_BYTES) fail = rootError('txTooLarge', `tx of ${tx.length} bytes exceeds ${MAX_TX_BYTES}`);
      else if (this.inFlight.has(hash) || this.mempool.has(hash)) fail = rootError('duplicateTx', `tx ${hash} is already in the mempool`);
      else if (this.mempool.isCommitted(hash)) fail = rootError('duplicateTx', `tx ${hash} was already committed`);
      else if (source !== '' && mine >= budget) {
        fail = rootError('rateLimited', `${mine} txs from ${source} are still being checked (limit ${budget}); slow down`);
      } else if (this.inFlight.size >= this.maxPending) fail = rootError('mempoolFull', `node busy: ${this.inFlight.size} txs waiting for their signature check`);
      else if (this.inFlight.size + this.mempool.size >= room) {
        // refused before its signature is checked: the pool would refuse it after (see
        // Mempool.capacity), or it holds what the next blocks take already (clientCapacity)
        fail = rootError('mempoolFull', `mempool is full (${this.mempool.size} txs held, ${this.inFlight.size} being checked); retry after the next block`);
      }
      else {
        try {
          this.app.decodedTx(tx, hash);
        } catch (e) {
          fail = toChainError(e);
        }
      }
      if (fail) {
        this.stats.refusedEarly++;
        this.countRefusal(source, fail.code);
        out[i] = failure(hash, fail);
        continue;
      }
      this.inFlight.add(hash);
      mine++;
      items.push({ tx, hash, at: i });
    }
    if (source !== '' && items.length > 0) this.perSource.set(source, mine);
    return { out, items };
  }

  private countRefusal(source: string, code: number): void {
    const origin = isPeerSource(source) ? 'peer' : 'client';
    const key = `${origin} ${code}`;
    const c = this.refusals.get(key);
    if (c) c.count++;
    else this.refusals.set(key, { origin, code, count: 1 });
  }

  /** Verify (concurrently with other batches), then add in arrival order. */
  private enqueue(items: Item[], source: string, beforeAdd?: (hash: string) => void): Promise<CheckTxResult[]> {
    let poolError: ChainError | undefined;
    const verified = this.app
      .preverify(
        items.map((it) => it.tx),
        items.map((it) => it.hash),
      )
      .catch((e: unknown) => {
        poolError = rootError('mempoolFull', `node busy: signatures cannot be checked now (${(e as Error)?.message ?? e})`);
      });
    const prev = this.tails.get(source);
    const done = (async () => {
      await verified;
      await prev;
      const res: CheckTxResult[] = [];
      for (const it of items) {
        let r: CheckTxResult;
        if (poolError) {
          r = failure(it.hash, poolError);
          this.mempool.recordRejection(it.hash, r.code, r.log);
        } else {
          beforeAdd?.(it.hash);
          r = this.mempool.add(it.tx, it.hash);
        }
        if (r.code !== 0) {
          if (r.code !== DUPLICATE) this.stats.refusedLater++;
          this.countRefusal(source, r.code);
        }
        this.inFlight.delete(it.hash);
        res.push(r);
      }
      if (source !== '') {
        const left = (this.perSource.get(source) ?? items.length) - items.length;
        if (left > 0) this.perSource.set(source, left);
        else this.perSource.delete(source);
      }
      return res;
    })();
    const tail = done.then(
      () => {
        if (this.tails.get(source) === tail) this.tails.delete(source);
      },
      () => {
        if (this.tails.get(source) === tail) this.tails.delete(source);
      },
    );
    this.tails.set(source, tail);
    return done;
  }
}

const DUPLICATE = rootError('duplicateTx', '').code;

/** How a broadcast waits: `async` after the cheap checks, `sync` after checkTx, `commit` for the block. */
export type BroadcastMode = 'async' | 'sync' | 'commit';

export interface BatchOutcome {
  check: CheckTxResult;
  committed?: CommittedInfo;
}

export interface BatchBroadcasterDeps {
  admission: Admission;
  mempool: Mempool;
  /** How long `commit` mode waits for a block. */
  commitTimeoutMs: number;
  /** Looks a tx up in the tx index (a commit racing the waiter). */
  lookupCommitted?(hash: string): Promise<CommittedInfo | undefined>;
}

/**
 * `broadcastBatch(txs, mode, source)` for the RPC node adapter: the whole batch goes through
 * one admission (one verify batch); `commit` then waits for each accepted tx's block.
 */
export function batchBroadcaster(d: BatchBroadcasterDeps): (txs: Uint8Array[], mode: BroadcastMode, source: string) => Promise<BatchOutcome[]> {
  return async (txs, mode, source) => {
    if (mode === 'async') return d.admission.submit(txs, source).map((check) => ({ check }));
    const checks = await d.admission.admit(txs, source);
    if (mode === 'sync') return checks.map((check) => ({ check }));
    return Promise.all(
      checks.map(async (check): Promise<BatchOutcome> => {
        if (check.code !== 0) return { check };
        const committed = (await d.mempool.waitForCommit(check.hash, d.commitTimeoutMs)) ?? (await d.lookupCommitted?.(check.hash));
        if (committed) return { check, committed };
        const r = d.mempool.rejected(check.hash);
        if (r) return { check: { ...check, code: r.code, log: r.log } };
        return { check: { ...check, log: `tx ${check.hash} was accepted but not committed within ${d.commitTimeoutMs} ms; query /api/v1/tx/${check.hash} later` } };
      }),
    );
  };
}
