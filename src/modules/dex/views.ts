/**
 * The node's DEX HTTP views (`/api/v1/markets`, `depth`, `orders/open|closed`, `trades`,
 * `ticker/24hr`, `klines`) over the app's committed state, through the `dex/api/…` query route.
 * Aggregations (tickers, klines) are computed here from the stored trades; they are not consensus
 * data, so wall-clock time is fine (injectable for tests).
 */
import { parseFixed8, formatFixed8 } from '../../codec/index.js';
import type { DexApp } from '../../app/app.js';
import type { BookView, DexViews } from '../../rpc/types.js';
import type { DexKeeper } from './keeper.js';
import { DEFAULT_BOOK_ORDERS, MAX_BOOK_ORDERS, type OrderJson, type TradeJson } from './queries.js';

export interface DexViewsOptions {
  /** Current time in unix ms (ticker window); default `Date.now`. */
  now?: () => number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export const KLINE_INTERVALS: Record<string, number> = {
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '3d': 259_200_000,
  '1w': 604_800_000,
  '1M': 0,
};

/** Start of the interval containing `t` (weeks start on Monday, months on the 1st, UTC). */
export function klineStart(interval: string, t: number): number {
  if (interval === '1M') {
    const d = new Date(t);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
  const ms = KLINE_INTERVALS[interval]!;
  if (interval === '1w') {
    const monday = 4 * 86_400_000; // 1970-01-05 was a Monday
    return Math.floor((t - monday) / ms) * ms + monday;
  }
  return Math.floor(t / ms) * ms;
}

function klineEnd(interval: string, start: number): number {
  if (interval === '1M') {
    const d = new Date(start);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - 1;
  }
  return start + KLINE_INTERVALS[interval]! - 1;
}

function int(v: string | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`invalid number ${JSON.stringify(v)}`);
  return Math.max(min, Math.min(max, Math.floor(n)));
}

function optTime(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`invalid time ${JSON.stringify(v)}`);
  return n;
}

function sideOf(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const s = v.toUpperCase();
  if (s === 'BUY' || s === '1') return 1;
  if (s === 'SELL' || s === '2') return 2;
  throw new Error(`invalid side ${JSON.stringify(v)}`);
}

const f8 = (v: bigint) => formatFixed8(v);

export function createDexViews(app: DexApp, _dex: DexKeeper, opts: DexViewsOptions = {}): DexViews {
  const now = opts.now ?? (() => Date.now());

  const q = <T>(path: string, filter?: object): T | undefined => {
    const r = app.query(`dex/api/${path}`, filter ? enc.encode(JSON.stringify(filter)) : new Uint8Array(0));
    if (r.code !== 0) {
      if (r.log.includes('does not exist') || r.log.includes('not found')) return undefined;
      throw new Error(r.log);
    }
    return JSON.parse(dec.decode(r.value)) as T;
  };

  const page = <T>(all: T[], query: Record<string, string>, dfltLimit = 500) => {
    const offset = int(query.offset, 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = int(query.limit, dfltLimit, 1, 1000);
    return all.slice(offset, offset + limit);
  };

  const trades = (filter: object): TradeJson[] => q<TradeJson[]>('trades', filter) ?? [];

  function ticker(symbol: string, lastPriceFallback: string): object {
    const t1 = now();
    const t0 = t1 - 86_400_000;
    const list = trades({ symbol }).sort((a, b) => a.time - b.time || cmpId(a.tradeId, b.tradeId));
    const before = list.filter((t) => t.time < t0);
    const win = list.filter((t) => t.time >= t0 && t.time <= t1);
    const depth = q<{ asks: [string, string][]; bids: [string, string][] }>(`depth/${symbol}/1`);
    const prevClose = before.length > 0 ? before[before.length - 1]!.price : lastPriceFallback;
    let high = 0n;
    let low = 0n;
    let vol = 0n;
    let quoteVol = 0n;
    for (const t of win) {
      const p = parseFixed8(t.price);
      const qty = parseFixed8(t.quantity);
      if (high === 0n || p > high) high = p;
      if (low === 0n || p < low) low = p;
      vol += qty;
      quoteVol += (p * qty) / 100_000_000n;
    }
    const open = win.length > 0 ? parseFixed8(win[0]!.price) : parseFixed8(prevClose);
    const last = win.length > 0 ? parseFixed8(win[win.length - 1]!.price) : parseFixed8(prevClose);
    const change = last - open;
    const pct = open > 0n ? Number((change * 1_000_000n) / open) / 10_000 : 0;
    return {
      symbol,
      askPrice: depth?.asks[0]?.[0] ?? f8(0n),
      askQuantity: depth?.asks[0]?.[1] ?? f8(0n),
      bidPrice: depth?.bids[0]?.[0] ?? f8(0n),
      bidQuantity: depth?.bids[0]?.[1] ?? f8(0n),
      openTime: t0,
      closeTime: t1,
      count: win.length,
      firstId: win[0]?.tradeId ?? '',
      lastId: win[win.length - 1]?.tradeId ?? '',
      openPrice: f8(open),
      highPrice: f8(high),
      lowPrice: f8(low),
      lastPrice: f8(last),
      lastQuantity: win[win.length - 1]?.quantity ?? f8(0n),
      prevClosePrice: prevClose,
      priceChange: f8(change),
      priceChangePercent: pct.toFixed(2),
      volume: f8(vol),
      quoteVolume: f8(quoteVol),
      weightedAvgPrice: vol > 0n ? f8((quoteVol * 100_000_000n) / vol) : f8(0n),
    };
  }

  return {
    markets(offset, limit) {
      return q<unknown[]>(`markets/${Math.max(0, offset)}/${Math.max(0, Math.min(limit, 1000))}`) ?? [];
    },
    depth(symbol, limit) {
      const d = q<object | null>(`depth/${symbol}/${Math.max(1, Math.min(limit || 100, 1000))}`);
      return d ?? undefined;
    },
    book(symbol, limit = DEFAULT_BOOK_ORDERS) {
      const n = Math.max(1, Math.min(Math.floor(limit) || DEFAULT_BOOK_ORDERS, MAX_BOOK_ORDERS));
      return q<BookView | null>(`book/${symbol}/${n}`) ?? undefined;
    },
    openOrders(address, symbol, offset = 0, limit = 500) {
      const all = q<OrderJson[]>(`open/${address}`, symbol ? { symbol } : {}) ?? [];
      return { order: all.slice(offset, offset + limit), total: all.length };
    },
    closedOrders(query) {
      const filter = {
        symbol: query.symbol || undefined,
        side: sideOf(query.side),
        status: query.status || undefined,
        start: optTime(query.start),
        end: optTime(query.end),
      };
      const all = (q<OrderJson[]>(`closed/${query.address ?? ''}`, filter) ?? []).reverse();
      return { order: page(all, query), total: all.length };
    },
    trades(query) {
      const side = sideOf(query.side);
      const filter = {
        symbol: query.symbol || undefined,
        address: query.address || undefined,
        start: optTime(query.start),
        end: optTime(query.end),
        height: query.height ? Number(query.height) : undefined,
      };
      let all = trades(filter).sort((a, b) => b.time - a.time || cmpId(b.tradeId, a.tradeId));
      if (side && query.address) {
        all = all.filter((t) => (side === 1 ? t.buyerId === query.address : t.sellerId === query.address));
      }
      return { trade: page(all, query), total: all.length };
    },
    ticker24h(symbol) {
      const pairs = q<{ base_asset_symbol: string; quote_asset_symbol: string; last_price: string }[]>('pairs') ?? [];
      return pairs
        .map((p) => ({ symbol: `${p.base_asset_symbol}_${p.quote_asset_symbol}`, last: p.last_price }))
        .filter((p) => !symbol || p.symbol === symbol)
        .map((p) => ticker(p.symbol, p.last));
    },
    klines(query) {
      const symbol = query.symbol ?? '';
      const interval = query.interval ?? '';
      if (!(interval in KLINE_INTERVALS)) throw new Error(`invalid interval ${JSON.stringify(interval)}`);
      const limit = int(query.limit, 300, 1, 1000);
      const start = optTime(query.startTime);
      const end = optTime(query.endTime);
      const list = trades({ symbol, start, end }).sort((a, b) => a.time - b.time || cmpId(a.tradeId, b.tradeId));
      const buckets = new Map<number, { o: bigint; h: bigint; l: bigint; c: bigint; v: bigint; qv: bigint; n: number }>();
      for (const t of list) {
        const s = klineStart(interval, t.time);
        const p = parseFixed8(t.price);
        const qty = parseFixed8(t.quantity);
        const b = buckets.get(s);
        if (!b) buckets.set(s, { o: p, h: p, l: p, c: p, v: qty, qv: (p * qty) / 100_000_000n, n: 1 });
        else {
          if (p > b.h) b.h = p;
          if (p < b.l) b.l = p;
          b.c = p;
          b.v += qty;
          b.qv += (p * qty) / 100_000_000n;
          b.n++;
        }
      }
      const rows = [...buckets.entries()].sort((a, b) => a[0] - b[0]).slice(-limit);
      return rows.map(([s, b]) => [s, f8(b.o), f8(b.h), f8(b.l), f8(b.c), f8(b.v), klineEnd(interval, s), f8(b.qv), b.n]);
    },
  };
}

/** Trade ids `height-idx` compared numerically. */
function cmpId(a: string, b: string): number {
  const [ah, ai] = a.split('-').map(Number) as [number, number];
  const [bh, bi] = b.split('-').map(Number) as [number, number];
  return ah - bh || ai - bi;
}
