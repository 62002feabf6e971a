/**
 * Signature verification benchmark: secp256k1 verifies/s for each single-thread backend (noble,
 * node:crypto, native libsecp256k1) and for the worker pool with 1 and 2 workers, each printed
 * with its ratio to the native single-thread rate measured in the same run (machine-independent:
 * expect noble ≈ 0.05, node ≈ 0.08 on the digest path, pool×1 ≈ 0.9–1, pool×2 ≈ 1.6–2 on ≥ 2
 * free cores).
 *
 *   npx tsx scripts/bench/verify.ts [--ms 1500] [--jobs 2048] [--workers 1,2]
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sha256 } from '../../src/crypto/hash.js';
import { publicKeyFromPrivate, signHash } from '../../src/crypto/secp256k1.js';
import { nobleVerifier, nodeVerifier, nativeVerifier, type SignatureVerifier, type VerifierBackend } from '../../src/crypto/verifier.js';
import { VerifyPool, type VerifyJob } from '../../src/crypto/pool.js';

export interface VerifyBenchOptions {
  /** Time spent per measurement (after a warm-up). Default 1500 ms. */
  durationMs?: number;
  /** Distinct signed jobs (64 keys, many digests). Default 2048. */
  jobs?: number;
  /** Pool widths to measure. Default [1, 2]. */
  poolWorkers?: number[];
  /** Pool batch size (default: the pool's own default). */
  batchSize?: number;
  log?: (line: string) => void;
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

export interface VerifyBenchResult {
  baseline: VerifierBackend;
  baselinePerSec: number;
  rows: VerifyBenchRow[];
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
  return { baseline: baseRow.backend, baselinePerSec: baseRow.verifiesPerSec, rows };
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const ms = argValue('--ms');
  const jobs = argValue('--jobs');
  const workers = argValue('--workers');
  runVerifyBench({
    durationMs: ms ? Number(ms) : undefined,
    jobs: jobs ? Number(jobs) : undefined,
    poolWorkers: workers ? workers.split(',').map(Number) : undefined,
  }).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
