/**
 * Signature verification benchmark: secp256k1 verifies/s for each single-thread backend (noble,
 * node:crypto, native libsecp256k1) and for the worker pool with 1 and 2 workers, each printed
 * with its ratio to the native single-thread rate measured in the same run (machine-independent:
 * expect noble ≈ 0.05, node ≈ 0.08 on the digest path, pool×1 ≈ 0.9–1, pool×2 ≈ 1.6–2 on ≥ 2
 * free cores).
 *
 * Then the admission stage end to end, `DexApp.preverify` on raw signed txs with 2 workers
 * (`--pipeline-workers`), in two forms: the tx-level pool (workers decode, build sign bytes,
 * hash and verify) and, for comparison, the job-level path (the main thread decodes and hashes
 * sign bytes, the workers only verify). Each gives tx/s (ratio to native single-thread
 * verifies/s) and the main thread's cost per tx (what it takes from consensus, RPC and
 * checkTx): on-CPU time from Linux schedstat, and busy wall time from
 * `performance.eventLoopUtilization` (larger when the workers preempt it on a small host).
 *
 * Before those, the worker's own cost per tx, in process on one thread: `verifyPackedTxs` (what a
 * verify worker runs on each tx batch) over the same signed txs, once with the native verifier
 * and once with a verify that accepts without checking, so the row splits the worker's CPU per
 * tx into signature verification and the rest (decode, sign bytes, SHA-256, packing). Thread CPU
 * time (Linux schedstat; wall time elsewhere), best of 3 rounds.
 *
 *   npx tsx scripts/bench/verify.ts [--ms 1500] [--jobs 2048] [--workers 1,2] [--txs 4096] [--pipeline-workers 2]
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { addressFromPubKey, sha256 } from '../../src/crypto/hash.js';
import { publicKeyFromPrivate, signHash, bulkSigner } from '../../src/crypto/secp256k1.js';
import { encodeAddress, encodeTx, stdSignBytes, txHashHex } from '../../src/codec/index.js';
import type { SendMsg } from '../../src/codec/types.js';
import { DexApp, type BatchVerifier } from '../../src/app/app.js';
import { memoryStateStore } from '../../src/state/index.js';
import { nobleVerifier, nodeVerifier, nativeVerifier, type SignatureVerifier, type VerifierBackend } from '../../src/crypto/verifier.js';
import { VerifyPool, DEFAULT_BATCH_SIZE, type VerifyJob } from '../../src/crypto/pool.js';
import { packTxs } from '../../src/crypto/pool-protocol.js';
import { verifyPackedTxs } from '../../src/app/tx-verify.js';

export interface VerifyBenchOptions {
  /** Time spent per measurement (after a warm-up). Default 1500 ms. */
  durationMs?: number;
  /** Distinct signed jobs (64 keys, many digests). Default 2048. */
  jobs?: number;
  /** Pool widths to measure. Default [1, 2]. */
  poolWorkers?: number[];
  /** Pool batch size (default: the pool's own default). */
  batchSize?: number;
  /** Signed txs per preverify round (default 4096); 0 skips the pipeline rows. */
  pipelineTxs?: number;
  /** Workers of the preverify pipeline rows (default 2). */
  pipelineWorkers?: number;
  log?: (line: string) => void;
}

export interface PipelineRow {
  name: string;
  workers: number;
  txPerSec: number;
  /** txPerSec / native single-thread verifies/s (one signature per tx). */
  ratio: number;
  /** Main-thread (event loop) busy time per tx, µs: wall time, so it includes preemption by the workers on a busy host. */
  mainUsPerTx: number;
  /** Main-thread on-CPU time per tx, µs (Linux schedstat of the main thread; undefined elsewhere). */
  mainCpuUsPerTx?: number;
}

/** On-CPU ns of the main thread (its tid is the pid), from Linux schedstat; undefined elsewhere. */
function mainThreadCpuNs(): bigint | undefined {
  try {
    return BigInt(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]!);
  } catch {
    return undefined;
  }
}

export interface VerifyBenchRow {
  name: string;
  backend: VerifierBackend;
  /** Worker threads (0 = on the calling thread). */
  workers: number;
  verifiesPerSec: number;
  /** verifiesPerSec / native single-thread verifiesPerSec (the fastest single-thread backend if native is missing). */
  ratio: number;
}

/** Worker CPU per tx of `verifyPackedTxs` on one thread (µs): everything, and without the signature check. */
export interface TxWorkRow {
  backend: VerifierBackend;
  txs: number;
  totalUsPerTx: number;
  /** With a verify that accepts without checking: decode, sign bytes, hashing. */
  restUsPerTx: number;
  /** totalUsPerTx − restUsPerTx. */
  verifyUsPerTx: number;
  /** Whether the figures are thread CPU time (else wall time). */
  cpuTime: boolean;
}

export interface VerifyBenchResult {
  baseline: VerifierBackend;
  baselinePerSec: number;
  rows: VerifyBenchRow[];
  /** Present when the pipeline rows run (same txs). */
  txWork?: TxWorkRow;
  pipeline: PipelineRow[];
}

/** Deterministic jobs: key i = sha256("bench-key-i"), digest j = sha256("bench-msg-j"). */
function makeJobs(n: number): VerifyJob[] {
  const enc = new TextEncoder();
  const keys = Array.from({ length: 64 }, (_, i) => sha256(enc.encode(`bench-key-${i}`)));
  const pubs = keys.map(publicKeyFromPrivate);
  const jobs: VerifyJob[] = [];
  for (let j = 0; j < n; j++) {
    const k = j % keys.length;
    const hash = sha256(enc.encode(`bench-msg-${j}`));
    jobs.push({ sig: signHash(hash, keys[k]!), hash, pub: pubs[k]! });
  }
  return jobs;
}

function measureSingle(v: SignatureVerifier, jobs: VerifyJob[], durationMs: number): number {
  // warm-up: JIT, key caches
  const warm = Math.min(jobs.length, 64);
  for (let i = 0; i < warm; i++) if (!v.verify(jobs[i]!.sig, jobs[i]!.hash, jobs[i]!.pub)) throw new Error(`${v.backend}: bench job ${i} failed to verify`);
  const t0 = process.hrtime.bigint();
  const limit = BigInt(durationMs) * 1_000_000n;
  let done = 0;
  let elapsed = 0n;
  while (elapsed < limit) {
    // check the clock every 32 verifies so timing overhead stays negligible
    for (let k = 0; k < 32; k++, done++) {
      const j = jobs[done % jobs.length]!;
      v.verify(j.sig, j.hash, j.pub);
    }
    elapsed = process.hrtime.bigint() - t0;
  }
  return done / (Number(elapsed) / 1e9);
}

async function measurePool(workers: number, backend: VerifierBackend, jobs: VerifyJob[], durationMs: number, batchSize?: number): Promise<number> {
  const pool = new VerifyPool({ workers, backend, batchSize });
  try {
    await pool.ready();
    const warm = await pool.verifyBatch(jobs);
    if (!warm.every(Boolean)) throw new Error('pool: a bench job failed to verify');
    const t0 = process.hrtime.bigint();
    const limit = BigInt(durationMs) * 1_000_000n;
    let done = 0;
    let elapsed = 0n;
    while (elapsed < limit) {
      await pool.verifyBatch(jobs);
      done += jobs.length;
      elapsed = process.hrtime.bigint() - t0;
    }
    return done / (Number(elapsed) / 1e9);
  } finally {
    await pool.close();
  }
}

const PIPE_CHAIN = 'bench-chain';
const PIPE_HRP = 'tbnb';
const PIPE_SUPPLY = 20_000_000_000_000_000n;

/** n signed one-signature BNB transfers from 64 senders (distinct sequences, so distinct hashes). */
function makeTxs(n: number): Uint8Array[] {
  const enc = new TextEncoder();
  const signer = bulkSigner();
  const privs = Array.from({ length: 64 }, (_, i) => sha256(enc.encode(`bench-tx-key-${i}`)));
  const pubs = privs.map(publicKeyFromPrivate);
  const addrs = pubs.map(addressFromPubKey);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 64;
    const msg: SendMsg = {
      type: 'cosmos-sdk/Send',
      inputs: [{ address: addrs[k]!, coins: [{ denom: 'BNB', amount: 1n }] }],
      outputs: [{ address: addrs[(k + 1) % 64]!, coins: [{ denom: 'BNB', amount: 1n }] }],
    };
    const accountNumber = BigInt(k);
    const sequence = BigInt(Math.floor(i / 64));
    const sb = stdSignBytes({ chainId: PIPE_CHAIN, accountNumber, sequence, memo: '', source: 0n, msgs: [msg], hrp: PIPE_HRP });
    const signature = signer.sign(sha256(sb), privs[k]!);
    out.push(encodeTx({ msgs: [msg], signatures: [{ pub_key: pubs[k]!, signature, account_number: accountNumber, sequence }], memo: '', source: 0n, data: new Uint8Array(0) }));
  }
  return out;
}

/**
 * One thread's `verifyPackedTxs` cost per tx (see TxWorkRow), in pool-sized packed batches;
 * best of `rounds`, each round at least `durationMs / rounds`.
 */
function measureTxWork(v: SignatureVerifier, txs: Uint8Array[], durationMs: number, batchSize = DEFAULT_BATCH_SIZE, rounds = 3): TxWorkRow {
  const chain = { chainId: PIPE_CHAIN, hrp: PIPE_HRP };
  const batches: { buf: Uint8Array; n: number; out: Int32Array }[] = [];
  for (let o = 0; o < txs.length; o += batchSize) {
    const part = txs.slice(o, o + batchSize);
    batches.push({ buf: new Uint8Array(packTxs(part)), n: part.length, out: new Int32Array(part.length) });
  }
  const real = (s: Uint8Array, h: Uint8Array, p: Uint8Array): boolean => v.verify(s, h, p);
  const accept = (): boolean => true;
  const cpu0 = mainThreadCpuNs();
  const cpuTime = cpu0 !== undefined;
  const now = (): bigint => (cpuTime ? mainThreadCpuNs()! : process.hrtime.bigint());
  const pass = (verify: typeof real): void => {
    for (const b of batches) {
      verifyPackedTxs(b.buf, b.n, chain, verify, b.out);
      if (verify === real && !b.out.every((x) => x === -1)) throw new Error('tx work: a bench tx failed to verify');
    }
  };
  const measure = (verify: typeof real): number => {
    let best = Infinity;
    const perRound = BigInt(Math.max(1, Math.floor(durationMs / rounds))) * 1_000_000n;
    for (let r = 0; r < rounds; r++) {
      const t0 = now();
      let done = 0;
      const w0 = process.hrtime.bigint();
      do {
        pass(verify);
        done += txs.length;
      } while (process.hrtime.bigint() - w0 < perRound);
      best = Math.min(best, Number(now() - t0) / 1000 / done);
    }
    return best;
  };
  pass(real); // warm-up: JIT, key and address caches
  pass(accept);
  const totalUsPerTx = measure(real);
  const restUsPerTx = measure(accept);
  return { backend: v.backend, txs: txs.length, totalUsPerTx, restUsPerTx, verifyUsPerTx: totalUsPerTx - restUsPerTx, cpuTime };
}

async function pipelineApp(pool: BatchVerifier): Promise<DexApp> {
  const treasury = encodeAddress(sha256(new TextEncoder().encode('bench-treasury')).slice(0, 20), PIPE_HRP);
  const app = new DexApp({ store: memoryStateStore(), verifier: nobleVerifier(), verifyPool: pool });
  await app.initChain({
    chain_id: PIPE_CHAIN,
    address_prefix: PIPE_HRP,
    genesis_time: '2024-01-01T00:00:00Z',
    app_state: {
      accounts: [{ address: treasury, coins: [{ denom: 'BNB', amount: PIPE_SUPPLY.toString() }] }],
      tokens: [{ name: 'BNB', symbol: 'BNB', original_symbol: 'BNB', total_supply: PIPE_SUPPLY.toString(), owner: treasury, mintable: false }],
      validators: [],
    },
  });
  return app;
}

/**
 * Rounds of `app.preverify` over all txs, in admission-sized chunks (256) issued together as
 * concurrent admission batches would be, with a cleared SigCache each round. The hashes are
 * passed in, as admission does (it hashed each tx for its duplicate check).
 */
async function measurePipeline(pool: BatchVerifier, txs: Uint8Array[], durationMs: number): Promise<{ txPerSec: number; mainUsPerTx: number; mainCpuUsPerTx?: number }> {
  const app = await pipelineApp(pool);
  const hashes = txs.map(txHashHex);
  const CHUNK = 256;
  const round = async (): Promise<void> => {
    app.sigCache.clear();
    const parts: Promise<void>[] = [];
    for (let o = 0; o < txs.length; o += CHUNK) parts.push(app.preverify(txs.slice(o, o + CHUNK), hashes.slice(o, o + CHUNK)));
    await Promise.all(parts);
  };
  await round(); // warm-up (and, on the job path, fills the decode cache as admission would)
  if (txs.some((_, i) => app.sigCache.status(hashes[i]!) !== -1)) throw new Error('pipeline: a bench tx failed to verify');
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = mainThreadCpuNs();
  const t0 = process.hrtime.bigint();
  const limit = BigInt(durationMs) * 1_000_000n;
  let done = 0;
  let elapsed = 0n;
  while (elapsed < limit) {
    await round();
    done += txs.length;
    elapsed = process.hrtime.bigint() - t0;
  }
  const elu = performance.eventLoopUtilization(elu0);
  const cpu1 = mainThreadCpuNs();
  const mainCpuUsPerTx = cpu0 !== undefined && cpu1 !== undefined ? Number(cpu1 - cpu0) / 1000 / done : undefined;
  return { txPerSec: done / (Number(elapsed) / 1e9), mainUsPerTx: (elu.active * 1000) / done, mainCpuUsPerTx };
}

export async function runVerifyBench(opts: VerifyBenchOptions = {}): Promise<VerifyBenchResult> {
  const durationMs = opts.durationMs ?? 1500;
  const log = opts.log ?? ((l: string) => console.log(l));
  const jobs = makeJobs(opts.jobs ?? 2048);

  const singles: SignatureVerifier[] = [nobleVerifier(), nodeVerifier()];
  const native = nativeVerifier();
  if (native) singles.push(native);
  else log('native libsecp256k1 binding did not load: ratios are relative to the fastest other backend');

  const rows: VerifyBenchRow[] = [];
  for (const v of singles) {
    rows.push({ name: `${v.backend} (1 thread)`, backend: v.backend, workers: 0, verifiesPerSec: measureSingle(v, jobs, durationMs), ratio: 0 });
  }
  const baseRow = rows.find((r) => r.backend === 'native') ?? rows.reduce((a, b) => (b.verifiesPerSec > a.verifiesPerSec ? b : a));
  const poolBackend: VerifierBackend = native ? 'native' : baseRow.backend;
  for (const w of opts.poolWorkers ?? [1, 2]) {
    rows.push({
      name: `pool ×${w} (${poolBackend})`,
      backend: poolBackend,
      workers: w,
      verifiesPerSec: await measurePool(w, poolBackend, jobs, durationMs, opts.batchSize),
      ratio: 0,
    });
  }
  for (const r of rows) r.ratio = r.verifiesPerSec / baseRow.verifiesPerSec;
  for (const r of rows) {
    log(`${r.name.padEnd(22)} ${Math.round(r.verifiesPerSec).toString().padStart(8)} verifies/s   ×${r.ratio.toFixed(3)} of ${baseRow.backend} single-thread`);
  }

  const pipeline: PipelineRow[] = [];
  let txWork: TxWorkRow | undefined;
  const nTxs = opts.pipelineTxs ?? 4096;
  if (nTxs > 0) {
    const w = opts.pipelineWorkers ?? 2;
    const txs = makeTxs(nTxs);
    const single = singles.find((v) => v.backend === poolBackend) ?? singles[singles.length - 1]!;
    txWork = measureTxWork(single, txs, durationMs, opts.batchSize);
    log(
      `worker work per tx (verifyPackedTxs, 1 thread, ${single.backend}): ${txWork.totalUsPerTx.toFixed(2)} µs/tx = ` +
        `verify ${txWork.verifyUsPerTx.toFixed(2)} + rest ${txWork.restUsPerTx.toFixed(2)} (decode, sign bytes, hash) ${txWork.cpuTime ? 'thread CPU' : 'wall'}, best of 3`,
    );
    const pool = new VerifyPool({ workers: w, backend: poolBackend, batchSize: opts.batchSize });
    try {
      await pool.ready();
      const variants: [string, BatchVerifier][] = [
        [`preverify pipeline: raw signed txs → verdicts, ${w} workers`, pool],
        [`preverify, job path (main thread builds sign-byte digests), ${w} workers`, { verifyBatch: (j) => pool.verifyBatch(j) }],
      ];
      for (const [name, p] of variants) {
        const m = await measurePipeline(p, txs, durationMs);
        pipeline.push({ name, workers: w, txPerSec: m.txPerSec, ratio: m.txPerSec / baseRow.verifiesPerSec, mainUsPerTx: m.mainUsPerTx, mainCpuUsPerTx: m.mainCpuUsPerTx });
      }
    } finally {
      await pool.close();
    }
    for (const r of pipeline) {
      log(`${r.name}\n  ${Math.round(r.txPerSec).toString().padStart(8)} tx/s   ×${r.ratio.toFixed(3)} of ${baseRow.backend} single-thread verifies/s   main thread ${r.mainCpuUsPerTx !== undefined ? `${r.mainCpuUsPerTx.toFixed(2)} µs/tx on-CPU, ` : ''}${r.mainUsPerTx.toFixed(2)} µs/tx busy (wall)`);
    }
  }
  return { baseline: baseRow.backend, baselinePerSec: baseRow.verifiesPerSec, rows, txWork, pipeline };
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const ms = argValue('--ms');
  const jobs = argValue('--jobs');
  const workers = argValue('--workers');
  const pipeTxs = argValue('--txs');
  const pipeWorkers = argValue('--pipeline-workers');
  runVerifyBench({
    pipelineTxs: pipeTxs ? Number(pipeTxs) : undefined,
    pipelineWorkers: pipeWorkers ? Number(pipeWorkers) : undefined,
    durationMs: ms ? Number(ms) : undefined,
    jobs: jobs ? Number(jobs) : undefined,
    poolWorkers: workers ? workers.split(',').map(Number) : undefined,
  }).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
