/**
 * Match-engine benchmark: one block = 1k new crossing orders inserted into a book of 10k resting
 * orders, then one `match`. Prints matches/s and the ratio to a reference measured in the same
 * run (sorting 11k bigints), so results compare across machines.
 *
 *   npx tsx scripts/bench/match.ts [blocks] [--quick]
 *
 * `runMatchScaleBench` measures orders matched per second against 10k, 100k and 1M resting orders.
 */
import { pathToFileURL } from 'node:url';
import { BUY, SELL, OrderBook, match, type Side } from '../../src/modules/dex/match/index.js';

export interface MatchBenchOptions {
  /** Measured blocks (default 30). */
  blocks?: number;
  /** Resting orders in the book before each block (default 10,000). */
  resting?: number;
  /** New orders per block (default 1,000). */
  perBlock?: number;
  seed?: number;
}

export interface MatchBenchResult {
  blocks: number;
  resting: number;
  perBlock: number;
  /** Blocks (insert + match) per second. */
  matchesPerSec: number;
  msPerMatch: number;
  /** Time of the match call alone, per block. */
  msMatchOnly: number;
  avgTrades: number;
  /** Reference: one sort of resting+perBlock random bigints. */
  refMsPerSort: number;
  /** msPerMatch / refMsPerSort (lower is better). */
  ratio: number;
}

/** Small seeded PRNG (mulberry32): the benchmark must be repeatable, not secure. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MID = 100_000_000n; // price 1.0
const TICK = 1_000n; // calcTickSize(1e8)
const LOT = 100_000n; // calcLotSize(1e8)

function restingBook(n: number, rnd: () => number): OrderBook {
  const book = new OrderBook();
  for (let i = 0; i < n; i++) {
    const side: Side = i % 2 === 0 ? BUY : SELL;
    const away = BigInt(1 + Math.floor(rnd() * 500)) * TICK;
    const price = side === BUY ? MID - away : MID + away;
    book.insert({ id: `r${i}`, side, price, qty: BigInt(1 + Math.floor(rnd() * 50)) * LOT, time: 1 });
  }
  return book;
}

interface NewOrder {
  id: string;
  side: Side;
  price: bigint;
  qty: bigint;
}

function newOrders(block: number, n: number, rnd: () => number): NewOrder[] {
  const out: NewOrder[] = [];
  for (let i = 0; i < n; i++) {
    const side: Side = rnd() < 0.5 ? BUY : SELL;
    // mostly aggressive: up to 100 ticks through the mid, some passive
    const ticks = BigInt(Math.floor(rnd() * 120) - 20) * TICK;
    const price = side === BUY ? MID + ticks : MID - ticks;
    out.push({ id: `n${block}-${i}`, side, price, qty: BigInt(1 + Math.floor(rnd() * 50)) * LOT });
  }
  return out;
}

export function runMatchBench(opts: MatchBenchOptions = {}): MatchBenchResult {
  const blocks = opts.blocks ?? 30;
  const resting = opts.resting ?? 10_000;
  const perBlock = opts.perBlock ?? 1_000;
  const rnd = prng(opts.seed ?? 42);
  const base = restingBook(resting, rnd);
  const inputs = Array.from({ length: blocks + 3 }, (_, b) => newOrders(b, perBlock, rnd));

  let total = 0;
  let matchOnly = 0;
  let trades = 0;
  // untimed: every block starts from its own copy of the same resting book, made up front so
  // the copying garbage does not land in the measured region
  const books = inputs.map(() => base.clone());
  for (let b = 0; b < inputs.length; b++) {
    const book = books[b]!;
    const t0 = performance.now();
    for (const o of inputs[b]!) book.insert({ ...o, time: 2 });
    const t1 = performance.now();
    const r = match({ book, lastTradePrice: MID, lastMatchHeight: 1, height: 2, lotSize: LOT });
    const t2 = performance.now();
    if (r.error) throw new Error(`bench match failed: ${r.error}`);
    if (b >= 3) {
      // first blocks warm the JIT
      total += t2 - t0;
      matchOnly += t2 - t1;
      trades += r.trades.length;
    }
  }

  const n = resting + perBlock;
  const values = Array.from({ length: n }, () => BigInt(Math.floor(rnd() * 2 ** 48)));
  const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
  for (let i = 0; i < 3; i++) [...values].sort(cmp);
  const s0 = performance.now();
  for (let i = 0; i < blocks; i++) [...values].sort(cmp);
  const refMsPerSort = (performance.now() - s0) / blocks;

  const msPerMatch = total / blocks;
  return {
    blocks,
    resting,
    perBlock,
    matchesPerSec: 1000 / msPerMatch,
    msPerMatch,
    msMatchOnly: matchOnly / blocks,
    avgTrades: trades / blocks,
    refMsPerSort,
    ratio: msPerMatch / refMsPerSort,
  };
}

export interface MatchScaleOptions {
  /** Resting-book sizes (default 10k, 100k, 1M). */
  sizes?: number[];
  /** New orders per block (default 1,000). */
  perBlock?: number;
  /** Measured blocks per size (default: 20 / 8 / 3 for ≤10k / ≤100k / larger). */
  blocks?: (resting: number) => number;
  seed?: number;
}

export interface MatchScaleRow {
  resting: number;
  perBlock: number;
  blocks: number;
  /** New orders inserted and matched per second (insert + one auction per block). */
  ordersPerSec: number;
  msPerBlock: number;
  msMatchOnly: number;
  avgTrades: number;
  /** msPerBlock / the reference (lower is better; comparable across machines). */
  ratio: number;
}

export interface MatchScaleResult {
  /** Reference measured in the same run: one sort of 100k random bigints, ms. */
  refMsPerSort: number;
  rows: MatchScaleRow[];
}

/**
 * Orders matched per second against books of 10k, 100k and 1M resting orders: each block inserts
 * `perBlock` new orders (mostly aggressive) into a fresh copy of the resting book and runs one
 * auction. Copies are made outside the timed region, one at a time (a 1M-order book is large).
 */
export function runMatchScaleBench(opts: MatchScaleOptions = {}): MatchScaleResult {
  const sizes = opts.sizes ?? [10_000, 100_000, 1_000_000];
  const perBlock = opts.perBlock ?? 1_000;
  const blocksOf = opts.blocks ?? ((n: number) => (n <= 10_000 ? 20 : n <= 100_000 ? 8 : 3));
  const rnd = prng(opts.seed ?? 7);

  const values = Array.from({ length: 100_000 }, () => BigInt(Math.floor(rnd() * 2 ** 48)));
  const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
  for (let i = 0; i < 2; i++) [...values].sort(cmp);
  const s0 = performance.now();
  for (let i = 0; i < 5; i++) [...values].sort(cmp);
  const refMsPerSort = (performance.now() - s0) / 5;

  const rows: MatchScaleRow[] = [];
  for (const resting of sizes) {
    const blocks = blocksOf(resting);
    const base = restingBook(resting, rnd);
    let total = 0;
    let matchOnly = 0;
    let trades = 0;
    for (let b = 0; b < blocks + 1; b++) {
      const orders = newOrders(b, perBlock, rnd);
      const book = base.clone();
      const t0 = performance.now();
      for (const o of orders) book.insert({ ...o, time: 2 });
      const t1 = performance.now();
      const r = match({ book, lastTradePrice: MID, lastMatchHeight: 1, height: 2, lotSize: LOT });
      const t2 = performance.now();
      if (r.error) throw new Error(`bench match failed: ${r.error}`);
      if (b >= 1) {
        // block 0 warms the JIT
        total += t2 - t0;
        matchOnly += t2 - t1;
        trades += r.trades.length;
      }
    }
    const msPerBlock = total / blocks;
    rows.push({
      resting,
      perBlock,
      blocks,
      ordersPerSec: (perBlock * 1000) / msPerBlock,
      msPerBlock,
      msMatchOnly: matchOnly / blocks,
      avgTrades: trades / blocks,
      ratio: msPerBlock / refMsPerSort,
    });
  }
  return { refMsPerSort, rows };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const blocks = process.argv[2] ? Number(process.argv[2]) : undefined;
  const r = runMatchBench({ blocks });
  console.log(
    `match: ${r.matchesPerSec.toFixed(1)} blocks/s (${r.msPerMatch.toFixed(2)} ms per block of ${r.perBlock} new orders on ${r.resting} resting; ` +
      `match alone ${r.msMatchOnly.toFixed(2)} ms, ${r.avgTrades.toFixed(0)} trades)`,
  );
  console.log(`reference: sort of ${r.resting + r.perBlock} bigints ${r.refMsPerSort.toFixed(2)} ms; ratio ${r.ratio.toFixed(2)}x`);
  const scale = runMatchScaleBench(process.argv.includes('--quick') ? { sizes: [10_000, 100_000] } : {});
  console.log(`reference: sort of 100k bigints ${scale.refMsPerSort.toFixed(2)} ms`);
  for (const row of scale.rows) {
    console.log(
      `match @ ${row.resting} resting: ${row.ordersPerSec.toFixed(0)} orders/s (${row.msPerBlock.toFixed(2)} ms per block of ${row.perBlock}; ` +
        `match alone ${row.msMatchOnly.toFixed(2)} ms, ${row.avgTrades.toFixed(0)} trades; ratio ${row.ratio.toFixed(2)}x the reference)`,
    );
  }
}
