/**
 * DEX queries over a store view. ABCI routes in the shapes the SDK's RPC client decodes
 * (`lib/rpc`: amino, length-prefixed):
 *   dex/orderbook/<PAIR>[/<levels>]   OrderBook{height, levels[{buyQty, buyPrice, sellQty, sellPrice}]}
 *   dex/openorders/<PAIR>/<address>   []OpenOrder{id, symbol, price, quantity, cumQty, createdHeight,
 *                                     createdTimestamp, lastUpdatedHeight, lastUpdatedTimestamp} (ns)
 *   dex/pairs/<offset>/<limit>        []TradingPair{base_asset_symbol, quote_asset_symbol, list_price,
 *                                     tick_size, lot_size}
 * and JSON routes (`dex/api/…`, filters as JSON in the query data) that the HTTP views build on.
 * Closed orders and trades are history, not state: `history.ts` reads them from the node's index.
 */
import { rootError } from '../../errors.js';
import { AminoWriter, concatBytes, decodeAddress, encodeAddress, encodeUvarint, formatFixed8 } from '../../codec/index.js';
import type { Coin } from '../../codec/types.js';
import type { KVReader } from '../../state/types.js';
import type { ChainInfo } from '../../app/context.js';
import { TICK_TYPE_NAMES, type TickType } from './match/index.js';
import {
  bookSidePrefix,
  decodeOrder,
  getOpenOrder,
  getPair,
  iteratePairs,
  journalPrefix,
  miniRoundKey,
  ownerPrefix,
  pendingPrefix,
  readHeight,
} from './store.js';
import { ORDER_TYPE_LIMIT, splitPair, type OrderRecord, type TradeRecord, type TradingPair } from './types.js';
import { concatBytes as cat } from '../../state/bytes.js';

export const MAX_PAIRS_LIMIT = 1000;
export const DEFAULT_BOOK_LEVELS = 100;
export const MAX_BOOK_LEVELS = 1000;
/** Orders per side in a full-depth book read (default and ceiling). */
export const DEFAULT_BOOK_ORDERS = 5000;
export const MAX_BOOK_ORDERS = 5000;

const dec = new TextDecoder();
const enc = new TextEncoder();

export interface DepthLevelRaw {
  price: bigint;
  qty: bigint;
}

/** Top `n` levels of a side (unfilled quantities summed), straight from state. */
export function depthFromState(kv: KVReader, symbol: string, side: 1 | 2, n: number): DepthLevelRaw[] {
  const out: DepthLevelRaw[] = [];
  if (n <= 0) return out;
  for (const [, v] of kv.iterate(bookSidePrefix(symbol, side))) {
    const o = decodeOrder(v);
    const last = out[out.length - 1];
    if (last && last.price === o.price) last.qty += o.qty - o.cumQty;
    else {
      if (out.length >= n) break;
      out.push({ price: o.price, qty: o.qty - o.cumQty });
    }
  }
  return out;
}

/** One resting order in a full-depth book, fixed8 strings. */
export interface BookOrderJson {
  id: string;
  owner: string;
  price: string;
  quantity: string;
  cumulativeQuantity: string;
  createdHeight: number;
}

export interface BookJson {
  symbol: string;
  height: number;
  bids: BookOrderJson[];
  asks: BookOrderJson[];
  /** True when a side had more than `limit` orders and was cut. */
  truncated: boolean;
}

/**
 * Every open order of a side in book-key order: best price first, then arrival (the key is
 * side/price/seq), so this is exactly the matching priority. Reads one order past `n` only to
 * tell whether the side was cut.
 */
export function bookSideFromState(kv: KVReader, symbol: string, side: 1 | 2, n: number): { orders: OrderRecord[]; truncated: boolean } {
  const orders: OrderRecord[] = [];
  for (const [, v] of kv.iterate(bookSidePrefix(symbol, side), { limit: n + 1 })) {
    if (orders.length >= n) return { orders, truncated: true };
    orders.push(decodeOrder(v));
  }
  return { orders, truncated: false };
}

/** The full-depth book of a pair, or undefined when the pair does not exist. */
export function bookFromState(kv: KVReader, symbol: string, n: number, hrp: string): BookJson | undefined {
  if (!getPair(kv, symbol)) return undefined;
  const fmt = (o: OrderRecord): BookOrderJson => ({
    id: o.id,
    owner: encodeAddress(o.owner, hrp),
    price: formatFixed8(o.price),
    quantity: formatFixed8(o.qty),
    cumulativeQuantity: formatFixed8(o.cumQty),
    createdHeight: o.createdHeight,
  });
  const bids = bookSideFromState(kv, symbol, 1, n);
  const asks = bookSideFromState(kv, symbol, 2, n);
  return { symbol, height: readHeight(kv), bids: bids.orders.map(fmt), asks: asks.orders.map(fmt), truncated: bids.truncated || asks.truncated };
}

/**
 * True when the pair has new orders not yet matched: journal entries in this state, or a mini
 * pair's round kept for a later block (§A.1).
 */
export function pendingMatch(kv: KVReader, symbol: string): boolean {
  if (kv.has(miniRoundKey(symbol))) return true;
  for (const _ of kv.iterate(journalPrefix(symbol), { limit: 1 })) return true;
  for (const _ of kv.iterate(pendingPrefix(symbol), { limit: 1 })) return true;
  return false;
}

function parseCount(s: string | undefined, what: string, max: number): number {
  if (s === undefined || !/^\d{1,9}$/.test(s)) throw rootError('invalidRequest', `${what} must be a non-negative integer, got ${JSON.stringify(s)}`);
  const n = Number(s);
  if (n > max) throw rootError('invalidRequest', `${what} must be at most ${max}`);
  return n;
}

function mustPair(kv: KVReader, symbol: string | undefined): TradingPair {
  const p = symbol ? getPair(kv, symbol) : undefined;
  if (!p) throw rootError('notFound', `trading pair ${symbol} does not exist`);
  return p;
}

export function pairsPage(kv: KVReader, offset: number, limit: number): TradingPair[] {
  const out: TradingPair[] = [];
  let i = 0;
  for (const p of iteratePairs(kv)) {
    if (out.length >= limit) break;
    if (i++ < offset) continue;
    out.push(p);
  }
  return out;
}

export function openOrdersOf(kv: KVReader, owner: Uint8Array, symbol?: string): OrderRecord[] {
  const out: OrderRecord[] = [];
  const prefix = symbol ? cat(ownerPrefix(owner), enc.encode(symbol), Uint8Array.of(0)) : ownerPrefix(owner);
  for (const [k] of kv.iterate(prefix)) {
    const rest = dec.decode(k.subarray(ownerPrefix(owner).length));
    const sep = rest.indexOf('\u0000');
    const found = getOpenOrder(kv, rest.slice(0, sep), rest.slice(sep + 1));
    if (found) out.push(found.order);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// amino values

export function encodeOrderBook(height: number, bids: DepthLevelRaw[], asks: DepthLevelRaw[]): Uint8Array {
  const w = new AminoWriter();
  w.uvarint(1, BigInt(height));
  const n = Math.max(bids.length, asks.length);
  for (let i = 0; i < n; i++) {
    const b = bids[i];
    const a = asks[i];
    w.struct(2, (lw) => {
      lw.uvarint(1, b?.qty ?? 0n).uvarint(2, b?.price ?? 0n).uvarint(3, a?.qty ?? 0n).uvarint(4, a?.price ?? 0n);
    });
  }
  const body = w.finish();
  return concatBytes(encodeUvarint(body.length), body);
}

const NS = 1_000_000n;

export function encodeOpenOrders(orders: readonly OrderRecord[]): Uint8Array {
  const w = new AminoWriter();
  w.repeated(1, orders, (ow, o) => {
    ow.string(1, o.id).string(2, o.symbol).uvarint(3, o.price).uvarint(4, o.qty).uvarint(5, o.cumQty);
    ow.uvarint(6, BigInt(o.createdHeight)).uvarint(7, BigInt(o.createdTimeMs) * NS);
    ow.uvarint(8, BigInt(o.lastUpdatedHeight)).uvarint(9, BigInt(o.lastUpdatedTimeMs) * NS);
  });
  const body = w.finish();
  return concatBytes(encodeUvarint(body.length), body);
}

export function encodeTradingPairs(pairs: readonly TradingPair[]): Uint8Array {
  const w = new AminoWriter();
  w.repeated(1, pairs, (pw, p) => {
    pw.string(1, p.base).string(2, p.quote).uvarint(3, p.listPrice).uvarint(4, p.tickSize).uvarint(5, p.lotSize);
  });
  const body = w.finish();
  return concatBytes(encodeUvarint(body.length), body);
}

// ---------------------------------------------------------------------------------------------
// JSON shapes (Binance `/api/v1`)

export function feeString(fees: readonly Coin[]): string {
  return fees.map((c) => `${c.denom}:${formatFixed8(c.amount)}`).join(';');
}

const iso = (ms: number) => new Date(ms).toISOString();

export function marketJson(p: TradingPair) {
  return {
    base_asset_symbol: p.base,
    quote_asset_symbol: p.quote,
    list_price: formatFixed8(p.listPrice),
    tick_size: formatFixed8(p.tickSize),
    lot_size: formatFixed8(p.lotSize),
  };
}

export interface OrderJson {
  orderId: string;
  owner: string;
  symbol: string;
  price: string;
  quantity: string;
  cumulateQuantity: string;
  fee: string;
  side: number;
  status: string;
  timeInForce: number;
  type: number;
  tradeId: string;
  lastExecutedPrice: string;
  lastExecutedQuantity: string;
  transactionHash: string;
  orderCreateTime: string;
  transactionTime: string;
}

export function orderJson(o: OrderRecord, hrp: string): OrderJson {
  return {
    orderId: o.id,
    owner: encodeAddress(o.owner, hrp),
    symbol: o.symbol,
    price: formatFixed8(o.price),
    quantity: formatFixed8(o.qty),
    cumulateQuantity: formatFixed8(o.cumQty),
    fee: feeString(o.fees),
    side: o.side,
    status: o.status,
    timeInForce: o.timeInForce,
    type: ORDER_TYPE_LIMIT,
    tradeId: o.lastTradeId,
    lastExecutedPrice: formatFixed8(o.lastExecutedPrice),
    lastExecutedQuantity: formatFixed8(o.lastExecutedQty),
    transactionHash: o.txHash,
    orderCreateTime: iso(o.createdTimeMs),
    transactionTime: iso(o.lastUpdatedTimeMs),
  };
}

export interface TradeJson {
  tradeId: string;
  blockHeight: number;
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  price: string;
  quantity: string;
  buyerOrderId: string;
  sellerOrderId: string;
  buyerId: string;
  sellerId: string;
  buyFee: string;
  sellFee: string;
  time: number;
  tickType: string;
}

export function tradeJson(t: TradeRecord, hrp: string): TradeJson {
  const [base, quote] = splitPair(t.symbol) ?? [t.symbol, ''];
  return {
    tradeId: t.id,
    blockHeight: t.height,
    symbol: t.symbol,
    baseAsset: base,
    quoteAsset: quote,
    price: formatFixed8(t.price),
    quantity: formatFixed8(t.qty),
    buyerOrderId: t.buyerOrderId,
    sellerOrderId: t.sellerOrderId,
    buyerId: encodeAddress(t.buyer, hrp),
    sellerId: encodeAddress(t.seller, hrp),
    buyFee: feeString(t.buyerFee),
    sellFee: feeString(t.sellerFee),
    time: t.timeMs,
    tickType: TICK_TYPE_NAMES[t.tickType as TickType] ?? 'Unknown',
  };
}

interface Filter {
  symbol?: string;
}

function parseFilter(data: Uint8Array): Filter {
  if (data.length === 0) return {};
  try {
    const f = JSON.parse(dec.decode(data)) as Filter;
    return f && typeof f === 'object' ? f : {};
  } catch {
    throw rootError('invalidRequest', 'query data must be a JSON object of filters');
  }
}

function json(v: unknown): Uint8Array {
  return enc.encode(JSON.stringify(v));
}

/** The `dex` query route. */
export function dexQuery(kv: KVReader, parts: string[], data: Uint8Array, chain: ChainInfo): Uint8Array {
  const hrp = chain.hrp;
  const [what, a, b] = parts;
  switch (what) {
    case 'orderbook': {
      mustPair(kv, a);
      const n = b === undefined ? DEFAULT_BOOK_LEVELS : parseCount(b, 'levels', MAX_BOOK_LEVELS);
      return encodeOrderBook(readHeight(kv), depthFromState(kv, a!, 1, n), depthFromState(kv, a!, 2, n));
    }
    case 'openorders': {
      mustPair(kv, a);
      return encodeOpenOrders(openOrdersOf(kv, decodeAddress(b ?? '', hrp), a));
    }
    case 'pairs': {
      const offset = parseCount(a, 'offset', 1e9);
      const limit = parseCount(b, 'limit', MAX_PAIRS_LIMIT);
      return encodeTradingPairs(pairsPage(kv, offset, limit));
    }
    case 'api':
      return json(apiQuery(kv, parts.slice(1), parseFilter(data), hrp));
    default:
      throw rootError('unknownRequest', `unknown dex query ${parts.join('/')}`);
  }
}

function apiQuery(kv: KVReader, parts: string[], f: Filter, hrp: string): unknown {
  const [what, a, b] = parts;
  switch (what) {
    case 'height':
      return { height: readHeight(kv) };
    case 'markets': {
      const offset = parseCount(a ?? '0', 'offset', 1e9);
      const limit = parseCount(b ?? String(MAX_PAIRS_LIMIT), 'limit', MAX_PAIRS_LIMIT);
      return pairsPage(kv, offset, limit).map(marketJson);
    }
    case 'pairs':
      return [...iteratePairs(kv)].map((p) => ({ ...marketJson(p), last_price: formatFixed8(p.lastTradePrice) }));
    case 'depth': {
      const pair = getPair(kv, a ?? '');
      if (!pair) return null;
      const n = parseCount(b ?? String(DEFAULT_BOOK_LEVELS), 'limit', MAX_BOOK_LEVELS);
      const fmt = (l: DepthLevelRaw) => [formatFixed8(l.price), formatFixed8(l.qty)];
      return {
        asks: depthFromState(kv, a!, 2, n).map(fmt),
        bids: depthFromState(kv, a!, 1, n).map(fmt),
        height: readHeight(kv),
        pending_match: pendingMatch(kv, a!),
      };
    }
    case 'book': {
      const n = parseCount(b ?? String(DEFAULT_BOOK_ORDERS), 'limit', MAX_BOOK_ORDERS);
      return bookFromState(kv, a ?? '', Math.max(1, n), hrp) ?? null;
    }
    case 'open':
      return openOrdersOf(kv, decodeAddress(a ?? '', hrp), f.symbol).map((o) => orderJson(o, hrp));
    case 'order': {
      const found = getOpenOrder(kv, a ?? '', b ?? '');
      if (!found) throw rootError('notFound', `open order ${b} of ${a} not found`);
      return orderJson(found.order, hrp);
    }
    default:
      throw rootError('unknownRequest', `unknown dex api query ${parts.join('/')}`);
  }
}
