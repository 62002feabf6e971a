/**
 * State layout of the DEX. Every order lives in committed state under a key that sorts the
 * way the book does, so a walk over a pair's prefix *is* the book (restarts lose nothing):
 *
 *   dex/p/<PAIR>                                   trading pair (JSON)
 *   dex/b/<PAIR>\0 side(1) priceKey(8) seq(8)       open order (binary); buys: priceKey = MAX-price
 *   dex/i/<PAIR>\0<id>                              → book key of the open order
 *   dex/o/<owner20><PAIR>\0<id>                     owner index of open orders
 *   dex/n/<PAIR>\0<id>                              order placed in this block (binary), not yet in
 *                                                   the book: EndBlock moves it to b/i/o if it rests
 *   dex/j/<PAIR>\0 seq(8)                           this block's journal: cancels (binary)
 *   dex/t/<PAIR>                                    tag of the block that last synced the book
 *   dex/bh/ day(8)                                  height of the breathe block of a UTC day
 *   dex/rp/<PAIR>                                   recent prices (JSON array, oldest first)
 *   dex/mr/<PAIR>                                   a mini pair's round orders not matched yet
 *                                                   (ids, arrival order): kept until it is selected
 *   dex/seq, dex/params, dex/h                      counters (8 bytes BE), params, last processed height
 *
 * `n/` and `j/` keys live only inside a block: EndBlock drains them, so committed state (what
 * queries read) never holds any. An order placed and filled in one block thus writes no book,
 * id or owner key at all. Closed orders and trades are history, not state: they leave with the
 * block's results (`DexBlockHistory`) and the node indexes them (`history.ts`). Records are a fixed binary layout led by a format byte (`FORMAT`); a
 * data dir of the older JSON layout is refused with a clear error instead of misread.
 */
import type { Address, Coin } from '../../codec/types.js';
import { rootError } from '../../errors.js';
import { bigintToBytes8BE, bytes8BEToBigint, concatBytes, utf8, writeU64BE } from '../../state/bytes.js';
import type { KVReader, KVWriter, ValueCodec } from '../../state/types.js';
import { readDecoded, writeDecoded } from '../../state/decoded.js';
import { INT64_MAX } from '../../codec/index.js';
import { RecordBuffer } from '../../store/record-buffer.js';
import {
  OrderStatus,
  defaultDexParams,
  type DexParams,
  type OrderRecord,
  type OrderStatusValue,
  type TradeRecord,
  type TradingPair,
} from './types.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const SEP = Uint8Array.of(0);

export const P_PAIR = utf8('dex/p/');
export const P_BOOK = utf8('dex/b/');
export const P_ID = utf8('dex/i/');
export const P_OWNER = utf8('dex/o/');
export const P_JOURNAL = utf8('dex/j/');
export const P_PENDING = utf8('dex/n/');
export const P_TAG = utf8('dex/t/');
export const P_BREATHE = utf8('dex/bh/');
export const P_RECENT = utf8('dex/rp/');
/** Cached Σ qty of the BUY orders at one price (the int64 level check of §A.7), dropped whenever an order there changes. */
export const P_LEVEL_TOTAL = utf8('dex/lq/');
/** Round order ids of a mini pair that was not selected for matching (§A.1), kept until it is. */
export const P_MINI_ROUND = utf8('dex/mr/');
export const K_SEQ = utf8('dex/seq');
export const K_PARAMS = utf8('dex/params');
export const K_HEIGHT = utf8('dex/h');

// Key builders on the per-order paths write one buffer instead of concatenating pieces.

const P_EMPTY = new Uint8Array(0);
/** `prefix ‖ utf8(symbol) ‖ 0`, memoised (a handful of pairs, thousands of keys per block); read-only. */
const heads = new Map<Uint8Array, Map<string, Uint8Array>>();
function symbolHead(prefix: Uint8Array, symbol: string): Uint8Array {
  let m = heads.get(prefix);
  if (!m) heads.set(prefix, (m = new Map()));
  let h = m.get(symbol);
  if (!h) {
    if (m.size >= 256) m.clear(); // symbols from txs that name unknown pairs must not pile up
    h = concatBytes(prefix, utf8(symbol), SEP);
    m.set(symbol, h);
  }
  return h;
}

/** `head ‖ utf8(s)` (ASCII written directly). */
function headStr(h: Uint8Array, s: string): Uint8Array {
  const n = s.length;
  const out = new Uint8Array(h.length + n);
  out.set(h, 0);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return concatBytes(h, utf8(s));
    out[h.length + i] = c;
  }
  return out;
}

/** `head ‖ bigintToBytes8BE(v)`. */
function headNum(h: Uint8Array, v: bigint | number): Uint8Array {
  const out = new Uint8Array(h.length + 8);
  out.set(h, 0);
  writeU64BE(out, h.length, v);
  return out;
}


/** `dex/p/<PAIR>`, memoised (read by every order); read-only. */
const pairKeys = new Map<string, Uint8Array>();
/** Counters and level totals: the state layer's uint64 codec. */
export { bytes8BEToBigint as readU64BE, bigintToBytes8BE as u64Bytes };

export const pairKey = (symbol: string): Uint8Array => {
  let k = pairKeys.get(symbol);
  if (!k) {
    if (pairKeys.size >= 256) pairKeys.clear(); // symbols from txs that name unknown pairs must not pile up
    k = concatBytes(P_PAIR, utf8(symbol));
    pairKeys.set(symbol, k);
  }
  return k;
};
export const bookPrefix = (symbol: string) => concatBytes(P_BOOK, utf8(symbol), SEP);
export const bookSidePrefix = (symbol: string, side: 1 | 2) => concatBytes(bookPrefix(symbol), Uint8Array.of(side));
export const priceKey = (side: 1 | 2, price: bigint) => bigintToBytes8BE(side === 1 ? INT64_MAX - price : price);
export const levelPrefix = (symbol: string, side: 1 | 2, price: bigint) => concatBytes(bookSidePrefix(symbol, side), priceKey(side, price));
export const levelTotalKey = (symbol: string, price: bigint) => headNum(symbolHead(P_LEVEL_TOTAL, symbol), price);
export const bookKey = (o: OrderRecord): Uint8Array => {
  const h = symbolHead(P_BOOK, o.symbol);
  const out = new Uint8Array(h.length + 17);
  out.set(h, 0);
  out[h.length] = o.side;
  writeU64BE(out, h.length + 1, o.side === 1 ? INT64_MAX - o.price : o.price);
  writeU64BE(out, h.length + 9, o.seq);
  return out;
};
export const idKey = (symbol: string, id: string) => headStr(symbolHead(P_ID, symbol), id);
export const ownerKey = (owner: Address, symbol: string, id: string) => headStr(concatBytes(P_OWNER, owner, symbolHead(P_EMPTY, symbol)), id);
export const ownerPrefix = (owner: Address) => concatBytes(P_OWNER, owner);
export const journalPrefix = (symbol: string) => concatBytes(P_JOURNAL, utf8(symbol), SEP);
export const pendingPrefix = (symbol: string) => concatBytes(P_PENDING, utf8(symbol), SEP);
export const pendingKey = (symbol: string, id: string) => headStr(symbolHead(P_PENDING, symbol), id);
export const journalKey = (symbol: string, seq: bigint) => concatBytes(journalPrefix(symbol), bigintToBytes8BE(seq));
export const tagKey = (symbol: string) => concatBytes(P_TAG, utf8(symbol));
export const breatheKey = (day: number) => concatBytes(P_BREATHE, bigintToBytes8BE(day));
export const recentKey = (symbol: string) => concatBytes(P_RECENT, utf8(symbol));
export const miniRoundKey = (symbol: string) => concatBytes(P_MINI_ROUND, utf8(symbol));

/** A mini pair's pending round: order ids joined by `\n` (ids are `HEX-N`, never containing one). */
export function encodeMiniRound(ids: readonly string[]): Uint8Array {
  return enc.encode(ids.join('\n'));
}

export function decodeMiniRound(b: Uint8Array): string[] {
  return b.length === 0 ? [] : dec.decode(b).split('\n');
}

// ---------------------------------------------------------------------------------------------
// JSON records


export function encodePair(p: TradingPair): Uint8Array {
  return enc.encode(
    JSON.stringify([p.base, p.quote, p.listPrice.toString(), p.tickSize.toString(), p.lotSize.toString(), p.lastTradePrice.toString(), p.lastMatchHeight]),
  );
}

export function decodePair(b: Uint8Array): TradingPair {
  const a = JSON.parse(dec.decode(b)) as [string, string, string, string, string, string, number];
  return {
    base: a[0],
    quote: a[1],
    listPrice: BigInt(a[2]),
    tickSize: BigInt(a[3]),
    lotSize: BigInt(a[4]),
    lastTradePrice: BigInt(a[5]),
    lastMatchHeight: a[6],
  };
}

// ---------------------------------------------------------------------------------------------
// binary records: FORMAT byte, then fixed-width numbers and length-prefixed UTF-8 strings

/** Leading byte of every binary DEX record; the former JSON records start with `[` (0x5b). */
export const FORMAT = 2;

const STATUS_CODES: readonly OrderStatusValue[] = [
  OrderStatus.Ack,
  OrderStatus.Canceled,
  OrderStatus.Expired,
  OrderStatus.IocNoFill,
  OrderStatus.IocExpire,
  OrderStatus.PartialFill,
  OrderStatus.FullyFill,
  OrderStatus.FailedBlocking,
  OrderStatus.FailedMatching,
];
const STATUS_INDEX = new Map(STATUS_CODES.map((s, i) => [s, i]));
const TWO32 = 4294967296;
const MAX_SAFE_N = BigInt(Number.MAX_SAFE_INTEGER);

function formatError(what: string, b: Uint8Array): Error {
  const hint = b.length > 0 && b[0] === 0x5b ? ' (JSON: written by an older dexchain; start from a fresh data dir)' : '';
  return rootError('internal', `dex: stored ${what} is not in the current record format ${FORMAT}${hint}`);
}

/** Bytes per slab of `Writer`: records are written straight into it and handed out as views. */
const SLAB = 64 * 1024;
/** Strings at least this long are written with `encodeInto` (native), shorter ones byte by byte. */
const LONG_STR = 24;

/**
 * Write buffer shared by the (synchronous) encoders: records go back to back into 64 KB slabs
 * and `done()` hands out a view of the bytes just written (no copy, no ArrayBuffer per record:
 * an off-heap allocation costs more than encoding an order). This format: big-endian fields,
 * u16 string lengths, signed hi/lo safe integers, records 8-aligned.
 */
class Writer extends RecordBuffer<Uint8Array> {
  dv: DataView;
  constructor() {
    super(new Uint8Array(SLAB));
    this.dv = new DataView(this.buf.buffer);
  }
  protected override grown(need: number): Uint8Array {
    return new Uint8Array(Math.max(SLAB, need * 2));
  }
  protected override grow(n: number): void {
    super.grow(n);
    this.dv = new DataView(this.buf.buffer);
  }
  /** Drops an unfinished record (an encoder that threw) and starts the next one. */
  reset(): this {
    this.pos = this.start;
    return this;
  }
  /** Safe integer (heights, ms) as signed hi32/lo32, exact for |v| < 2^53. */
  int(v: number): void {
    this.ensure(8);
    const hi = Math.floor(v / TWO32);
    this.dv.setInt32(this.pos, hi);
    this.dv.setUint32(this.pos + 4, v - hi * TWO32);
    this.pos += 8;
  }
  /** int64 amount; anything outside int64 is a bug upstream, refused rather than truncated. */
  i64(v: bigint): void {
    this.ensure(8);
    if (v >= 0n && v <= MAX_SAFE_N) {
      // amounts are small non-negative numbers: two uint32 words, cheaper than setBigInt64
      const x = Number(v);
      const hi = Math.floor(x / TWO32);
      this.dv.setUint32(this.pos, hi);
      this.dv.setUint32(this.pos + 4, x - hi * TWO32);
    } else {
      if (v > INT64_MAX || v < -INT64_MAX - 1n) throw rootError('internal', `dex: amount ${v} outside int64`);
      this.dv.setBigInt64(this.pos, v);
    }
    this.pos += 8;
  }
  /** u16 byte length ‖ UTF-8. */
  str(s: string): void {
    // UTF-8 is at most 3 bytes per UTF-16 unit
    const n = s.length;
    this.ensure(2 + n * 3);
    const buf = this.buf;
    const at = this.pos + 2;
    if (n < LONG_STR) {
      // ids, symbols, hashes are ASCII: short ones written byte by byte
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at + i] = c;
      }
      if (i === n) {
        this.dv.setUint16(this.pos, n);
        this.pos = at + n;
        return;
      }
    }
    const r = enc.encodeInto(s, buf.subarray(at, at + n * 3));
    if (r.written > 0xffff) throw rootError('internal', 'dex: string too long for a record');
    this.dv.setUint16(this.pos, r.written);
    this.pos = at + r.written;
  }
  coins(c: readonly Coin[]): void {
    this.ensure(2);
    this.dv.setUint16(this.pos, c.length);
    this.pos += 2;
    for (const x of c) {
      this.str(x.denom);
      this.i64(x.amount);
    }
  }
  done(): Uint8Array {
    const out = this.view();
    // next record starts 8-aligned (keeps views of one slab apart, DataView reads aligned)
    this.start = this.pos = Math.min((this.pos + 7) & ~7, this.buf.length);
    return out;
  }
}

const W = new Writer();

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;

/** UTF-8 of `b[start, end)`; ASCII (what records hold) as latin1, which is the same string and cheaper. */
function utf8Str(b: Uint8Array, start: number, end: number): string {
  for (let i = start; i < end; i++) if (b[i]! >= 0x80) return dec.decode(b.subarray(start, end));
  return latin1Slice.call(b, start, end);
}

class Reader {
  private readonly dv: DataView;
  n = 1;
  constructor(
    readonly b: Uint8Array,
    what: string,
  ) {
    if (b.length === 0 || b[0] !== FORMAT) throw formatError(what, b);
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  u8(): number {
    return this.b[this.n++]!;
  }
  int(): number {
    const v = this.dv.getInt32(this.n) * TWO32 + this.dv.getUint32(this.n + 4);
    this.n += 8;
    return v;
  }
  i64(): bigint {
    const hi = this.dv.getInt32(this.n);
    // non-negative below 2^53 (every amount in practice): one double → bigint, cheaper than getBigInt64
    const v = hi >= 0 && hi < 0x200000 ? BigInt(hi * TWO32 + this.dv.getUint32(this.n + 4)) : this.dv.getBigInt64(this.n);
    this.n += 8;
    return v;
  }
  bytes(k: number): Uint8Array {
    const v = this.b.slice(this.n, this.n + k);
    this.n += k;
    return v;
  }
  str(): string {
    const k = this.dv.getUint16(this.n);
    const v = k === 0 ? '' : utf8Str(this.b, this.n + 2, this.n + 2 + k);
    this.n += 2 + k;
    return v;
  }
  coins(): Coin[] {
    const k = this.dv.getUint16(this.n);
    this.n += 2;
    const out: Coin[] = [];
    for (let i = 0; i < k; i++) {
      const denom = this.str();
      out.push({ denom, amount: this.i64() });
    }
    return out;
  }
}

/** Owner addresses are 20 bytes in state; anything else would not round-trip. */
function owner20(a: Address): Address {
  if (a.length !== 20) throw rootError('internal', `dex: owner address must be 20 bytes, got ${a.length}`);
  return a;
}

export function encodeOrder(o: OrderRecord): Uint8Array {
  const w = W.reset();
  w.u8(FORMAT);
  w.bytes(owner20(o.owner));
  w.u8(o.side);
  w.u8(o.timeInForce);
  const st = STATUS_INDEX.get(o.status);
  if (st === undefined) throw rootError('internal', `dex: unknown order status ${o.status}`);
  w.u8(st);
  w.i64(o.price);
  w.i64(o.qty);
  w.i64(o.cumQty);
  w.i64(o.seq);
  w.int(o.createdHeight);
  w.int(o.createdTimeMs);
  w.int(o.lastUpdatedHeight);
  w.int(o.lastUpdatedTimeMs);
  w.i64(o.lastExecutedPrice);
  w.i64(o.lastExecutedQty);
  w.str(o.id);
  w.str(o.symbol);
  w.str(o.txHash);
  w.str(o.lastTradeId);
  w.coins(o.fees);
  return w.done();
}

export function decodeOrder(b: Uint8Array): OrderRecord {
  const r = new Reader(b, 'order');
  const owner = r.bytes(20);
  const side = r.u8() as 1 | 2;
  const timeInForce = r.u8() as 1 | 3;
  const status = STATUS_CODES[r.u8()]!;
  const price = r.i64();
  const qty = r.i64();
  const cumQty = r.i64();
  const seq = r.i64();
  const createdHeight = r.int();
  const createdTimeMs = r.int();
  const lastUpdatedHeight = r.int();
  const lastUpdatedTimeMs = r.int();
  const lastExecutedPrice = r.i64();
  const lastExecutedQty = r.i64();
  const id = r.str();
  const symbol = r.str();
  const txHash = r.str();
  const lastTradeId = r.str();
  const fees = r.coins();
  return {
    id,
    owner,
    symbol,
    side,
    price,
    qty,
    cumQty,
    timeInForce,
    seq,
    createdHeight,
    createdTimeMs,
    txHash,
    lastUpdatedHeight,
    lastUpdatedTimeMs,
    status,
    fees,
    lastTradeId,
    lastExecutedPrice,
    lastExecutedQty,
  };
}

/**
 * Orders placed in a block are kept decoded in the views (`writeDecoded`): EndBlock drains them
 * as the objects `placeOrder` wrote, and the check state, never hashed, never encodes them.
 */
export const ORDER_CODEC: ValueCodec<OrderRecord> = { encode: encodeOrder, decode: decodeOrder };

/** Offsets of fields read without a full decode (book scans need only these). */
const O_SIDE = 21;
const O_PRICE = 24;
const O_QTY = 32;
const O_CUMQTY = 40;

/** `qty` of a stored order (level sums), without decoding the rest. */
export function orderQtyOf(b: Uint8Array): bigint {
  if (b.length < O_CUMQTY + 8 || b[0] !== FORMAT) throw formatError('order', b);
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigInt64(O_QTY);
}

/** `[side, price, qty, cumQty]` of a stored order, without decoding the rest. */
export function orderPriceQtyOf(b: Uint8Array): { side: 1 | 2; price: bigint; qty: bigint; cumQty: bigint } {
  if (b.length < O_CUMQTY + 8 || b[0] !== FORMAT) throw formatError('order', b);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { side: b[O_SIDE] as 1 | 2, price: dv.getBigInt64(O_PRICE), qty: dv.getBigInt64(O_QTY), cumQty: dv.getBigInt64(O_CUMQTY) };
}

export function encodeTrade(t: TradeRecord): Uint8Array {
  const w = W.reset();
  w.u8(FORMAT);
  w.bytes(owner20(t.buyer));
  w.bytes(owner20(t.seller));
  w.i64(t.price);
  w.i64(t.qty);
  w.int(t.height);
  w.int(t.timeMs);
  w.int(t.tickType);
  w.str(t.id);
  w.str(t.symbol);
  w.str(t.buyerOrderId);
  w.str(t.sellerOrderId);
  w.coins(t.buyerFee);
  w.coins(t.sellerFee);
  return w.done();
}

export function decodeTrade(b: Uint8Array): TradeRecord {
  const r = new Reader(b, 'trade');
  const buyer = r.bytes(20);
  const seller = r.bytes(20);
  const price = r.i64();
  const qty = r.i64();
  const height = r.int();
  const timeMs = r.int();
  const tickType = r.int();
  const id = r.str();
  const symbol = r.str();
  const buyerOrderId = r.str();
  const sellerOrderId = r.str();
  const buyerFee = r.coins();
  const sellerFee = r.coins();
  return { id, symbol, price, qty, buyerOrderId, sellerOrderId, buyer, seller, height, timeMs, tickType, buyerFee, sellerFee };
}

/** Journal entry: a cancel of a book order ('c') or of an order placed in this block ('x'). */
export function encodeJournal(op: 'c' | 'x', id: string): Uint8Array {
  const w = W.reset();
  w.u8(FORMAT);
  w.u8(op === 'c' ? 1 : 2);
  w.str(id);
  return w.done();
}

export function decodeJournal(b: Uint8Array): { op: 'c' | 'x'; id: string } {
  const r = new Reader(b, 'journal entry');
  const op = r.u8() === 1 ? 'c' : 'x';
  return { op, id: r.str() };
}

export function encodeParams(p: DexParams): Uint8Array {
  const f = p.fees;
  return enc.encode(
    JSON.stringify({
      fees: {
        expire_fee: f.expireFee.toString(),
        expire_fee_native: f.expireFeeNative.toString(),
        cancel_fee: f.cancelFee.toString(),
        cancel_fee_native: f.cancelFeeNative.toString(),
        fee_rate: f.feeRate.toString(),
        fee_rate_native: f.feeRateNative.toString(),
        ioc_expire_fee: f.iocExpireFee.toString(),
        ioc_expire_fee_native: f.iocExpireFeeNative.toString(),
      },
      history_blocks: p.historyBlocks,
      expire_days: p.expireDays,
      top_level_expire_days: p.topLevelExpireDays,
      top_levels: p.topLevels,
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// small state helpers

export function readParams(kv: KVReader, parse: (raw: unknown) => DexParams): DexParams {
  const raw = kv.get(K_PARAMS);
  return raw ? parse(JSON.parse(dec.decode(raw))) : defaultDexParams();
}

/** The arrival counter (8 bytes BE), kept decoded in the views: read and bumped by every order. */
const SEQ_CODEC: ValueCodec<bigint> = {
  encode: bigintToBytes8BE,
  decode(raw) {
    if (raw.length !== 8 || raw[0] !== 0) throw formatError('sequence counter', raw);
    return bytes8BEToBigint(raw);
  },
};

/** Next global arrival number (orders, journal entries). */
export function nextSeq(kv: KVWriter): bigint {
  const n = readDecoded(kv, K_SEQ, SEQ_CODEC) ?? 1n;
  writeDecoded(kv, K_SEQ, n + 1n, SEQ_CODEC);
  return n;
}

/** Reserves `n` ≥ 1 consecutive arrival numbers (as `n` calls of `nextSeq`); returns the first. */
export function nextSeqs(kv: KVWriter, n: number): bigint {
  const first = readDecoded(kv, K_SEQ, SEQ_CODEC) ?? 1n;
  writeDecoded(kv, K_SEQ, first + BigInt(n), SEQ_CODEC);
  return first;
}

/** Pairs are read by every order: the views keep them decoded (same JSON bytes in state). */
export const PAIR_CODEC: ValueCodec<TradingPair> = { encode: encodePair, decode: decodePair };

/** A fresh copy (callers may change it and `setPair` it). */
export function getPair(kv: KVReader, symbol: string): TradingPair | undefined {
  const p = readDecoded(kv, pairKey(symbol), PAIR_CODEC);
  return p ? { ...p } : undefined;
}

/** The pair as the view keeps it, not copied: read it, never change it (`getPair` for that). */
export function readPair(kv: KVReader, symbol: string): Readonly<TradingPair> | undefined {
  return readDecoded(kv, pairKey(symbol), PAIR_CODEC);
}

export function setPair(kv: KVWriter, p: TradingPair): void {
  writeDecoded(kv, pairKey(`${p.base}_${p.quote}`), { ...p }, PAIR_CODEC);
}

export function* iteratePairs(kv: KVReader): Iterable<TradingPair> {
  for (const [, v] of kv.iterate(P_PAIR)) yield decodePair(v);
}

/** The open order with this id on the pair, with its book key. */
export function getOpenOrder(kv: KVReader, symbol: string, id: string): { key: Uint8Array; order: OrderRecord } | undefined {
  const key = kv.get(idKey(symbol, id));
  if (!key) return undefined;
  const v = kv.get(key);
  return v ? { key, order: decodeOrder(v) } : undefined;
}

/** An order placed in this block (not yet in the book keys). */
export function getPendingOrder(kv: KVReader, symbol: string, id: string): OrderRecord | undefined {
  const v = kv.get(pendingKey(symbol, id));
  return v ? decodeOrder(v) : undefined;
}

/** Book, id and owner keys of a resting order; `keepLevel`: the cached level total already counts it. */
export function putOpenOrder(kv: KVWriter, o: OrderRecord, keepLevel = false): void {
  if (o.side === 1 && !keepLevel) kv.delete(levelTotalKey(o.symbol, o.price));
  const key = bookKey(o);
  kv.set(key, encodeOrder(o));
  kv.set(idKey(o.symbol, o.id), key);
  kv.set(ownerKey(o.owner, o.symbol, o.id), new Uint8Array(0));
}

export function deleteOpenOrder(kv: KVWriter, o: OrderRecord): void {
  if (o.side === 1) kv.delete(levelTotalKey(o.symbol, o.price));
  kv.delete(bookKey(o));
  kv.delete(idKey(o.symbol, o.id));
  kv.delete(ownerKey(o.owner, o.symbol, o.id));
}

export function readHeight(kv: KVReader): number {
  const raw = kv.get(K_HEIGHT);
  return raw ? Number(dec.decode(raw)) : 0;
}

export function writeHeight(kv: KVWriter, h: number): void {
  kv.set(K_HEIGHT, enc.encode(String(h)));
}

export function readRecentPrices(kv: KVReader, symbol: string): bigint[] {
  const raw = kv.get(recentKey(symbol));
  return raw ? (JSON.parse(dec.decode(raw)) as string[]).map((x) => BigInt(x)) : [];
}

export function writeRecentPrices(kv: KVWriter, symbol: string, prices: readonly bigint[]): void {
  kv.set(recentKey(symbol), enc.encode(JSON.stringify(prices.map((p) => p.toString()))));
}

export const utf8Decode = (b: Uint8Array): string => utf8Str(b, 0, b.length);
export const utf8Encode = (s: string): Uint8Array => enc.encode(s);
