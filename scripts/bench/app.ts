/**
 * App throughput: signed BNB transfers per second through checkTx + finalizeBlock + commit
 * (blocks of 5,000 by default), next to the raw signature verifies per second of the same
 * verifier backend measured in the same run. Three figures:
 *
 *  - inline (memory, LevelDB): checkTx verifies each signature on the main thread (the path of
 *    a node without the admission pipeline); deliverTx hits the signature cache.
 *  - pre-verified app path (memory, LevelDB): each block's txs first go through
 *    `app.preverify` on a VerifyPool (timed apart: that is the admission stage, on the worker
 *    threads), then checkTx + finalizeBlock + commit, which verify and decode nothing.
 *  - pipeline: the same with the preverify time counted (2 workers verifying, the main thread
 *    decoding and hashing sign bytes), i.e. what one node process sustains end to end.
 *
 * Each tx/s is also given per CPU-second of the process (`process.cpuUsage`), which is steadier
 * than wall time on a shared machine, and as a ratio to raw verifies/s of the same run.
 *
 *   npx tsx scripts/bench/app.ts [--blocks 4] [--block-txs 5000] [--senders 1000] [--workers 2]
 *   npx tsx scripts/bench/app.ts --quick [--runs 3] [--digest]
 *
 * `--quick` runs only the pre-verified memory-store path, `--runs` times over fresh apps, and
 * prints CPU-µs per tx (checkTx / finalizeBlock / commit) and bytes allocated per tx on the main
 * thread (from the GC profiler); `--digest` adds a hash over every checkTx result and every
 * block's tx results, events and app hash (to check that an optimisation changes no result).
 *
 * Signing happens before timing (native libsecp256k1 when it loads). Each run builds a fresh
 * app (own signature and decode caches).
 */
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { encodeAddress, txSignBytes, decodeTx } from '../../src/codec/index.js';
import type { SendMsg } from '../../src/codec/types.js';
import { sha256 } from '../../src/crypto/hash.js';
import { createVerifier, type SignatureVerifier } from '../../src/crypto/verifier.js';
import { VerifyPool } from '../../src/crypto/pool.js';
import { memoryStateStore } from '../../src/state/index.js';
import type { StateStore } from '../../src/state/types.js';
import { DexApp } from '../../src/app/app.js';
import { onDisk } from './tmp-state.js';
import { makeSenders, signer, signRoundRobin, type BenchSender } from './sign-blocks.js';
import { processCpuUs } from './cpu.js';

const CHAIN_ID = 'bench-chain';
const HRP = 'tbnb';
const SUPPLY = 20_000_000_000_000_000n;

export interface AppBenchOptions {
  blocks?: number;
  blockTxs?: number;
  senders?: number;
  workers?: number;
  log?: (line: string) => void;
}

export interface Rate {
  txPerSec: number;
  /** txPerSec / raw verifies per second (same run). */
  ratio: number;
  /** Transfers per CPU-second of this process. */
  txPerCpuSec: number;
}

export interface AppBenchResult {
  backend: string;
  rawVerifiesPerSec: number;
  /** Inline verification in checkTx (kept under the old names for run-all). */
  memory: Rate;
  leveldb: Rate;
  /** checkTx + finalizeBlock + commit after preverify (the target figure). */
  preverifiedMemory: Rate;
  preverifiedLeveldb: Rate;
  /** preverify on the pool + the app path, LevelDB. */
  pipelineLeveldb: Rate;
  workers: number;
  txs: number;
}

type Sender = BenchSender;


function genesis(senders: Sender[]): unknown {
  const each = 1_000_000_000_000n;
  const treasury = sha256(new TextEncoder().encode('bench-treasury')).slice(0, 20);
  const rest = SUPPLY - each * BigInt(senders.length);
  return {
    chain_id: CHAIN_ID,
    address_prefix: HRP,
    genesis_time: '2024-01-01T00:00:00Z',
    app_state: {
      accounts: [
        ...senders.map((s) => ({ address: encodeAddress(s.addr, HRP), coins: [{ denom: 'BNB', amount: each.toString() }] })),
        { address: encodeAddress(treasury, HRP), coins: [{ denom: 'BNB', amount: rest.toString() }] },
      ],
      tokens: [{ name: 'BNB', symbol: 'BNB', original_symbol: 'BNB', total_supply: SUPPLY.toString(), owner: encodeAddress(treasury, HRP), mintable: false }],
      validators: [],
    },
  };
}

/** blocks × blockTxs signed transfers, round-robin over the senders (account number = index). */
function signAll(senders: Sender[], blocks: number, blockTxs: number): Uint8Array[][] {
  return signRoundRobin(senders, blocks, blockTxs, { chainId: CHAIN_ID, hrp: HRP }, (si): SendMsg => ({
    type: 'cosmos-sdk/Send',
    inputs: [{ address: senders[si]!.addr, coins: [{ denom: 'BNB', amount: 1n }] }],
    outputs: [{ address: senders[(si + 1) % senders.length]!.addr, coins: [{ denom: 'BNB', amount: 1n }] }],
  }));
}

function rawVerifyRate(verifier: SignatureVerifier, txs: Uint8Array[]): number {
  const jobs = txs.map((t) => {
    const d = decodeTx(t).tx;
    const sig = d.signatures[0]!;
    return { sig: sig.signature, hash: sha256(txSignBytes(d, sig, CHAIN_ID, HRP)), pub: sig.pub_key };
  });
  const t0 = performance.now();
  for (const j of jobs) if (!verifier.verify(j.sig, j.hash, j.pub)) throw new Error('bench signature does not verify');
  return jobs.length / ((performance.now() - t0) / 1000);
}

interface RunTimes {
  /** wall ms of checkTx + finalizeBlock + commit */
  appMs: number;
  appCpuMs: number;
  checkCpuMs: number;
  finalizeCpuMs: number;
  /** main-thread bytes allocated during checkTx + finalizeBlock + commit */
  allocBytes: number;
  /** sha256 chain over checkTx results and each block's results, events and app hash ('' unless asked) */
  digest: string;
  /** wall ms of preverify (0 when inline) */
  verifyMs: number;
  verifyCpuMs: number;
  txs: number;
}

const cpuMs = (): number => processCpuUs() / 1000;

/**
 * Bytes allocated on this thread's heap while it runs: heap growth between GCs, summed (the GC
 * profiler gives the used size before and after each collection).
 */
export function allocMeter(): { stop(): number } {
  const prof = new v8.GCProfiler();
  const start = v8.getHeapStatistics().used_heap_size;
  prof.start();
  return {
    stop(): number {
      const end = v8.getHeapStatistics().used_heap_size;
      const r = prof.stop();
      let prev = start;
      let total = 0;
      for (const s of r.statistics) {
        const before = (s.beforeGC.heapStatistics as unknown as { usedHeapSize: number }).usedHeapSize;
        const after = (s.afterGC.heapStatistics as unknown as { usedHeapSize: number }).usedHeapSize;
        total += before - prev;
        prev = after;
      }
      return total + end - prev;
    },
  };
}

/** JSON of results with bigints and bytes spelled out (for digests). */
export function digestJson(x: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)));
}

/** sha256(prev ‖ json): one link of a results digest chain. */
export function chainDigest(prev: Uint8Array, json: Uint8Array): Uint8Array {
  const b = new Uint8Array(prev.length + json.length);
  b.set(prev, 0);
  b.set(json, prev.length);
  return sha256(b);
}

async function runOn(store: StateStore, verifier: SignatureVerifier, senders: Sender[], blocks: Uint8Array[][], pool?: VerifyPool, digestOn = false): Promise<RunTimes> {
  const app = new DexApp({ store, verifier, verifyPool: pool });
  await app.initChain(genesis(senders));
  const proposer = new Uint8Array(20);
  let timeMs = Date.parse('2024-01-01T00:00:01Z');
  const t: RunTimes = { appMs: 0, appCpuMs: 0, checkCpuMs: 0, finalizeCpuMs: 0, allocBytes: 0, digest: '', verifyMs: 0, verifyCpuMs: 0, txs: 0 };
  let digest: Uint8Array = new Uint8Array(32);
  for (let i = 0; i < blocks.length; i++) {
    const txs = blocks[i]!;
    if (pool) {
      const v0 = performance.now();
      const c0 = cpuMs();
      await app.preverify(txs);
      t.verifyMs += performance.now() - v0;
      t.verifyCpuMs += cpuMs() - c0;
    }
    const checks: unknown[] | undefined = digestOn ? [] : undefined;
    const meter = allocMeter();
    const t0 = performance.now();
    const c0 = cpuMs();
    for (const tx of txs) {
      const r = app.checkTx(tx, 'new');
      if (r.code !== 0) throw new Error(`checkTx failed: ${r.log}`);
      checks?.push(r);
    }
    const c1 = cpuMs();
    const res = app.finalizeBlock({ height: i + 1, timeMs, proposerAddress: proposer, txs, lastCommitVotes: [], misbehavior: [], hash: '' });
    for (const r of res.txResults) if (r.code !== 0) throw new Error(`deliverTx failed: ${r.log}`);
    const c2 = cpuMs();
    const committed = await app.commit();
    t.appMs += performance.now() - t0;
    const c3 = cpuMs();
    t.allocBytes += meter.stop();
    t.appCpuMs += c3 - c0;
    t.checkCpuMs += c1 - c0;
    t.finalizeCpuMs += c2 - c1;
    t.txs += txs.length;
    if (digestOn) {
      digest = chainDigest(digest, digestJson({ k: checks, r: res.txResults, e: res.events, h: res.appHash, c: committed.appHash }));
      t.digest = Buffer.from(digest).toString('hex');
    }
    timeMs += 1000;
  }
  return t;
}


export async function runAppBench(o: AppBenchOptions = {}): Promise<AppBenchResult> {
  const blocks = o.blocks ?? 4;
  const blockTxs = o.blockTxs ?? 5000;
  const workers = o.workers ?? 2;
  const log = o.log ?? ((l: string) => console.log(l));
  const senders = makeSenders(Math.min(o.senders ?? 1000, blockTxs), 'bench-sender');
  log(`signing ${blocks * blockTxs} transfers from ${senders.length} senders (${signer.backend})…`);
  const signed = signAll(senders, blocks, blockTxs);
  const verifier = createVerifier();
  const raw = rawVerifyRate(verifier, signed.flat());
  log(`verifier backend ${verifier.backend}: ${raw.toFixed(0)} raw verifies/s (1 thread)`);
  const rate = (n: number, ms: number, cpu: number): Rate => ({ txPerSec: n / (ms / 1000), ratio: n / (ms / 1000) / raw, txPerCpuSec: n / (cpu / 1000) });
  const show = (label: string, r: Rate): void =>
    log(`${label.padEnd(44)} ${r.txPerSec.toFixed(0).padStart(7)} tx/s  ${r.ratio.toFixed(3)} × raw verify  (${r.txPerCpuSec.toFixed(0)} tx per CPU-second)`);

  // JIT warm-up on a throwaway store (first block only), so the first measured store is not penalised
  await runOn(memoryStateStore(), verifier, senders, signed.slice(0, 1));
  const memIn = await runOn(memoryStateStore(), verifier, senders, signed);
  const memory = rate(memIn.txs, memIn.appMs, memIn.appCpuMs);
  show('inline verify, memory store', memory);
  const lvlIn = await onDisk((st) => runOn(st, verifier, senders, signed), 'dexchain-bench-app-');
  const leveldb = rate(lvlIn.txs, lvlIn.appMs, lvlIn.appCpuMs);
  show('inline verify, LevelDB store', leveldb);

  const pool = new VerifyPool({ workers });
  try {
    await pool.ready();
    await runOn(memoryStateStore(), verifier, senders, signed.slice(0, 1), pool);
    const memPre = await runOn(memoryStateStore(), verifier, senders, signed, pool);
    const preverifiedMemory = rate(memPre.txs, memPre.appMs, memPre.appCpuMs);
    show('pre-verified app path, memory store', preverifiedMemory);
    const lvlPre = await onDisk((st) => runOn(st, verifier, senders, signed, pool), 'dexchain-bench-app-');
    const preverifiedLeveldb = rate(lvlPre.txs, lvlPre.appMs, lvlPre.appCpuMs);
    show('pre-verified app path, LevelDB store', preverifiedLeveldb);
    // the main thread's CPU only: the workers' CPU is in cpuUsage too, so count wall time here
    const pipelineLeveldb = rate(lvlPre.txs, lvlPre.appMs + lvlPre.verifyMs, lvlPre.appCpuMs + lvlPre.verifyCpuMs);
    show(`pipeline (${workers} verify workers + app), LevelDB`, pipelineLeveldb);
    log(`  preverify: ${((lvlPre.verifyMs * 1000) / lvlPre.txs).toFixed(1)} µs/tx wall; app path ${((lvlPre.appMs * 1000) / lvlPre.txs).toFixed(1)} µs/tx`);
    return { backend: verifier.backend, rawVerifiesPerSec: raw, memory, leveldb, preverifiedMemory, preverifiedLeveldb, pipelineLeveldb, workers, txs: blocks * blockTxs };
  } finally {
    await pool.close();
  }
}

/** Sampling heap profile including objects already collected (all allocations, not just live ones). */
async function heapSampling(): Promise<{ stop(file: string): Promise<void> }> {
  const { Session } = await import('node:inspector');
  const { writeFileSync } = await import('node:fs');
  const s = new Session();
  s.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((res, rej) => s.post(method, params ?? {}, (e: Error | null, r?: unknown) => (e ? rej(e) : res(r))));
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return {
    async stop(file: string): Promise<void> {
      const r = (await post('HeapProfiler.stopSampling')) as { profile: unknown };
      writeFileSync(file, JSON.stringify(r.profile));
      s.disconnect();
    },
  };
}

/** The pre-verified memory-store path only, `runs` times: CPU-µs and bytes allocated per tx. */
async function quickBench(o: AppBenchOptions & { runs?: number; digest?: boolean }): Promise<void> {
  const blocks = o.blocks ?? 4;
  const blockTxs = o.blockTxs ?? 5000;
  const senders = makeSenders(Math.min(o.senders ?? 1000, blockTxs), 'bench-sender');
  const signed = signAll(senders, blocks, blockTxs);
  const verifier = createVerifier();
  const pool = new VerifyPool({ workers: o.workers ?? 2 });
  try {
    await pool.ready();
    await runOn(memoryStateStore(), verifier, senders, signed.slice(0, 1), pool); // JIT warm-up
    const heapOut = process.env.BENCH_HEAP_PROFILE; // sampled allocations of the measured runs only
    const session = heapOut ? await heapSampling() : undefined;
    let best = Infinity;
    for (let r = 0; r < (o.runs ?? 3); r++) {
      const t = await runOn(memoryStateStore(), verifier, senders, signed, pool, o.digest);
      const per = (ms: number): string => ((ms * 1000) / t.txs).toFixed(1);
      best = Math.min(best, (t.appCpuMs * 1000) / t.txs);
      console.log(
        `run ${r + 1}: CPU µs/tx ${per(t.appCpuMs)} = checkTx ${per(t.checkCpuMs)} + finalizeBlock ${per(t.finalizeCpuMs)} + commit ${per(t.appCpuMs - t.checkCpuMs - t.finalizeCpuMs)}; ` +
          `${(t.allocBytes / t.txs / 1024).toFixed(2)} KB allocated/tx (main thread)` +
          (t.digest ? `; digest ${t.digest}` : ''),
      );
    }
    console.log(`best CPU µs/tx: ${best.toFixed(1)}`);
    if (session && heapOut) await session.stop(heapOut);
  } finally {
    await pool.close();
  }
}

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv.includes('--quick')) {
  quickBench({ blocks: arg('--blocks'), blockTxs: arg('--block-txs'), senders: arg('--senders'), workers: arg('--workers'), runs: arg('--runs'), digest: process.argv.includes('--digest') }).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runAppBench({ blocks: arg('--blocks'), blockTxs: arg('--block-txs'), senders: arg('--senders'), workers: arg('--workers') }).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
