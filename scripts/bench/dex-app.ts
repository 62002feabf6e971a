/**
 * In-process DEX order throughput: blocks of N crossing signed NewOrder txs through checkTx +
 * finalizeBlock (EndBlock auction) + commit on one app, reported as orders/s (wall) and CPU-µs
 * per order (`process.cpuUsage`, steadier than wall time on a shared machine). Half of each
 * round of senders buys, half sells, all at the list price and one lot, so every order crosses
 * (the shape of `scripts/bench/orders.ts`, without the node, RPC and signature workers).
 *
 *   npx tsx scripts/bench/dex-app.ts [--blocks 6] [--block-txs 2000] [--senders 500] [--leveldb] [--runs 1]
 *
 * `--digest` prints a hash over every block's app hash, tx results and events (to check that an
 * optimisation changes no result). Signing happens before timing; the first block is a warm-up on a throwaway app.
 * `--cpu-prof FILE` / `--heap-prof FILE` profile the measured runs only (not signing or warm-up;
 * `preverify` is its own subtree to leave out), for `cpuprofile` / `heapprofile` summarisers.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { pathToFileURL } from 'node:url';
import { encodeAddress } from '../../src/codec/index.js';
import type { NewOrderMsg } from '../../src/codec/types.js';
import { sha256, toHex } from '../../src/crypto/hash.js';
import { createVerifier } from '../../src/crypto/verifier.js';
import { memoryStateStore } from '../../src/state/index.js';
import type { StateStore } from '../../src/state/types.js';
import { DexApp } from '../../src/app/app.js';
import { onDisk } from './tmp-state.js';
import { allocMeter, chainDigest, digestJson } from './app.js';
import { makeSenders, signer, signRoundRobin, type BenchSender } from './sign-blocks.js';
import { processCpuUs } from './cpu.js';

const CHAIN_ID = 'bench-dex';
const HRP = 'tbnb';
const SUPPLY = 20_000_000_000_000_000n;
const TOKEN = 'XYZ-000';
const PAIR = `${TOKEN}_BNB`;
const PRICE = 100_000_000n;
const LOT = 100_000_000n;

type Sender = BenchSender;


function genesis(senders: Sender[]): unknown {
  const each = 1_000_000_000_000n;
  const tokenEach = 1_000_000_000_000n;
  const treasury = sha256(new TextEncoder().encode('bench-dex-treasury')).slice(0, 20);
  const n = BigInt(senders.length);
  return {
    chain_id: CHAIN_ID,
    address_prefix: HRP,
    genesis_time: '2024-01-01T00:00:00Z',
    app_state: {
      accounts: [
        ...senders.map((s) => ({
          address: encodeAddress(s.addr, HRP),
          coins: [
            { denom: 'BNB', amount: each.toString() },
            { denom: TOKEN, amount: tokenEach.toString() },
          ],
        })),
        { address: encodeAddress(treasury, HRP), coins: [{ denom: 'BNB', amount: (SUPPLY - each * n).toString() }] },
      ],
      tokens: [
        { name: 'BNB', symbol: 'BNB', original_symbol: 'BNB', total_supply: SUPPLY.toString(), owner: encodeAddress(treasury, HRP), mintable: false },
        { name: 'XYZ', symbol: TOKEN, original_symbol: 'XYZ', total_supply: (tokenEach * n).toString(), owner: encodeAddress(treasury, HRP), mintable: false },
      ],
      validators: [],
      dex: { pairs: [{ base_asset_symbol: TOKEN, quote_asset_symbol: 'BNB', list_price: PRICE.toString() }] },
    },
  };
}

/** Round-robin over senders; side flips every full round, so each block has as many buys as sells. */
function signAll(senders: Sender[], blocks: number, blockTxs: number): Uint8Array[][] {
  return signRoundRobin(senders, blocks, blockTxs, { chainId: CHAIN_ID, hrp: HRP }, (si, n, sequence): NewOrderMsg => {
    const s = senders[si]!;
    return {
      type: 'dex/NewOrder',
      sender: s.addr,
      id: `${toHex(s.addr).toUpperCase()}-${sequence + 1n}`,
      symbol: PAIR,
      ordertype: 2,
      side: Math.floor(n / senders.length) % 2 === 0 ? 1 : 2,
      price: PRICE,
      quantity: LOT,
      timeinforce: 1,
    };
  });
}


interface Times {
  wallMs: number;
  cpuUs: number;
  checkCpuUs: number;
  finalizeCpuUs: number;
  commitCpuUs: number;
  orders: number;
  trades: number;
  /** main-thread bytes allocated during checkTx + finalizeBlock + commit */
  allocBytes: number;
  /** sha256 chain over every checkTx result (`--digest`). */
  checkDigest: string;
  /** sha256 chain over each block's app hash, tx results and events (`--digest`: results unchanged?). */
  digest: string;
  /** Keys in the committed state at the end, and at the start (after genesis). */
  stateKeys: number;
  stateKeysAtStart: number;
  /** Heap in use at the end after a full GC, and at the start (only with node's `--expose-gc`). */
  heapBytes: number;
  heapBytesAtStart: number;
}

/** Heap in use after a full collection (0 without `--expose-gc`). */
function liveHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return 0;
  gc();
  return process.memoryUsage().heapUsed;
}

const keysOf = (store: StateStore): number => (store as { committedSize?: number }).committedSize ?? 0;

async function runOn(store: StateStore, senders: Sender[], blocks: Uint8Array[][]): Promise<Times> {
  const app = new DexApp({ store, verifier: createVerifier() });
  await app.initChain(genesis(senders));
  const proposer = new Uint8Array(20);
  let timeMs = Date.parse('2024-01-01T00:00:01Z');
  const t: Times = {
    wallMs: 0,
    cpuUs: 0,
    checkCpuUs: 0,
    finalizeCpuUs: 0,
    commitCpuUs: 0,
    orders: 0,
    trades: 0,
    digest: '',
    allocBytes: 0,
    checkDigest: '',
    stateKeys: 0,
    stateKeysAtStart: keysOf(store),
    heapBytes: 0,
    heapBytesAtStart: liveHeap(),
  };
  const digestOn = process.argv.includes('--digest');
  let digest: Uint8Array = new Uint8Array(32);
  let checkDigest: Uint8Array = new Uint8Array(32);
  for (let i = 0; i < blocks.length; i++) {
    const txs = blocks[i]!;
    // signatures are verified once here, outside the timing (a node verifies on worker threads)
    await app.preverify(txs);
    const checks: unknown[] | undefined = digestOn ? [] : undefined;
    const meter = allocMeter();
    const t0 = performance.now();
    const c0 = processCpuUs();
    for (const tx of txs) {
      const r = app.checkTx(tx, 'new');
      if (r.code !== 0) throw new Error(`checkTx failed: ${r.log}`);
      checks?.push(r);
    }
    const c1 = processCpuUs();
    const res = app.finalizeBlock({ height: i + 1, timeMs, proposerAddress: proposer, txs, lastCommitVotes: [], misbehavior: [], hash: toHex(sha256(Uint8Array.of(i))).toUpperCase() });
    for (const r of res.txResults) if (r.code !== 0) throw new Error(`deliverTx failed: ${r.log}`);
    const c2 = processCpuUs();
    const committed = await app.commit();
    const c3 = processCpuUs();
    t.allocBytes += meter.stop();
    if (digestOn) {
      checkDigest = chainDigest(checkDigest, digestJson(checks));
      t.checkDigest = toHex(checkDigest);
      digest = chainDigest(digest, digestJson({ r: res.txResults, e: res.events, h: toHex(res.appHash), c: toHex(committed.appHash) }));
      t.digest = toHex(digest);
    }
    t.wallMs += performance.now() - t0;
    t.cpuUs += c3 - c0;
    t.checkCpuUs += c1 - c0;
    t.finalizeCpuUs += c2 - c1;
    t.commitCpuUs += c3 - c2;
    t.orders += txs.length;
    t.trades += res.events.filter((e) => e.type === 'dex_trade').length;
    timeMs += 1000;
  }
  t.stateKeys = keysOf(store);
  t.heapBytes = liveHeap();
  return t;
}


function arg(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : undefined;
}

function argStr(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** CPU profile and/or heap sampling through the inspector, from `start` to `stop` (writes the files). */
async function profiler(cpuFile: string | undefined, heapFile: string | undefined): Promise<{ stop(): Promise<void> }> {
  if (!cpuFile && !heapFile) return { stop: async () => undefined };
  const s = new Session();
  s.connect();
  if (cpuFile) {
    await s.post('Profiler.enable');
    await s.post('Profiler.start');
  }
  if (heapFile) {
    await s.post('HeapProfiler.enable');
    await s.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  return {
    async stop() {
      if (cpuFile) writeFileSync(cpuFile, JSON.stringify((await s.post('Profiler.stop')).profile));
      if (heapFile) writeFileSync(heapFile, JSON.stringify((await s.post('HeapProfiler.stopSampling')).profile));
      s.disconnect();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const blocks = arg('--blocks') ?? 6;
  const blockTxs = arg('--block-txs') ?? 2000;
  const senders = makeSenders(Math.min(arg('--senders') ?? 500, blockTxs), 'bench-dex-sender');
  const leveldb = process.argv.includes('--leveldb');
  console.log(`signing ${(blocks + 1) * blockTxs} orders from ${senders.length} senders (${signer.backend})…`);
  const signed = signAll(senders, blocks + 1, blockTxs);
  await runOn(memoryStateStore(), senders, signed.slice(0, 1)); // JIT warm-up
  const run = (store: StateStore) => runOn(store, senders, signed.slice(0, blocks));
  const prof = await profiler(argStr('--cpu-prof'), argStr('--heap-prof'));
  // `--runs N`: N runs on fresh apps (the machine is shared and noisy: take the best)
  for (let r = 0; r < (arg('--runs') ?? 1); r++) {
    const t = leveldb ? await onDisk(run, 'dexchain-bench-dex-') : await run(memoryStateStore());
    const per = (us: number) => (us / t.orders).toFixed(1);
    console.log(
      `${leveldb ? 'LevelDB' : 'memory'} store, ${blocks} blocks × ${blockTxs} orders (${t.trades} trades): ` +
        `${(t.orders / (t.wallMs / 1000)).toFixed(0)} orders/s wall, ${(t.orders / (t.cpuUs / 1e6)).toFixed(0)} orders per CPU-second`,
    );
    if (t.digest) console.log(`digest (app hashes, tx results, events): ${t.digest}`);
    if (t.checkDigest) console.log(`checkTx digest (codes, logs, fees, senders): ${t.checkDigest}`);
    // What the run leaves in memory: open orders, accounts and pairs (closed orders and trades leave
    // with each block's results for the node's history index, so they stay out of this count).
    const heap = t.heapBytes > 0 ? `, live heap +${((t.heapBytes - t.heapBytesAtStart) / t.orders).toFixed(0)} bytes/order` : ' (node --expose-gc adds the live heap)';
    console.log(`retained: ${t.stateKeys - t.stateKeysAtStart} state keys for ${t.orders} orders and ${t.trades} trades${heap}`);
    console.log(`CPU µs/order: total ${per(t.cpuUs)} = checkTx ${per(t.checkCpuUs)} + finalizeBlock ${per(t.finalizeCpuUs)} + commit ${per(t.commitCpuUs)}; ${(t.allocBytes / t.orders / 1024).toFixed(2)} KB allocated/order (main thread)`);
  }
  await prof.stop();
}
