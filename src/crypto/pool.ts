/**
 * Signature verification on worker threads, so checkTx / block execution can verify many
 * secp256k1 signatures in parallel without blocking the event loop (the consensus timers and
 * RPC live there).
 *
 * Shape (after Lodestar's BLS pool): jobs wait in a main-thread queue; a batch leaves for a
 * worker only when that worker has room (MAX_BATCHES_PER_WORKER), so `queued` is real backlog
 * and close() can reject it cleanly. Each batch is packed into ONE ArrayBuffer that is
 * transferred, not copied. ECDSA has no batch verification, so a worker simply checks each job
 * of a batch and returns one byte per job; results are returned in the caller's order.
 *
 * Two kinds of work share the queue, its bound and the workers:
 *  - `verifyBatch(jobs)`: (signature, digest, key) triples the caller prepared;
 *  - `verifyTxs(txs, chain)`: raw signed txs, for which the worker does everything (decode,
 *    sign bytes, SHA-256, verify) and returns one verdict per tx. The main thread only copies
 *    the bytes into the batch buffer: ~100 µs of sign-bytes JSON + hashing per tx leave it.
 *    Calls that find a tx batch of the same chain still queued join it (up to batchSize), so
 *    many small admission batches under load cost one message, not one each.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import type { VerifierBackend } from './verifier.js';
import { JOB_BYTES, packTxs, type WorkerReply, type WorkerRequest } from './pool-protocol.js';

export interface VerifyJob {
  sig: Uint8Array;
  hash: Uint8Array;
  pub: Uint8Array;
}

export interface VerifyPoolOptions {
  /** Worker threads. Default: os.availableParallelism(). */
  workers?: number;
  /** Backend each worker asks createVerifier() for (falls back like createVerifier). */
  backend?: VerifierBackend;
  /** Jobs per batch. Default DEFAULT_BATCH_SIZE. */
  batchSize?: number;
  /** Jobs queued + in flight before new work is rejected. Default DEFAULT_MAX_QUEUE. */
  maxQueue?: number;
  /** How long verify() waits to gather a micro-batch; 0 = until the next event-loop turn. */
  flushDelayMs?: number;
  /**
   * Module (URL) the workers load for `verifyTxs`: it exports `verifyPackedTxs`
   * (`TxBatchVerifierModule`). Default: the app's `tx-verify` module of this build
   * (`../app/tx-verify.{ts,js}` beside this file), named by URL, not imported, so this layer
   * does not depend on the codec. `null`: no tx module (verifyTxs rejects).
   */
  txModule?: string | URL | null;
}

/** The chain a tx's sign bytes are built for. */
export interface TxChain {
  chainId: string;
  hrp: string;
}

export interface VerifyPoolStats {
  /** Jobs waiting on the main thread (not yet sent to a worker). */
  queued: number;
  /** Jobs sent to a worker whose result has not come back. */
  inFlight: number;
  /** Jobs completed (valid or not) since the pool started. */
  verified: number;
  workers: number;
}

/**
 * 128 jobs ≈ 9 ms of native verification (≈70 µs each): large enough that the ~50 µs cost of a
 * postMessage round trip is <1 %, small enough that two workers share a 256-tx block evenly.
 */
export const DEFAULT_BATCH_SIZE = 128;
/**
 * Batches a worker may hold at once: 2 lets the next batch sit ready in the worker's port while
 * it computes the current one (no idle gap for the round trip) while keeping the rest queued
 * on the main thread where close() can reject it.
 */
export const MAX_BATCHES_PER_WORKER = 2;
/** Backlog bound (queued + in flight): ~100k jobs ≈ 13 MB of packed input; beyond it callers get an error rather than unbounded memory. */
export const DEFAULT_MAX_QUEUE = 100_000;

export class VerifyPoolClosedError extends Error {
  constructor(message = 'VerifyPool closed: job was queued and not verified') {
    super(message);
    this.name = 'VerifyPoolClosedError';
  }
}
export class VerifyPoolFullError extends Error {
  constructor(limit: number) {
    super(`VerifyPool queue full (maxQueue ${limit} jobs): verification backlog too large`);
    this.name = 'VerifyPoolFullError';
  }
}

/** A unit sent to one worker: `size` jobs (or txs) packed into one transferred buffer. */
interface Batch {
  size: number;
  request(id: number): WorkerRequest;
  settle(buf: ArrayBuffer): void;
  reject(e: Error): void;
  /**
   * Tx batches only, while not yet sent: takes `txs` of `chain` in if they fit in `max`
   * (false: not taken). `done` gets their verdicts, `fail` the batch's error.
   */
  joinTxs?(chain: TxChain, txs: readonly Uint8Array[], done: (verdicts: Int32Array) => void, fail: (e: Error) => void, max: number): boolean;
}

/**
 * A batch of raw txs of one chain, made of the parts of one or more `verifyTxs` calls. Plain
 * closures, not methods: close() rewraps `settle` / `reject` of batches in flight.
 */
function txBatch(chain: TxChain): Batch {
  const parts: { txs: readonly Uint8Array[]; done: (verdicts: Int32Array) => void; fail: (e: Error) => void }[] = [];
  let sent = false;
  const b: Batch = {
    size: 0,
    request: (id) => {
      sent = true;
      const all = parts.length === 1 ? parts[0]!.txs : parts.flatMap((p) => p.txs);
      return { kind: 'txs', id, count: all.length, buf: packTxs(all), chainId: chain.chainId, hrp: chain.hrp };
    },
    settle: (buf) => {
      const verdicts = new Int32Array(buf);
      let o = 0;
      for (const p of parts) {
        p.done(verdicts.subarray(o, o + p.txs.length));
        o += p.txs.length;
      }
    },
    reject: (e) => {
      for (const p of parts) p.fail(e);
    },
    joinTxs: (c, txs, done, fail, max) => {
      if (sent || c.chainId !== chain.chainId || c.hrp !== chain.hrp || (b.size > 0 && b.size + txs.length > max)) return false;
      parts.push({ txs, done, fail });
      b.size += txs.length;
      return true;
    },
  };
  return b;
}

interface WorkerSlot {
  worker: Worker;
  backend?: VerifierBackend;
  ready: Promise<VerifierBackend>;
  inFlight: Map<number, Batch>;
  dead: boolean;
}

/**
 * How to start a worker. Compiled (`dist/…/pool.js`): the sibling `verify-worker.js`.
 * From sources under tsx (`pool.ts`, tests and scripts): `execArgv: ['--import', 'tsx']` is NOT
 * enough on Node 20 — the worker's own `.ts` entry fails with "Unknown file extension .ts"
 * (checked on 20.20 with both the bare and the resolved specifier), because the loader hooks that
 * `--import` registers are not applied to the worker's entry. So the worker starts from a tiny
 * eval'd bootstrap that registers tsx (`tsx/esm/api`) and then imports the `.ts` entry.
 */
/**
 * URL of tsx's ESM `esm/api` entry. Not import.meta.resolve: under mocha, tsx may load this file
 * as CommonJS, where import.meta only has `url`; and not require.resolve('tsx/esm/api'): that
 * picks the CommonJS build, whose register() fails inside a worker. So: the package root via
 * require, then the `import` target from its exports map.
 */
function tsxEsmApiUrl(from: string): string {
  const pkgPath = createRequire(from).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports?: Record<string, { import?: { default?: string } | string }> };
  const target = pkg.exports?.['./esm/api']?.import;
  const rel = (typeof target === 'string' ? target : target?.default) ?? './dist/esm/api/index.mjs';
  return new URL(rel, pathToFileURL(pkgPath)).href;
}

function runningFromTs(): boolean {
  return /\.ts$/.test(new URL(import.meta.url).pathname);
}

function defaultTxModule(): string {
  return new URL(`../app/tx-verify.${runningFromTs() ? 'ts' : 'js'}`, import.meta.url).href;
}

function spawnWorker(workerData: unknown): Worker {
  const self = import.meta.url;
  const isTs = runningFromTs();
  const entry = new URL(`./verify-worker.${isTs ? 'ts' : 'js'}`, self);
  if (!isTs) return new Worker(entry, { workerData });
  const api = tsxEsmApiUrl(self);
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

function wellSized(j: VerifyJob): boolean {
  return (
    j != null &&
    j.sig instanceof Uint8Array &&
    j.hash instanceof Uint8Array &&
    j.pub instanceof Uint8Array &&
    j.sig.length === 64 &&
    j.hash.length === 32 &&
    j.pub.length === 33
  );
}

export class VerifyPool {
  private readonly slots: WorkerSlot[] = [];
  private readonly batchSize: number;
  private readonly maxQueue: number;
  private readonly flushDelayMs: number;
  private readonly backendPref?: VerifierBackend;
  private readonly txModule: string | undefined;
  /** Batches waiting for a worker with room. */
  private readonly pending: Batch[] = [];
  /** verify() singles gathered for the next micro-batch. */
  private micro: { job: VerifyJob; resolve: (v: boolean) => void; reject: (e: Error) => void }[] = [];
  private microTimer: NodeJS.Immediate | NodeJS.Timeout | undefined;
  private nextId = 1;
  private queuedJobs = 0;
  private inFlightJobs = 0;
  private verifiedJobs = 0;
  private closed = false;

  constructor(opts: VerifyPoolOptions = {}) {
    const n = opts.workers ?? availableParallelism();
    if (!Number.isInteger(n) || n < 1) throw new Error(`VerifyPool: workers must be a positive integer, got ${n}`);
    this.batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new Error('VerifyPool: batchSize must be a positive integer');
    this.maxQueue = opts.maxQueue ?? DEFAULT_MAX_QUEUE;
    this.flushDelayMs = opts.flushDelayMs ?? 0;
    this.backendPref = opts.backend;
    this.txModule = opts.txModule === null ? undefined : opts.txModule !== undefined ? String(opts.txModule) : defaultTxModule();
    for (let i = 0; i < n; i++) this.slots.push(this.spawn());
  }

  get queued(): number {
    return this.queuedJobs + this.micro.length;
  }
  get inFlight(): number {
    return this.inFlightJobs;
  }
  get verified(): number {
    return this.verifiedJobs;
  }
  get stats(): VerifyPoolStats {
    return { queued: this.queued, inFlight: this.inFlight, verified: this.verified, workers: this.slots.length };
  }

  /** Resolves with the backend the workers use once all have started. */
  async ready(): Promise<VerifierBackend> {
    const b = await Promise.all(this.slots.map((s) => s.ready));
    return b[0]!;
  }

  /** Results in input order; malformed jobs (wrong lengths) are `false` without a round trip. */
  async verifyBatch(jobs: VerifyJob[]): Promise<boolean[]> {
    if (this.closed) throw new VerifyPoolClosedError('VerifyPool closed');
    const results = new Array<boolean>(jobs.length).fill(false);
    const idx: number[] = [];
    for (let i = 0; i < jobs.length; i++) if (wellSized(jobs[i]!)) idx.push(i);
    if (idx.length === 0) return results;
    if (this.queued + this.inFlight + idx.length > this.maxQueue) throw new VerifyPoolFullError(this.maxQueue);
    const parts: Promise<boolean[]>[] = [];
    for (let o = 0; o < idx.length; o += this.batchSize) {
      parts.push(this.enqueueJobs(idx.slice(o, o + this.batchSize).map((i) => jobs[i]!)));
    }
    this.pump();
    const out = await Promise.all(parts);
    let k = 0;
    for (const part of out) for (const r of part) results[idx[k++]!] = r;
    return results;
  }

  /**
   * Signature verdicts of raw signed txs, in input order (`TxVerdict` of `src/app/tx-verify.ts`):
   * -1 every signature verifies, i ≥ 0 signature i is the first bad one (high S or failing),
   * -2 undecodable, -3 no signatures. The workers decode and build the sign bytes for `chain`;
   * this thread only packs the bytes. Counts one queue slot per tx.
   */
  async verifyTxs(txs: readonly Uint8Array[], chain: TxChain): Promise<Int32Array> {
    if (this.closed) throw new VerifyPoolClosedError('VerifyPool closed');
    const n = txs.length;
    const results = new Int32Array(n);
    if (n === 0) return results;
    if (this.queued + this.inFlight + n > this.maxQueue) throw new VerifyPoolFullError(this.maxQueue);
    const parts: Promise<void>[] = [];
    for (let o = 0; o < n; o += this.batchSize) {
      const part = txs.slice(o, Math.min(n, o + this.batchSize));
      const at = o;
      parts.push(
        new Promise<void>((resolve, reject) => {
          const done = (verdicts: Int32Array): void => {
            results.set(verdicts, at);
            resolve();
          };
          // Join the tx batch still waiting for a worker when it is for the same chain and has
          // room: under load (workers full, batches queued) small admission batches then leave
          // as one message instead of many, and each message costs both threads ~20–30 µs of
          // CPU whatever its size. When a worker is free nothing waits, so nothing joins.
          const last = this.pending[this.pending.length - 1];
          if (last?.joinTxs?.(chain, part, done, reject, this.batchSize)) {
            this.queuedJobs += part.length;
            return;
          }
          if (this.slots.every((sl) => sl.dead)) {
            reject(new Error('VerifyPool has no running worker (all workers failed to start)'));
            return;
          }
          const b = txBatch(chain);
          b.joinTxs!(chain, part, done, reject, this.batchSize);
          this.pending.push(b);
          this.queuedJobs += b.size;
        }),
      );
    }
    this.pump();
    await Promise.all(parts);
    return results;
  }

  /** One job, gathered with others arriving in the same tick into one batch. */
  verify(job: VerifyJob): Promise<boolean> {
    if (this.closed) return Promise.reject(new VerifyPoolClosedError('VerifyPool closed'));
    if (!wellSized(job)) return Promise.resolve(false);
    if (this.queued + this.inFlight + 1 > this.maxQueue) return Promise.reject(new VerifyPoolFullError(this.maxQueue));
    return new Promise<boolean>((resolve, reject) => {
      this.micro.push({ job, resolve, reject });
      if (this.micro.length >= this.batchSize) this.flushMicro();
      else if (!this.microTimer) {
        this.microTimer = this.flushDelayMs > 0 ? setTimeout(() => this.flushMicro(), this.flushDelayMs) : setImmediate(() => this.flushMicro());
      }
    });
  }

  /**
   * Rejects every job not yet sent to a worker (VerifyPoolClosedError), lets batches already
   * at a worker finish (at most workers × MAX_BATCHES_PER_WORKER), then stops the workers.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.microTimer) {
      clearImmediate(this.microTimer as NodeJS.Immediate);
      clearTimeout(this.microTimer as NodeJS.Timeout);
      this.microTimer = undefined;
    }
    const err = new VerifyPoolClosedError();
    for (const m of this.micro) m.reject(err);
    this.micro = [];
    for (const b of this.pending.splice(0)) {
      this.queuedJobs -= b.size;
      b.reject(err);
    }
    await Promise.all(
      this.slots.map(async (s) => {
        const inflight = [...s.inFlight.values()].map((b) => new Promise<void>((res) => {
          const { settle, reject } = b;
          b.settle = (r) => (settle(r), res());
          b.reject = (e) => (reject(e), res());
        }));
        await Promise.all(inflight);
        s.dead = true;
        await s.worker.terminate();
      }),
    );
  }

  // -------------------------------------------------------------------------------------------

  private flushMicro(): void {
    this.microTimer = undefined;
    const items = this.micro;
    this.micro = [];
    if (items.length === 0) return;
    this.enqueueJobs(items.map((m) => m.job)).then(
      (rs) => items.forEach((m, i) => m.resolve(rs[i]!)),
      (e: Error) => items.forEach((m) => m.reject(e)),
    );
    this.pump();
  }

  private enqueueJobs(jobs: VerifyJob[]): Promise<boolean[]> {
    return this.enqueue<boolean[]>((resolve, reject) => ({
      size: jobs.length,
      request: (id) => {
        const n = jobs.length;
        const buf = new ArrayBuffer(n * JOB_BYTES);
        const bytes = new Uint8Array(buf);
        for (let i = 0; i < n; i++) {
          const j = jobs[i]!;
          const o = i * JOB_BYTES;
          bytes.set(j.sig, o);
          bytes.set(j.hash, o + 64);
          bytes.set(j.pub, o + 96);
        }
        return { id, count: n, buf };
      },
      settle: (buf) => {
        const r = new Uint8Array(buf);
        const out = new Array<boolean>(jobs.length);
        for (let i = 0; i < jobs.length; i++) out[i] = r[i] === 1;
        resolve(out);
      },
      reject,
    }));
  }

  private enqueue<T>(make: (resolve: (v: T) => void, reject: (e: Error) => void) => Batch): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.slots.every((s) => s.dead)) {
        reject(new Error('VerifyPool has no running worker (all workers failed to start)'));
        return;
      }
      const b = make(resolve, reject);
      this.pending.push(b);
      this.queuedJobs += b.size;
    });
  }

  /** Sends waiting batches to the least-loaded workers that have room. */
  private pump(): void {
    while (this.pending.length > 0) {
      let best: WorkerSlot | undefined;
      for (const s of this.slots) {
        if (s.dead || s.inFlight.size >= MAX_BATCHES_PER_WORKER) continue;
        if (!best || s.inFlight.size < best.inFlight.size) best = s;
      }
      if (!best) return;
      const batch = this.pending.shift()!;
      this.queuedJobs -= batch.size;
      this.dispatch(best, batch);
    }
  }

  private dispatch(slot: WorkerSlot, batch: Batch): void {
    const id = this.nextId++;
    const req = batch.request(id);
    slot.inFlight.set(id, batch);
    this.inFlightJobs += batch.size;
    slot.worker.postMessage(req, [req.buf]);
  }

  private spawn(): WorkerSlot {
    const worker = spawnWorker({ backend: this.backendPref, txModule: this.txModule });
    let markReady!: (b: VerifierBackend) => void;
    let failReady!: (e: Error) => void;
    const slot: WorkerSlot = {
      worker,
      inFlight: new Map(),
      dead: false,
      ready: new Promise<VerifierBackend>((res, rej) => {
        markReady = res;
        failReady = rej;
      }),
    };
    slot.ready.catch(() => undefined); // surfaced through ready() / job rejections instead
    worker.on('message', (msg: WorkerReply) => {
      if (msg.type === 'ready') {
        slot.backend = msg.backend;
        markReady(msg.backend);
        return;
      }
      const batch = slot.inFlight.get(msg.id);
      if (!batch) return;
      slot.inFlight.delete(msg.id);
      this.inFlightJobs -= batch.size;
      if (msg.type === 'error') batch.reject(new Error(msg.message));
      else {
        this.verifiedJobs += batch.size;
        batch.settle(msg.buf);
      }
      this.pump();
    });
    const fail = (e: Error): void => {
      if (slot.dead) return;
      slot.dead = true;
      failReady(e);
      for (const b of slot.inFlight.values()) {
        this.inFlightJobs -= b.size;
        b.reject(e);
      }
      slot.inFlight.clear();
      if (this.closed) return;
      // Replace a worker that crashed after starting, so the pool keeps its width; one that
      // never started (e.g. the loader is missing) would only fail again, so it is not retried.
      const i = this.slots.indexOf(slot);
      if (slot.backend !== undefined && i >= 0) this.slots[i] = this.spawn();
      if (this.slots.every((s) => s.dead)) {
        for (const b of this.pending.splice(0)) {
          this.queuedJobs -= b.size;
          b.reject(e);
        }
      } else this.pump();
    };
    worker.on('error', (e) => fail(new Error(`verify worker failed: ${e.message}`)));
    worker.on('exit', (code) => fail(new Error(`verify worker exited with code ${code}`)));
    return slot;
  }
}
