/**
 * `dexchain dex match` and `dexchain dex replay`: run one match case through the engine (current
 * or legacy) or one block-level case through a real in-memory app, and print the outcome as JSON.
 * Useful to check a scenario by hand, to diff against the original's tests, and as the code path
 * the vector tests drive.
 *
 * Case formats accepted by `dex match` (numbers may be JSON numbers or strings of digits):
 *  - a vector case of `match.json` (`orders_in_insertion_order` + `params`), any kind that has them;
 *  - the simple form:
 *      { "lot_size": 1, "last_price": 100, "last_match_height": 99, "height": 100,
 *        "price_limit_pct": 0.05,
 *        "orders": [ { "id": "1", "side": "BUY"|"SELL"|1|2, "price": 100, "qty": 10,
 *                      "time": 100, "cum_qty": 0 } ] }
 *    (`time` defaults to `height`; `last_match_height` to `height - 1`; `height` to the largest
 *    order time; `price_limit_pct` to 0.05);
 *  - a file with `cases` (all of match.json): pick one with `--id`.
 * Orders are inserted in the listed order (their arrival order).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  BUY,
  SELL,
  MatchEngine,
  OrderBook,
  PRICE_LIMIT_PCT,
  TICK_TYPE_NAMES,
  getTradePrice,
  mergeLevels,
  prepareMatch,
  type MatchResult,
  type Side,
} from '../modules/dex/match/index.js';
import { matchLegacy } from '../modules/dex/match/legacy.js';
import type { ReplayResult } from '../modules/dex/replay.js';
import { CliError, printJson } from './common.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export type EngineName = 'new' | 'legacy';

export interface MatchCaseOutput {
  engine: EngineName;
  /** Whether the book was crossed. */
  matched: boolean;
  /** Concluded price (also on an allocation error: the price step ran). */
  price: string | null;
  /** Index of the concluded level in the overlapped range (price descending). */
  level_index: number | null;
  taker_side: 'BUY' | 'SELL' | null;
  error: string | null;
  error_detail: string | null;
  /** The overlapped levels with their accumulators (§A.2), before any fill. */
  overlapped_levels: { price: string; buy: string; sell: string; accBuy: string; accSell: string; exec: string; surplus: string }[];
  trades: { sid: string; bid: string; price: string; qty: string; buyCumQty: string; sellCumQty: string; tickType: string }[];
  /** The book after the match (filled orders dropped), best level first. */
  book: { buy: BookLevelOut[]; sell: BookLevelOut[] };
  last_trade_price: string;
  last_match_height: number;
}

export interface BookLevelOut {
  price: string;
  orders: { id: string; time: number; qty: string; cumQty: string }[];
}

function big(v: unknown, what: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new CliError(`${what}: expected an integer, got ${JSON.stringify(v)}`);
}

function sideOf(v: unknown, what: string): Side {
  if (v === 'BUY' || v === 'buy' || v === 1) return BUY;
  if (v === 'SELL' || v === 'sell' || v === 2) return SELL;
  throw new CliError(`${what}: side must be BUY or SELL, got ${JSON.stringify(v)}`);
}

interface NormalCase {
  lotSize: bigint;
  lastPrice: bigint;
  lastMatchHeight: number;
  height: number;
  pct: number;
  orders: { id: string; side: Side; price: bigint; qty: bigint; time: number; cumQty: bigint }[];
}

/** Either input form → one shape. */
export function normalizeMatchCase(c: Json): NormalCase {
  if (!c || typeof c !== 'object') throw new CliError('the case must be a JSON object');
  const vector = Array.isArray(c.orders_in_insertion_order);
  const rawOrders: Json[] = vector ? c.orders_in_insertion_order : c.orders;
  if (!Array.isArray(rawOrders)) throw new CliError('the case needs "orders" (or a vector case\'s "orders_in_insertion_order")');
  const p = vector ? (c.params ?? {}) : c;
  const maxTime = rawOrders.reduce((m: number, o: Json) => (typeof o?.time === 'number' && o.time > m ? o.time : m), 0);
  const height = Number(vector ? (p.match_height ?? maxTime) : (p.height ?? maxTime));
  const lastMatchHeight = Number(vector ? (p.last_match_height ?? height - 1) : (p.last_match_height ?? height - 1));
  const lastPrice = big(vector ? p.ref_price_LastTradePrice : (p.last_price ?? p.ref_price), 'last_price');
  const lotSize = big(p.lot_size ?? 1, 'lot_size');
  const pct = Number(p.price_limit_pct ?? PRICE_LIMIT_PCT);
  if (!Number.isFinite(pct) || pct < 0 || pct >= 1) throw new CliError(`price_limit_pct must be in [0, 1), got ${p.price_limit_pct}`);
  if (!Number.isSafeInteger(height) || !Number.isSafeInteger(lastMatchHeight)) throw new CliError('height / last_match_height must be integers');
  const orders = rawOrders.map((o: Json, i: number) => {
    const at = `orders[${i}]`;
    if (o?.id === undefined) throw new CliError(`${at}: id is required`);
    const price = big(o.price, `${at}.price`);
    const qty = big(o.qty ?? o.quantity, `${at}.qty`);
    const cumQty = big(o.cum_qty ?? o.cumQty ?? 0, `${at}.cum_qty`);
    if (price <= 0n || qty <= 0n || cumQty < 0n || cumQty >= qty) throw new CliError(`${at}: need price > 0, qty > 0 and 0 <= cum_qty < qty`);
    return { id: String(o.id), side: sideOf(o.side, at), price, qty, time: o.time === undefined ? height : Number(o.time), cumQty };
  });
  return { lotSize, lastPrice, lastMatchHeight, height, pct, orders };
}

function bookOut(book: OrderBook): { buy: BookLevelOut[]; sell: BookLevelOut[] } {
  const side = (s: Side) =>
    [...book.levels(s)].map((l) => ({
      price: l.price.toString(),
      orders: l.orders.map((o) => ({ id: o.id, time: o.time, qty: o.qty.toString(), cumQty: o.cumQty.toString() })),
    }));
  return { buy: side(BUY), sell: side(SELL) };
}

/** Runs one case through the chosen engine; pure (no I/O). */
export function runMatchCase(c: Json, engine: EngineName = 'new'): MatchCaseOutput {
  const n = normalizeMatchCase(c);
  const book = new OrderBook();
  for (const o of n.orders) book.insert({ id: o.id, side: o.side, price: o.price, qty: o.qty, time: o.time, cumQty: o.cumQty });

  // the price step on a copy, so the output shows it even when allocation fails
  const crossed = book.clone().crossedLevels();
  let overlapped: MatchCaseOutput['overlapped_levels'] = [];
  let pre: { price: bigint; index: number } | undefined;
  if (crossed) {
    const levels = mergeLevels(crossed.buys, crossed.sells);
    prepareMatch(levels);
    overlapped = levels.map((l) => ({
      price: l.price.toString(),
      buy: l.buyTotal.toString(),
      sell: l.sellTotal.toString(),
      accBuy: l.accBuy.toString(),
      accSell: l.accSell.toString(),
      exec: l.exec.toString(),
      surplus: l.surplus.toString(),
    }));
    const r = getTradePrice(levels, n.lastPrice, n.pct);
    if (r.index >= 0) pre = r;
  }

  let r: MatchResult;
  let lastTradePrice = n.lastPrice;
  let lastMatchHeight = n.lastMatchHeight;
  if (engine === 'legacy') {
    r = matchLegacy({ book, lastTradePrice: n.lastPrice, lotSize: n.lotSize, priceLimitPct: n.pct });
    if (r.matched && r.error === undefined && r.price !== undefined) lastTradePrice = r.price;
    lastMatchHeight = n.height;
  } else {
    const eng = new MatchEngine(book, n.lastPrice, n.lotSize, n.lastMatchHeight, n.pct);
    r = eng.run(n.height);
    lastTradePrice = eng.lastTradePrice;
    lastMatchHeight = eng.lastMatchHeight;
  }
  const price = r.price ?? pre?.price;
  const index = r.levelIndex ?? pre?.index;
  return {
    engine,
    matched: r.matched,
    price: price === undefined ? null : price.toString(),
    level_index: index ?? null,
    taker_side: r.takerSide === BUY ? 'BUY' : r.takerSide === SELL ? 'SELL' : null,
    error: r.error ?? null,
    error_detail: r.errorDetail ?? null,
    overlapped_levels: overlapped,
    trades: r.trades.map((t) => ({
      sid: t.sid,
      bid: t.bid,
      price: t.lastPx.toString(),
      qty: t.lastQty.toString(),
      buyCumQty: t.buyCumQty.toString(),
      sellCumQty: t.sellCumQty.toString(),
      tickType: TICK_TYPE_NAMES[t.tickType],
    })),
    book: bookOut(book),
    last_trade_price: lastTradePrice.toString(),
    last_match_height: lastMatchHeight,
  };
}

/** Replays an `integration_block_match` case through a fresh in-memory DexApp. */
export async function runReplayCase(c: Json): Promise<ReplayResult> {
  // loaded on use: the other CLI commands need not load the whole app
  const [{ DexApp }, { memoryStateStore }, { createVerifier }, { replayIntegrationCase }] = await Promise.all([
    import('../app/app.js'),
    import('../state/index.js'),
    import('../crypto/verifier.js'),
    import('../modules/dex/replay.js'),
  ]);
  const store = memoryStateStore();
  const app = new DexApp({ store, verifier: createVerifier() });
  return replayIntegrationCase(c, { store, app });
}

/** Reads a case from a file or stdin (`-`); with `cases` in it, `id` picks one. */
export function loadCase(file: string, id?: string): Json {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file === '-' ? 'stdin' : file}: ${(e as Error).message}`);
  }
  let j: Json;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new CliError(`the case is not valid JSON: ${(e as Error).message}`);
  }
  if (Array.isArray(j?.cases)) {
    if (!id) throw new CliError(`the file holds ${j.cases.length} cases: choose one with --id (${j.cases.map((x: Json) => x.id).join(', ')})`);
    const c = j.cases.find((x: Json) => x.id === id);
    if (!c) throw new CliError(`no case with id ${JSON.stringify(id)}`);
    return c;
  }
  if (id && j?.id !== id) throw new CliError(`the case's id is ${JSON.stringify(j?.id)}, not ${JSON.stringify(id)}`);
  return j;
}

export function registerDexTools(program: Command): void {
  const dex = program.command('dex').description('offline DEX tools: run a match case through the engine or replay a block case through the app');
  dex
    .command('match')
    .description('run one match case (vector JSON or the simple form, see docs) and print price, trades and the remaining book')
    .requiredOption('--case <file>', 'case file, or - for stdin')
    .option('--id <caseId>', 'case id when the file holds several (e.g. match.json)')
    .option('--engine <engine>', 'new (post-BEP19) or legacy (pre-BEP19, spec §A.5)', 'new')
    .action((o: { case: string; id?: string; engine: string }) => {
      if (o.engine !== 'new' && o.engine !== 'legacy') throw new CliError(`--engine must be new or legacy, got ${JSON.stringify(o.engine)}`);
      printJson(runMatchCase(loadCase(o.case, o.id), o.engine));
    });
  dex
    .command('replay')
    .description('replay an integration_block_match case through an in-memory app (signed order txs per block) and compare trades, fees and balances')
    .requiredOption('--case <file>', 'case file, or - for stdin')
    .option('--id <caseId>', 'case id when the file holds several')
    .action(async (o: { case: string; id?: string }) => {
      const r = await runReplayCase(loadCase(o.case, o.id));
      printJson(r);
      if (!r.ok) process.exitCode = 2;
    });
}
