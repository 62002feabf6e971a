/**
 * The node's DEX HTTP views: `/api/v1/markets`, `depth`, `orders/open` over the app's committed
 * state (the `dex/api/…` query route), and `orders/closed`, `orders/{id}`, `trades`,
 * `ticker/24hr`, `klines` over the node's history index (`DexHistory`). Aggregations (tickers,
 * klines) are computed here from the indexed trades; they are not consensus data, so wall-clock
 * time is fine (injectable for tests).
 */
import { decodeAddress, encodeAddress, formatFixed8, parseFixed8 } from '../../codec/index.js';
import { rootError } from '../../errors.js';
import type { DexApp } from '../../app/app.js';
import type { BookView, DexViews } from '../../rpc/types.js';
import { ownerOfOrderId, type DexHistory } from './history.js';
import { DEFAULT_BOOK_ORDERS, MAX_BOOK_ORDERS, orderJson, tradeJson, type OrderJson } from './queries.js';
import type { TradeRecord } from './types.js';

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
  if (!Number.isFinite(n)) throw rootError('invalidRequest', `invalid number ${JSON.stringify(v)}`);
  return Math.max(min, Math.min(max, Math.floor(n)));
}

function optTime(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw rootError('invalidRequest', `invalid time ${JSON.stringify(v)}`);
  return n;
}

function sideOf(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const s = v.toUpperCase();
  if (s === 'BUY' || s === '1') return 1;
  if (s === 'SELL' || s === '2') return 2;
  throw rootError('invalidRequest', `invalid side ${JSON.stringify(v)} (BUY or SELL)`);
}

const f8 = (v: bigint) => formatFixed8(v);

export function createDexViews(app: DexApp, history: DexHistory, opts: DexViewsOptions = {}): DexViews {
  const now = opts.now ?? (() => Date.now());
  const hrp = () => app.chain().hrp;

  const q = <T>(path: string, filter?: object): T | undefined => {
    const r = app.query(`dex/api/${path}`, filter ? enc.encode(JSON.stringify(filter)) : new Uint8Array(0));
    if (r.code !== 0) {
      if (r.log.includes('does not exist') || r.log.includes('not found')) return undefined;
      throw new Error(r.log);
    }
    return JSON.parse(dec.decode(r.value)) as T;
  };

  /**
   * A walk stopped at the history's scan bound: `total` counts the matches among the records
   * read, so the answer says so (absent otherwise: the original API's shape).
   */
  const capNote = (capped: boolean): { total_capped?: true } => (capped ? { total_capped: true } : {});

  const pageOf = (query: Record<string, string>, dfltLimit = 500) => ({
    offset: int(query.offset, 0, 0, Number.MAX_SAFE_INTEGER),
    limit: int(query.limit, dfltLimit, 1, 1000),
  });

  const address = (a: string | undefined, what: string): Uint8Array => {
    try {
      return decodeAddress(a ?? '', hrp());
    } catch {
      throw rootError('invalidAddress', `invalid ${what} ${JSON.stringify(a ?? '')}`);
    }
  };

  async function ticker(symbol: string, lastPrice: bigint): Promise<object> {
    const t1 = now();
    const t0 = t1 - 86_400_000;
    const { trades: all, before } = await history.tradesSince(symbol, t0);
    const win = all.filter((t) => t.timeMs <= t1);
    const depth = q<{ asks: [string, string][]; bids: [string, string][] }>(`depth/${symbol}/1`);
    const prevClose = before ? before.price : lastPrice;
    let high = 0n;
    let low = 0n;
    let vol = 0n;
    let quoteVol = 0n;
    for (const t of win) {
      if (high === 0n || t.price > high) high = t.price;
      if (low === 0n || t.price < low) low = t.price;
      vol += t.qty;
      quoteVol += (t.price * t.qty) / 100_000_000n;
    }
    const first = win[0];
    const lastT = win[win.length - 1];
    const open = first ? first.price : prevClose;
    const last = lastT ? lastT.price : prevClose;
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
      firstId: first?.id ?? '',
      lastId: lastT?.id ?? '',
      openPrice: f8(open),
      highPrice: f8(high),
      lowPrice: f8(low),
      lastPrice: f8(last),
      lastQuantity: lastT ? f8(lastT.qty) : f8(0n),
      prevClosePrice: f8(prevClose),
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
    async closedOrders(query) {
      const owner = address(query.address, 'address');
      const filter = {
        symbol: query.symbol || undefined,
        side: sideOf(query.side),
        status: query.status || undefined,
        start: optTime(query.start),
        end: optTime(query.end),
      };
      const r = await history.closedOrders(owner, filter, pageOf(query));
      return { order: r.orders.map((o) => orderJson(o, hrp())), total: r.total, ...capNote(r.capped) };
    },
    async order(id) {
      const owner = ownerOfOrderId(id);
      if (!owner) return undefined;
      // an open order is found among its owner's (the id names the owner), else in the history
      const open = q<OrderJson[]>(`open/${encodeAddressOf(owner)}`) ?? [];
      const o = open.find((x) => x.orderId === id);
      if (o) return o;
      const closed = await history.order(id);
      return closed ? orderJson(closed, hrp()) : undefined;
    },
    async trades(query) {
      const filter = {
        symbol: query.symbol || undefined,
        owner: query.address ? address(query.address, 'address') : undefined,
        side: sideOf(query.side),
        start: optTime(query.start),
        end: optTime(query.end),
        height: query.height ? int(query.height, 0, 0, Number.MAX_SAFE_INTEGER) : undefined,
      };
      const r = await history.trades(filter, pageOf(query));
      return { trade: r.trades.map((t) => tradeJson(t, hrp())), total: r.total, ...capNote(r.capped) };
    },
    async ticker24h(symbol) {
      const pairs = q<{ base_asset_symbol: string; quote_asset_symbol: string; last_price: string }[]>('pairs') ?? [];
      const want = pairs
        .map((p) => ({ symbol: `${p.base_asset_symbol}_${p.quote_asset_symbol}`, last: p.last_price }))
        .filter((p) => !symbol || p.symbol === symbol);
      const out: object[] = [];
      for (const p of want) out.push(await ticker(p.symbol, parseFixed8(p.last)));
      return out;
    },
    async klines(query) {
      const symbol = query.symbol ?? '';
      const interval = query.interval ?? '';
      if (!(interval in KLINE_INTERVALS)) throw rootError('invalidRequest', `invalid interval ${JSON.stringify(interval)} (one of ${Object.keys(KLINE_INTERVALS).join(', ')})`);
      const limit = int(query.limit, 300, 1, 1000);
      const start = optTime(query.startTime);
      const end = optTime(query.endTime);
      // walking back from the newest trade: stop once a trade would open a bucket past `limit`
      const seen = new Set<number>();
      const list = await history.pairTrades(symbol, start, end, (t: TradeRecord) => {
        const s = klineStart(interval, t.timeMs);
        if (!seen.has(s)) {
          if (seen.size >= limit) return true;
          seen.add(s);
        }
        return false;
      });
      const buckets = new Map<number, { o: bigint; h: bigint; l: bigint; c: bigint; v: bigint; qv: bigint; n: number }>();
      for (const t of list) {
        const s = klineStart(interval, t.timeMs);
        const p = t.price;
        const qty = t.qty;
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

  function encodeAddressOf(owner: Uint8Array): string {
    return encodeAddress(owner, hrp());
  }
}
