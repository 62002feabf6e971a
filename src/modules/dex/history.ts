/**
 * The DEX history index: closed orders and trades, kept by the node beside its tx index (the
 * block store's side index), not in consensus state. Each block's `DexBlockHistory` is written in
 * the block's own save batch, so a stored block always has its history and a replayed one
 * rewrites the same keys.
 *
 * Layout (inside the side index; h = height, 8 bytes BE; i = position in the block, 4 bytes BE):
 *   dO h i                  closed order (the state's binary order record)
 *   dA owner20 h i          → (empty) closed orders of an owner
 *   dI <order id>           → h i of the closed order
 *   dT h i                  trade (binary trade record)
 *   dP <PAIR>\0 h i         → (empty) trades of a pair
 *   dW owner20 h i          → (empty) trades of an owner (buyer and seller; once if both)
 *
 * Block time never decreases with height, so every walk newest-first can stop at the first
 * record older than a time filter. Pruning drops whole heights older than `keepBlocks` (the
 * `history_blocks` param), a bounded number per block, in the block's batch.
 */
import type { IndexReader, IndexWriter } from '../../store/types.js';
import type { Address } from '../../codec/types.js';
import { writeU64BE } from '../../state/bytes.js';
import { decodeOrder, decodeTrade, encodeOrder, encodeTrade } from './store.js';
import type { DexBlockHistory, OrderRecord, TradeRecord } from './types.js';

const C = (c: string) => c.charCodeAt(0);
const D = C('d');
const NS = { order: C('O'), owner: C('A'), id: C('I'), trade: C('T'), pair: C('P'), trader: C('W') };
const enc = new TextEncoder();
const EMPTY = new Uint8Array(0);
/** Heights a block's save prunes at most, and the records after which it stops (whole heights). */
const PRUNE_HEIGHTS = 8;
const PRUNE_RECORDS = 20_000;
/** Records fetched per multi-get while walking an index. */
const CHUNK = 512;

function head(ns: number, body?: Uint8Array): Uint8Array {
  const k = new Uint8Array(2 + (body?.length ?? 0));
  k[0] = D;
  k[1] = ns;
  if (body) k.set(body, 2);
  return k;
}

/** `d ns body h i` (h, i absent: the prefix; i absent: the height's prefix). */
function posKey(ns: number, body: Uint8Array | undefined, h?: number, i?: number): Uint8Array {
  const n = body?.length ?? 0;
  const k = new Uint8Array(2 + n + (h === undefined ? 0 : 8) + (i === undefined ? 0 : 4));
  k[0] = D;
  k[1] = ns;
  if (body) k.set(body, 2);
  if (h !== undefined) writeU64BE(k, 2 + n, h);
  if (i !== undefined) new DataView(k.buffer, k.byteOffset).setUint32(2 + n + 8, i, false);
  return k;
}

const pairBody = (symbol: string) => {
  const s = enc.encode(symbol);
  const b = new Uint8Array(s.length + 1);
  b.set(s, 0);
  return b;
};

/** The smallest key greater than every key starting with `prefix` (prefixes here never end in 0xff runs). */
function after(prefix: Uint8Array): Uint8Array {
  const k = prefix.slice();
  for (let j = k.length - 1; j >= 0; j--) {
    if (k[j]! < 0xff) {
      k[j]!++;
      return k.subarray(0, j + 1);
    }
  }
  throw new RangeError('no key follows an all-0xff prefix');
}

/** The (h, i) tail of a positional key. */
function tail(k: Uint8Array): { h: number; i: number } {
  const v = new DataView(k.buffer, k.byteOffset, k.length);
  const at = k.length - 12;
  return { h: v.getUint32(at, false) * 0x1_0000_0000 + v.getUint32(at + 4, false), i: v.getUint32(at + 8, false) };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, j) => x === b[j]);

export interface ClosedFilter {
  symbol?: string;
  side?: number;
  status?: string;
  /** Inclusive bounds on the closing block's time, unix ms. */
  start?: number;
  end?: number;
}

export interface TradeFilter {
  symbol?: string;
  /** Trades this owner bought or sold in. */
  owner?: Address;
  /** With `owner`: 1 = the owner bought, 2 = sold. */
  side?: number;
  height?: number;
  start?: number;
  end?: number;
}

export interface Page {
  offset: number;
  limit: number;
}

/** Writes a block's history (pure: the same block always writes the same keys). */
export function writeDexHistory(w: IndexWriter, height: number, h: DexBlockHistory): void {
  for (let i = 0; i < h.closedOrders.length; i++) {
    const o = h.closedOrders[i]!;
    w.put(posKey(NS.order, undefined, height, i), encodeOrder(o));
    w.put(posKey(NS.owner, o.owner, height, i), EMPTY);
    w.put(head(NS.id, enc.encode(o.id)), posKey(NS.order, undefined, height, i).subarray(2));
  }
  for (let i = 0; i < h.trades.length; i++) {
    const t = h.trades[i]!;
    w.put(posKey(NS.trade, undefined, height, i), encodeTrade(t));
    w.put(posKey(NS.pair, pairBody(t.symbol), height, i), EMPTY);
    w.put(posKey(NS.trader, t.buyer, height, i), EMPTY);
    if (!sameBytes(t.buyer, t.seller)) w.put(posKey(NS.trader, t.seller, height, i), EMPTY);
  }
}

/** Reads (and prunes) the history index of one node. */
export class DexHistory {
  /** Heights up to here hold no history any more (kept in memory; 0 = not yet known). */
  private prunedThrough = 0;

  constructor(private readonly index: IndexReader) {}

  /**
   * The block's writes: its history, and the pruning of heights older than `keepBlocks` (up to
   * `PRUNE_HEIGHTS` heights with records, or `PRUNE_RECORDS` records, per block; the rest next time).
   */
  async write(w: IndexWriter, height: number, h: DexBlockHistory): Promise<void> {
    writeDexHistory(w, height, h);
    await this.prune(w, height - h.keepBlocks);
  }

  private async prune(w: IndexWriter, cutoff: number): Promise<void> {
    if (cutoff <= this.prunedThrough) return;
    let heights = 0;
    let records = 0;
    let from = this.prunedThrough + 1;
    while (heights < PRUNE_HEIGHTS && records < PRUNE_RECORDS) {
      const next = await this.firstHeightFrom(from);
      if (next === undefined || next > cutoff) {
        this.prunedThrough = cutoff;
        return;
      }
      records += await this.dropHeight(w, next);
      heights++;
      this.prunedThrough = next;
      from = next + 1;
    }
  }

  /** The lowest height ≥ `from` holding a closed order or a trade. */
  private async firstHeightFrom(from: number): Promise<number | undefined> {
    let best: number | undefined;
    for (const ns of [NS.order, NS.trade]) {
      for await (const [k] of this.index.range({ gte: posKey(ns, undefined, from), lt: head(ns + 1), limit: 1 })) {
        const { h } = tail(k);
        if (best === undefined || h < best) best = h;
      }
    }
    return best;
  }

  private async dropHeight(w: IndexWriter, h: number): Promise<number> {
    let n = 0;
    const hp = posKey(NS.order, undefined, h);
    for await (const [k, v] of this.index.range({ gte: hp, lt: after(hp) })) {
      const o = decodeOrder(v);
      const { i } = tail(k);
      w.del(k);
      w.del(posKey(NS.owner, o.owner, h, i));
      w.del(head(NS.id, enc.encode(o.id)));
      n++;
    }
    const tp = posKey(NS.trade, undefined, h);
    for await (const [k, v] of this.index.range({ gte: tp, lt: after(tp) })) {
      const t = decodeTrade(v);
      const { i } = tail(k);
      w.del(k);
      w.del(posKey(NS.pair, pairBody(t.symbol), h, i));
      w.del(posKey(NS.trader, t.buyer, h, i));
      w.del(posKey(NS.trader, t.seller, h, i));
      n++;
    }
    return n;
  }

  /** A closed order by id (kept `history_blocks`). */
  async order(id: string): Promise<OrderRecord | undefined> {
    const at = await this.index.get(head(NS.id, enc.encode(id)));
    if (!at) return undefined;
    const v = await this.index.get(head(NS.order, at));
    return v ? decodeOrder(v) : undefined;
  }

  /** An owner's closed orders, newest first, filtered; `total` counts every match. */
  async closedOrders(owner: Address, f: ClosedFilter, page: Page): Promise<{ orders: OrderRecord[]; total: number }> {
    const prefix = posKey(NS.owner, owner);
    const keep = (o: OrderRecord) =>
      (!f.symbol || o.symbol === f.symbol) && (!f.side || o.side === f.side) && (!f.status || o.status === f.status) && (f.end === undefined || o.lastUpdatedTimeMs <= f.end);
    const { items, total } = await this.walk(prefix, NS.order, decodeOrder, keep, (o) => f.start !== undefined && o.lastUpdatedTimeMs < f.start, page);
    return { orders: items, total };
  }

  /** Trades newest first, filtered; `total` counts every match. */
  async trades(f: TradeFilter, page: Page): Promise<{ trades: TradeRecord[]; total: number }> {
    let prefix: Uint8Array;
    if (f.owner) prefix = posKey(NS.trader, f.owner);
    else if (f.symbol) prefix = posKey(NS.pair, pairBody(f.symbol));
    else prefix = posKey(NS.trade, undefined);
    if (f.height !== undefined) prefix = concatHeight(prefix, f.height);
    const keep = (t: TradeRecord) =>
      (!f.symbol || t.symbol === f.symbol) &&
      (f.end === undefined || t.timeMs <= f.end) &&
      (!f.owner || !f.side || sameBytes(f.side === 1 ? t.buyer : t.seller, f.owner));
    const { items, total } = await this.walk(prefix, NS.trade, decodeTrade, keep, (t) => f.start !== undefined && t.timeMs < f.start, page);
    return { trades: items, total };
  }

  /**
   * A pair's trades from `since` (unix ms) on, oldest first, and the last trade before it (the
   * 24h ticker's window and previous close).
   */
  async tradesSince(symbol: string, since: number): Promise<{ trades: TradeRecord[]; before?: TradeRecord }> {
    const out: TradeRecord[] = [];
    let before: TradeRecord | undefined;
    await this.scan(posKey(NS.pair, pairBody(symbol)), NS.trade, decodeTrade, (t) => {
      if (t.timeMs < since) {
        before = t;
        return false;
      }
      out.push(t);
      return true;
    });
    return { trades: out.reverse(), before };
  }

  /**
   * A pair's trades in [start, end], oldest first, walking back from the newest until `enough`
   * says the older ones are not needed (klines keep the newest buckets).
   */
  async pairTrades(symbol: string, start: number | undefined, end: number | undefined, enough: (t: TradeRecord) => boolean): Promise<TradeRecord[]> {
    const out: TradeRecord[] = [];
    await this.scan(posKey(NS.pair, pairBody(symbol)), NS.trade, decodeTrade, (t) => {
      if (start !== undefined && t.timeMs < start) return false;
      if (end !== undefined && t.timeMs > end) return true;
      if (enough(t)) return false;
      out.push(t);
      return true;
    });
    return out.reverse();
  }

  /** Newest-first walk of a pointer index (or of the records themselves), paged, with a total. */
  private async walk<T>(prefix: Uint8Array, ns: number, decode: (v: Uint8Array) => T, keep: (x: T) => boolean, past: (x: T) => boolean, page: Page): Promise<{ items: T[]; total: number }> {
    const items: T[] = [];
    let total = 0;
    await this.scan(prefix, ns, decode, (x) => {
      if (past(x)) return false;
      if (!keep(x)) return true;
      if (total >= page.offset && items.length < page.limit) items.push(x);
      total++;
      return true;
    });
    return { items, total };
  }

  /**
   * Visits the records under `prefix` newest first until `visit` returns false. A pointer index
   * (any `prefix` but the records' own) is resolved in chunks of one multi-get each.
   */
  private async scan<T>(prefix: Uint8Array, ns: number, decode: (v: Uint8Array) => T, visit: (x: T) => boolean): Promise<void> {
    const direct = prefix[1] === ns;
    let keys: Uint8Array[] = [];
    const flush = async (): Promise<boolean> => {
      const vals = await this.index.getMany(keys);
      keys = [];
      for (const v of vals) if (v && !visit(decode(v))) return false;
      return true;
    };
    for await (const [k, v] of this.index.range({ gte: prefix, lt: after(prefix), reverse: true })) {
      if (direct) {
        if (!visit(decode(v))) return;
        continue;
      }
      const { h, i } = tail(k);
      keys.push(posKey(ns, undefined, h, i));
      if (keys.length >= CHUNK && !(await flush())) return;
    }
    if (keys.length > 0) await flush();
  }
}

function concatHeight(prefix: Uint8Array, h: number): Uint8Array {
  const k = new Uint8Array(prefix.length + 8);
  k.set(prefix, 0);
  writeU64BE(k, prefix.length, h);
  return k;
}
