/**
 * The DEX history index: closed orders and trades, kept by the node beside its tx index (the
 * block store's side index), not in consensus state. Each block's `DexBlockHistory` is written in
 * the block's own save batch, so a stored block always has its history and a replayed one
 * rewrites the same keys.
 *
 * Layout (inside the side index; h = height, 8 bytes BE). Values are a block's records grouped
 * per owner or pair, so a block costs one key per owner and pair it touched, not several per
 * order: each key is a LevelDB write on the node's main thread.
 *   dH h                    block summary: the pairs that traded, the owners whose orders closed,
 *                           the owners who traded (what pruning and the all-pairs walk read)
 *   dA owner20 h            the owner's orders closed at h (binary order records, block order)
 *   dP <PAIR>\0 h           the pair's trades at h (binary trade records, id order)
 *   dW owner20 h            the owner's trades at h (as buyer or seller; once if both)
 * An order id (`OWNERHEX-sequence`) names its owner, so `order(id)` walks that owner's history.
 *
 * Block time never decreases with height, so every walk newest-first stops at the first record
 * older than a time filter. Pruning drops whole heights older than `keepBlocks` (the
 * `history_blocks` param), a bounded number per block, in the block's batch.
 */
import type { IndexReader, IndexWriter } from '../../store/types.js';
import type { Address } from '../../codec/types.js';
import { writeU64BE } from '../../state/bytes.js';
import { decodeOrder, decodeTrade, encodeOrder, encodeTrade } from './store.js';
import type { DexBlockHistory, OrderRecord, TradeRecord } from './types.js';

const C = (c: string) => c.charCodeAt(0);
const D = C('d');
const NS = { block: C('H'), owner: C('A'), pair: C('P'), trader: C('W') };
/** First byte of every value: bump on a layout change (a reader refuses what it does not know). */
const FORMAT = 1;
const enc = new TextEncoder();
const dec = new TextDecoder();
/** Heights a block's save prunes at most, and the deleted keys after which it stops (whole heights). */
const PRUNE_HEIGHTS = 8;
const PRUNE_KEYS = 50_000;
const ADDR = 20;

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;
const ownerId = (a: Uint8Array) => latin1Slice.call(a, 0, a.length);

/** `d ns body [h]`. */
function key(ns: number, body: Uint8Array | undefined, h?: number): Uint8Array {
  const n = body?.length ?? 0;
  const k = new Uint8Array(2 + n + (h === undefined ? 0 : 8));
  k[0] = D;
  k[1] = ns;
  if (body) k.set(body, 2);
  if (h !== undefined) writeU64BE(k, 2 + n, h);
  return k;
}

const pairBody = (symbol: string) => {
  const s = enc.encode(symbol);
  const b = new Uint8Array(s.length + 1);
  b.set(s, 0);
  return b;
};

/** The smallest key greater than every key starting with `prefix`. */
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

/** The height that ends a key. */
function heightOf(k: Uint8Array): number {
  const v = new DataView(k.buffer, k.byteOffset, k.length);
  return v.getUint32(k.length - 8, false) * 0x1_0000_0000 + v.getUint32(k.length - 4, false);
}

const formatError = (what: string) => new Error(`dex history: ${what} is not in a layout this version reads (format ${FORMAT}); reset the node's data dir and re-sync`);

/** Records in one value: FORMAT ‖ (u32 length ‖ record)*. */
function packRecords(records: readonly Uint8Array[]): Uint8Array {
  let n = 1;
  for (const r of records) n += 4 + r.length;
  const out = new Uint8Array(n);
  const v = new DataView(out.buffer);
  out[0] = FORMAT;
  let at = 1;
  for (const r of records) {
    v.setUint32(at, r.length, false);
    out.set(r, at + 4);
    at += 4 + r.length;
  }
  return out;
}

function unpackRecords(b: Uint8Array): Uint8Array[] {
  if (b.length === 0 || b[0] !== FORMAT) throw formatError('a record list');
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const out: Uint8Array[] = [];
  for (let at = 1; at < b.length; ) {
    if (at + 4 > b.length) throw formatError('a record list');
    const n = v.getUint32(at, false);
    if (at + 4 + n > b.length) throw formatError('a record list');
    out.push(b.subarray(at + 4, at + 4 + n));
    at += 4 + n;
  }
  return out;
}

interface BlockSummary {
  pairs: string[];
  closedOwners: Uint8Array[];
  traders: Uint8Array[];
}

/** FORMAT ‖ u32 nPairs ‖ (u16 len ‖ utf8)* ‖ u32 nClosed ‖ owner20* ‖ u32 nTraders ‖ owner20*. */
function packSummary(s: BlockSummary): Uint8Array {
  const names = s.pairs.map((p) => enc.encode(p));
  let n = 1 + 4 + 4 + 4 + ADDR * (s.closedOwners.length + s.traders.length);
  for (const b of names) n += 2 + b.length;
  const out = new Uint8Array(n);
  const v = new DataView(out.buffer);
  out[0] = FORMAT;
  let at = 1;
  v.setUint32(at, names.length, false);
  at += 4;
  for (const b of names) {
    v.setUint16(at, b.length, false);
    out.set(b, at + 2);
    at += 2 + b.length;
  }
  for (const list of [s.closedOwners, s.traders]) {
    v.setUint32(at, list.length, false);
    at += 4;
    for (const a of list) {
      out.set(a, at);
      at += ADDR;
    }
  }
  return out;
}

function unpackSummary(b: Uint8Array): BlockSummary {
  if (b.length < 13 || b[0] !== FORMAT) throw formatError('a block summary');
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  let at = 1;
  const pairs: string[] = [];
  const np = v.getUint32(at, false);
  at += 4;
  for (let i = 0; i < np; i++) {
    const n = v.getUint16(at, false);
    pairs.push(dec.decode(b.subarray(at + 2, at + 2 + n)));
    at += 2 + n;
  }
  const lists: Uint8Array[][] = [];
  for (let l = 0; l < 2; l++) {
    const n = v.getUint32(at, false);
    at += 4;
    const list: Uint8Array[] = [];
    for (let i = 0; i < n; i++, at += ADDR) list.push(b.slice(at, at + ADDR));
    lists.push(list);
  }
  if (at !== b.length) throw formatError('a block summary');
  return { pairs, closedOwners: lists[0]!, traders: lists[1]! };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, j) => x === b[j]);

/** The owner an order id names (`OWNERHEX-sequence`), or undefined for any other string. */
export function ownerOfOrderId(id: string): Uint8Array | undefined {
  const m = /^([0-9A-Fa-f]{40})-\d{1,20}$/.exec(id);
  return m ? new Uint8Array(Buffer.from(m[1]!, 'hex')) : undefined;
}

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

/**
 * Records one closed-orders or trades request may read to page and count (a busy pair or
 * trader holds millions within `history_blocks`). Past it the walk stops: the page is what was
 * found so far and `total` counts the matches among the records read, flagged `capped`.
 */
export const MAX_SCANNED_RECORDS = 100_000;

/** A page of matches and their count; `capped`: the walk stopped at the scan bound, `total` is a lower bound. */
export interface Paged<T> {
  items: T[];
  total: number;
  capped: boolean;
}

/** Writes a block's history (pure: the same block always writes the same keys and values). */
export function writeDexHistory(w: IndexWriter, height: number, h: DexBlockHistory): void {
  if (h.closedOrders.length === 0 && h.trades.length === 0) return;
  const owners = new Map<string, Uint8Array>();
  const closed = new Map<string, Uint8Array[]>();
  for (const o of h.closedOrders) {
    const k = ownerId(o.owner);
    owners.set(k, o.owner);
    const l = closed.get(k);
    if (l) l.push(encodeOrder(o));
    else closed.set(k, [encodeOrder(o)]);
  }
  const trades = h.trades.map(encodeTrade);
  const byPair = new Map<string, Uint8Array[]>();
  const byTrader = new Map<string, Uint8Array[]>();
  for (let i = 0; i < h.trades.length; i++) {
    const t = h.trades[i]!;
    const r = trades[i]!;
    const pl = byPair.get(t.symbol);
    if (pl) pl.push(r);
    else byPair.set(t.symbol, [r]);
    const b = ownerId(t.buyer);
    const s = ownerId(t.seller);
    owners.set(b, t.buyer);
    owners.set(s, t.seller);
    for (const k of b === s ? [b] : [b, s]) {
      const l = byTrader.get(k);
      if (l) l.push(r);
      else byTrader.set(k, [r]);
    }
  }
  // the summary lists keys sorted, so it does not depend on the order records arrived in
  const sorted = (m: Map<string, unknown>) => [...m.keys()].sort();
  const closedOwners = sorted(closed);
  const traders = sorted(byTrader);
  const pairs = sorted(byPair);
  w.put(key(NS.block, undefined, height), packSummary({ pairs, closedOwners: closedOwners.map((k) => owners.get(k)!), traders: traders.map((k) => owners.get(k)!) }));
  for (const k of closedOwners) w.put(key(NS.owner, owners.get(k)!, height), packRecords(closed.get(k)!));
  for (const p of pairs) w.put(key(NS.pair, pairBody(p), height), packRecords(byPair.get(p)!));
  for (const k of traders) w.put(key(NS.trader, owners.get(k)!, height), packRecords(byTrader.get(k)!));
}

/** Reads (and prunes) the history index of one node. */
export class DexHistory {
  /** Heights up to here hold no history any more (kept in memory; 0 = not yet known). */
  private prunedThrough = 0;

  constructor(
    private readonly index: IndexReader,
    /** Records a paged, counted request reads at most (see MAX_SCANNED_RECORDS). */
    private readonly maxScanned = MAX_SCANNED_RECORDS,
  ) {}

  /**
   * The block's writes: its history, and the pruning of heights older than `keepBlocks` (up to
   * `PRUNE_HEIGHTS` heights with records, or about `PRUNE_KEYS` keys, per block; the rest next time).
   */
  async write(w: IndexWriter, height: number, h: DexBlockHistory): Promise<void> {
    writeDexHistory(w, height, h);
    await this.prune(w, height - h.keepBlocks);
  }

  private async prune(w: IndexWriter, cutoff: number): Promise<void> {
    if (cutoff <= this.prunedThrough) return;
    let heights = 0;
    let keys = 0;
    let from = this.prunedThrough + 1;
    while (heights < PRUNE_HEIGHTS && keys < PRUNE_KEYS) {
      let next: [number, Uint8Array] | undefined;
      for await (const [k, v] of this.index.range({ gte: key(NS.block, undefined, from), lt: key(NS.block + 1, undefined), limit: 1 })) next = [heightOf(k), v];
      if (next === undefined || next[0] > cutoff) {
        this.prunedThrough = cutoff;
        return;
      }
      const [h, v] = next;
      const s = unpackSummary(v);
      w.del(key(NS.block, undefined, h));
      for (const o of s.closedOwners) w.del(key(NS.owner, o, h));
      for (const p of s.pairs) w.del(key(NS.pair, pairBody(p), h));
      for (const o of s.traders) w.del(key(NS.trader, o, h));
      keys += 1 + s.closedOwners.length + s.pairs.length + s.traders.length;
      heights++;
      this.prunedThrough = h;
      from = h + 1;
    }
  }

  /** A closed order by id (kept `history_blocks`): found in the history of the owner the id names. */
  async order(id: string): Promise<OrderRecord | undefined> {
    const owner = ownerOfOrderId(id);
    if (!owner) return undefined;
    let found: OrderRecord | undefined;
    await this.scan(key(NS.owner, owner), decodeOrder, (o) => {
      if (o.id !== id) return true;
      found = o;
      return false;
    });
    return found;
  }

  /** An owner's closed orders, newest first, filtered; `total` counts every match (up to the scan bound). */
  async closedOrders(owner: Address, f: ClosedFilter, page: Page): Promise<{ orders: OrderRecord[]; total: number; capped: boolean }> {
    const keep = (o: OrderRecord) =>
      (!f.symbol || o.symbol === f.symbol) && (!f.side || o.side === f.side) && (!f.status || o.status === f.status) && (f.end === undefined || o.lastUpdatedTimeMs <= f.end);
    const past = (o: OrderRecord) => f.start !== undefined && o.lastUpdatedTimeMs < f.start;
    const { items, total, capped } = await this.walk(key(NS.owner, owner), decodeOrder, keep, past, page);
    return { orders: items, total, capped };
  }

  /** Trades newest first, filtered; `total` counts every match (up to the scan bound). */
  async trades(f: TradeFilter, page: Page): Promise<{ trades: TradeRecord[]; total: number; capped: boolean }> {
    const keep = (t: TradeRecord) =>
      (!f.symbol || t.symbol === f.symbol) &&
      (f.height === undefined || t.height === f.height) &&
      (f.end === undefined || t.timeMs <= f.end) &&
      (!f.owner || !f.side || sameBytes(f.side === 1 ? t.buyer : t.seller, f.owner));
    const past = (t: TradeRecord) => f.start !== undefined && t.timeMs < f.start;
    if (f.owner || f.symbol) {
      const prefix = f.owner ? key(NS.trader, f.owner) : key(NS.pair, pairBody(f.symbol!));
      const { items, total, capped } = await this.walk(prefix, decodeTrade, keep, past, page, f.height);
      return { trades: items, total, capped };
    }
    // every pair: the block summaries say which pairs traded at each height
    const items: TradeRecord[] = [];
    let total = 0;
    let scanned = 0;
    let capped = false;
    const range = f.height === undefined ? { gte: key(NS.block, undefined), lt: key(NS.block + 1, undefined) } : { gte: key(NS.block, undefined, f.height), lt: key(NS.block, undefined, f.height + 1) };
    outer: for await (const [k, v] of this.index.range({ ...range, reverse: true })) {
      const h = heightOf(k);
      const pairs = unpackSummary(v).pairs;
      if (pairs.length === 0) continue;
      const lists = await this.index.getMany(pairs.map((p) => key(NS.pair, pairBody(p), h)));
      const block: TradeRecord[] = [];
      for (const l of lists) if (l) for (const r of unpackRecords(l)) block.push(decodeTrade(r));
      block.sort((a, b) => tradeIdx(b) - tradeIdx(a));
      for (const t of block) {
        if (past(t)) break outer;
        if (scanned++ >= this.maxScanned) {
          capped = true;
          break outer;
        }
        if (!keep(t)) continue;
        if (total >= page.offset && items.length < page.limit) items.push(t);
        total++;
      }
    }
    return { trades: items, total, capped };
  }

  /**
   * A pair's trades from `since` (unix ms) on, oldest first, and the last trade before it (the
   * 24h ticker's window and previous close).
   */
  async tradesSince(symbol: string, since: number): Promise<{ trades: TradeRecord[]; before?: TradeRecord }> {
    const out: TradeRecord[] = [];
    let before: TradeRecord | undefined;
    await this.scan(key(NS.pair, pairBody(symbol)), decodeTrade, (t) => {
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
    await this.scan(key(NS.pair, pairBody(symbol)), decodeTrade, (t) => {
      if (start !== undefined && t.timeMs < start) return false;
      if (end !== undefined && t.timeMs > end) return true;
      if (enough(t)) return false;
      out.push(t);
      return true;
    });
    return out.reverse();
  }

  /** Newest-first walk of the record lists under `prefix`, paged, with a total; stops after `maxScanned` records. */
  private async walk<T>(prefix: Uint8Array, decode: (v: Uint8Array) => T, keep: (x: T) => boolean, past: (x: T) => boolean, page: Page, height?: number): Promise<Paged<T>> {
    const items: T[] = [];
    let total = 0;
    let scanned = 0;
    let capped = false;
    await this.scan(
      prefix,
      decode,
      (x) => {
        if (past(x)) return false;
        if (scanned++ >= this.maxScanned) {
          capped = true;
          return false;
        }
        if (!keep(x)) return true;
        if (total >= page.offset && items.length < page.limit) items.push(x);
        total++;
        return true;
      },
      height,
    );
    return { items, total, capped };
  }

  /** Visits the records under `prefix` (one height's, with `height`) newest first until `visit` returns false. */
  private async scan<T>(prefix: Uint8Array, decode: (v: Uint8Array) => T, visit: (x: T) => boolean, height?: number): Promise<void> {
    if (height !== undefined) {
      const v = await this.index.get(withHeight(prefix, height));
      if (!v) return;
      const rs = unpackRecords(v);
      for (let i = rs.length - 1; i >= 0; i--) if (!visit(decode(rs[i]!))) return;
      return;
    }
    for await (const [, v] of this.index.range({ gte: prefix, lt: after(prefix), reverse: true })) {
      const rs = unpackRecords(v);
      for (let i = rs.length - 1; i >= 0; i--) if (!visit(decode(rs[i]!))) return;
    }
  }
}

/** The `idx` of a trade id `height-idx`. */
function tradeIdx(t: TradeRecord): number {
  return Number(t.id.slice(t.id.indexOf('-') + 1));
}

function withHeight(prefix: Uint8Array, h: number): Uint8Array {
  const k = new Uint8Array(prefix.length + 8);
  k.set(prefix, 0);
  writeU64BE(k, prefix.length, h);
  return k;
}
