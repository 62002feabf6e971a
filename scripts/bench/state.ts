/**
 * State store benchmark: writes/s through tx cache → block commit (with the app hash and the
 * fsynced LevelDB batch), for blocks of 10k writes over a 1M-key state, and that rate relative to
 * raw SHA256 calls/s measured in the same run (a roughly machine-independent figure). A write
 * costs 3 hash calls (key placement, value, leaf) plus ~1.3 for its share of bucket and node
 * hashes; the rest is the cache/sorted-map work and the LevelDB batch. Observed on a shared
 * 2-core box: ~15–22k writes/s, ratio ≈ 0.01–0.05 (the SHA256 rate swings with machine load).
 *
 * `--defer` opens the store with `deferWrites` (the LevelDB batch of block N is written while
 * block N+1 runs; commit then costs the app hash and the in-memory apply). On a loaded 2-core
 * box the LevelDB batch of 10k puts alone takes 150–250 ms, so without it the commit figure is
 * mostly the disk.
 *
 *   npx tsx scripts/bench/state.ts [--keys 1000000] [--blocks 10] [--writes 10000] [--memory] [--defer]
 *   npx tsx scripts/bench/state.ts --phases [--keys 100000,1000000] [--changes 2000,10000,60000] [--rounds 3] [--memory]
 *     (stage / commit CPU µs per changed key, isolated; see runStatePhaseBench)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openStateStore, memoryStateStore, concatBytes, utf8, bigintToBytes8BE, type StateStoreImpl } from '../../src/state/index.js';
import { sha256, sha256Str } from '../../src/state/hash.js';
import { processCpuUs } from './cpu.js';

export interface StateBenchOptions {
  keys?: number;
  blocks?: number;
  writesPerBlock?: number;
  writesPerTx?: number;
  /** Use the in-memory store (no LevelDB). */
  memory?: boolean;
  /** Open the LevelDB store with deferWrites. */
  defer?: boolean;
  log?: (line: string) => void;
}

export interface StateBenchResult {
  keys: number;
  blocks: number;
  writesPerBlock: number;
  disk: boolean;
  sha256PerSec: number;
  writesPerSec: number;
  /** writesPerSec / sha256PerSec. */
  ratioToSha256: number;
  commitMsAvg: number;
  setupMs: number;
  reopenMs?: number;
}

/** Deterministic xorshift PRNG (the bench must be reproducible). */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const PREFIX = utf8('acc/');
const keyOf = (i: number) => concatBytes(PREFIX, sha256(bigintToBytes8BE(BigInt(i))).subarray(0, 20));

function valueOf(i: number, v: number): Uint8Array {
  const out = new Uint8Array(48);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, i);
  dv.setUint32(4, v);
  return out;
}

/** Raw SHA256 calls/s on 65-byte inputs, with the same primitive the store uses. */
function measureSha256(ms = 1000): number {
  const input = new Uint8Array(65);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 1000; i++) {
      input[0] = i;
      sha256Str(input);
    }
    n += 1000;
  }
  return n / ((performance.now() - t0) / 1000);
}

export async function runStateBench(opts: StateBenchOptions = {}): Promise<StateBenchResult> {
  const keys = opts.keys ?? 1_000_000;
  const blocks = opts.blocks ?? 10;
  const writesPerBlock = opts.writesPerBlock ?? 10_000;
  const writesPerTx = opts.writesPerTx ?? 10;
  const log = opts.log ?? (() => undefined);
  const disk = !opts.memory;
  const dir = disk ? mkdtempSync(path.join(tmpdir(), 'dexchain-bench-state-')) : '';
  try {
    const shaBefore = measureSha256();

    let st: StateStoreImpl = disk ? await openStateStore(dir, { deferWrites: !!opts.defer }) : memoryStateStore();
    const t0 = performance.now();
    const setupBlock = 100_000;
    let height = 0;
    for (let i = 0; i < keys; i += setupBlock) {
      const w = st.working();
      for (let j = i; j < Math.min(keys, i + setupBlock); j++) w.set(keyOf(j), valueOf(j, 0));
      await st.commit(++height);
    }
    const setupMs = performance.now() - t0;
    log(`setup: ${keys.toLocaleString()} keys in ${(setupMs / 1000).toFixed(1)} s`);

    const rnd = prng(42);
    let nextKey = keys;
    let writes = 0;
    let commitMs = 0;
    const t1 = performance.now();
    for (let b = 0; b < blocks; b++) {
      for (let done = 0; done < writesPerBlock; done += writesPerTx) {
        const c = st.cache();
        for (let j = 0; j < writesPerTx; j++) {
          // 80 % updates of existing keys, 20 % new keys
          const i = rnd() % 5 === 0 ? nextKey++ : rnd() % nextKey;
          if (st.working().get(keyOf(i)) === undefined && i < keys) throw new Error('missing key');
          c.set(keyOf(i), valueOf(i, b + 1));
          writes++;
        }
        c.write();
      }
      const tc = performance.now();
      await st.commit(++height);
      commitMs += performance.now() - tc;
    }
    const elapsed = (performance.now() - t1) / 1000;
    const writesPerSec = writes / elapsed;
    // measured before and after the blocks: on a shared machine the mean tracks the load better
    const sha256PerSec = (shaBefore + measureSha256()) / 2;
    log(`sha256 (65 B): ${Math.round(sha256PerSec).toLocaleString()} hashes/s`);
    log(`blocks: ${blocks} × ${writesPerBlock.toLocaleString()} writes → ${Math.round(writesPerSec).toLocaleString()} writes/s (commit avg ${(commitMs / blocks).toFixed(0)} ms)`);
    const result: StateBenchResult = {
      keys,
      blocks,
      writesPerBlock,
      disk,
      sha256PerSec,
      writesPerSec,
      ratioToSha256: writesPerSec / sha256PerSec,
      commitMsAvg: commitMs / blocks,
      setupMs,
    };
    log(`ratio writes/s : sha256/s = ${result.ratioToSha256.toFixed(3)}; commit ms × sha256/s / 10k writes = ${((result.commitMsAvg / 1000) * sha256PerSec / writesPerBlock).toFixed(1)} hash-equivalents per write`);
    if (disk) {
      const hash = st.appHash;
      await st.close();
      const t2 = performance.now();
      st = await openStateStore(dir);
      result.reopenMs = performance.now() - t2;
      if (Buffer.compare(st.appHash, hash) !== 0) throw new Error('reopen changed the app hash');
      log(`reopen (load + rebuild hash of ${st.committedSize.toLocaleString()} keys): ${(result.reopenMs / 1000).toFixed(1)} s`);
    }
    await st.close();
    return result;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

export interface PhaseResult {
  keys: number;
  changes: number;
  disk: boolean;
  /** Main-process CPU µs per changed key (median of the rounds). */
  stageUsPerKey: number;
  commitUsPerKey: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Waits for a deferred LevelDB batch (so its thread-pool CPU is not charged to the next phase). */
async function settle(st: StateStoreImpl): Promise<void> {
  const s = st as unknown as { flushed?: () => Promise<void>; writing?: Promise<void> };
  if (s.flushed) await s.flushed();
  else if (s.writing) await s.writing;
}

/**
 * Stage (computeHash) and commit cost per changed key, isolated: for each state size, blocks of
 * 2k / 10k / 60k changed keys (75 % updates, 20 % new keys, 5 % deletes), CPU time from
 * process.cpuUsage. On disk the store runs with deferWrites and each measurement starts after the
 * previous batch reached LevelDB, so `commit` is the main-thread part: building the batch and
 * applying the staged tree and the data (the LevelDB write itself runs on the thread pool).
 */
export async function runStatePhaseBench(opts: { keys?: number[]; changes?: number[]; rounds?: number; memory?: boolean; log?: (l: string) => void } = {}): Promise<PhaseResult[]> {
  const log = opts.log ?? (() => undefined);
  const out: PhaseResult[] = [];
  const disk = !opts.memory;
  for (const keys of opts.keys ?? [100_000, 1_000_000]) {
    const dir = disk ? mkdtempSync(path.join(tmpdir(), 'dexchain-bench-phase-')) : '';
    try {
      const st: StateStoreImpl = disk ? await openStateStore(dir, { deferWrites: true, sync: false }) : memoryStateStore();
      let height = 0;
      for (let i = 0; i < keys; i += 100_000) {
        const w = st.working();
        for (let j = i; j < Math.min(keys, i + 100_000); j++) w.set(keyOf(j), valueOf(j, 0));
        await st.commit(++height);
      }
      await settle(st);
      const live = new Set<number>();
      for (let i = 0; i < keys; i++) live.add(i);
      const liveArr = [...live];
      let nextKey = keys;
      const rnd = prng(7);
      for (const changes of opts.changes ?? [2_000, 10_000, 60_000]) {
        const stage: number[] = [];
        const commit: number[] = [];
        for (let r = -1; r < (opts.rounds ?? 3); r++) {
          // round -1 warms the JIT and is not counted
          const w = st.working();
          for (let n = 0; n < changes; n++) {
            const x = rnd() % 100;
            if (x < 20) {
              const i = nextKey++;
              liveArr.push(i);
              w.set(keyOf(i), valueOf(i, height));
            } else {
              const pos = rnd() % liveArr.length;
              const i = liveArr[pos]!;
              if (x < 25) {
                liveArr[pos] = liveArr[liveArr.length - 1]!;
                liveArr.pop();
                w.delete(keyOf(i));
              } else w.set(keyOf(i), valueOf(i, height + 1));
            }
          }
          const n = st.pendingWrites;
          await settle(st);
          (globalThis as { gc?: () => void }).gc?.();
          await new Promise((r) => setTimeout(r, 100)); // let concurrent sweeping finish
          let t = processCpuUs();
          st.computeHash();
          const ts = (processCpuUs() - t) / n;
          t = processCpuUs();
          await st.commit(++height);
          const tc = (processCpuUs() - t) / n;
          if (r >= 0) {
            stage.push(ts);
            commit.push(tc);
          }
          await settle(st);
        }
        const res: PhaseResult = { keys, changes, disk, stageUsPerKey: median(stage), commitUsPerKey: median(commit) };
        out.push(res);
        log(`${keys.toLocaleString()} keys, ${changes.toLocaleString()} changed: stage ${res.stageUsPerKey.toFixed(2)} µs/key, commit ${res.commitUsPerKey.toFixed(2)} µs/key  [stage ${stage.map((x) => x.toFixed(2)).join(' ')}; commit ${commit.map((x) => x.toFixed(2)).join(' ')}]`);
      }
      await st.close();
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  if (process.argv.includes('--phases')) {
    const list = (name: string) => {
      const i = process.argv.indexOf(`--${name}`);
      return i >= 0 ? process.argv[i + 1]!.split(',').map(Number) : undefined;
    };
    await runStatePhaseBench({ keys: list('keys'), changes: list('changes'), rounds: arg('rounds'), memory: process.argv.includes('--memory'), log: (l) => console.log(l) });
    process.exit(0);
  }
  const r = await runStateBench({
    keys: arg('keys'),
    blocks: arg('blocks'),
    writesPerBlock: arg('writes'),
    memory: process.argv.includes('--memory'),
    defer: process.argv.includes('--defer'),
    log: (l) => console.log(l),
  });
  console.log(JSON.stringify(r));
}
