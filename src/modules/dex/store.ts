/**
 * State layout of the DEX. Every order lives in committed state under a key that sorts the
 * way the book does, so a walk over a pair's prefix *is* the book (restarts lose nothing):
 *
 *   dex/p/<PAIR>                                   trading pair (JSON)
 *   dex/b/<PAIR>\0 side(1) priceKey(8) seq(8)       open order (JSON); buys: priceKey = MAX-price
 *   dex/i/<PAIR>\0<id>                              → book key of the open order
 *   dex/o/<owner20><PAIR>\0<id>                     owner index of open orders
 *   dex/j/<PAIR>\0 seq(8)                           this block's journal: new orders / cancels
 *   dex/t/<PAIR>                                    tag of the block that last synced the book
 *   dex/c/<owner20> height(8) seq(8)                closed order (JSON)
 *   dex/ch/ height(8) owner20 seq(8)                prune index of closed orders
 *   dex/tr/<PAIR>\0 height(8) idx(4)                trade (JSON)
 *   dex/th/ height(8) idx(4)                        prune index of trades (→ trade key)
 *   dex/bh/ day(8)                                  height of the breathe block of a UTC day
 *   dex/rp/<PAIR>                                   recent prices (JSON array, oldest first)
 *   dex/seq, dex/params, dex/h                      counters, params, last processed height
 */
import type { Address, Coin } from '../../codec/types.js';
import { fromHex, toHex } from '../../crypto/hash.js';
import { bigintToBytes8BE, concatBytes, utf8 } from '../../state/bytes.js';
import type { KVReader, KVWriter } from '../../state/types.js';
import { INT64_MAX } from '../../codec/index.js';
import {
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
export const P_TAG = utf8('dex/t/');
export const P_CLOSED = utf8('dex/c/');
export const P_CLOSED_BY_HEIGHT = utf8('dex/ch/');
export const P_TRADE = utf8('dex/tr/');
export const P_TRADE_BY_HEIGHT = utf8('dex/th/');
export const P_BREATHE = utf8('dex/bh/');
export const P_RECENT = utf8('dex/rp/');
/** Cached Σ qty of the BUY orders at one price (the int64 level check of §A.7), dropped whenever an order there changes. */
export const P_LEVEL_TOTAL = utf8('dex/lq/');
export const K_SEQ = utf8('dex/seq');
export const K_PARAMS = utf8('dex/params');
export const K_HEIGHT = utf8('dex/h');

const u32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, false);
  return b;
};

export const pairKey = (symbol: string) => concatBytes(P_PAIR, utf8(symbol));
export const bookPrefix = (symbol: string) => concatBytes(P_BOOK, utf8(symbol), SEP);
export const bookSidePrefix = (symbol: string, side: 1 | 2) => concatBytes(bookPrefix(symbol), Uint8Array.of(side));
export const priceKey = (side: 1 | 2, price: bigint) => bigintToBytes8BE(side === 1 ? INT64_MAX - price : price);
export const levelPrefix = (symbol: string, side: 1 | 2, price: bigint) => concatBytes(bookSidePrefix(symbol, side), priceKey(side, price));
export const levelTotalKey = (symbol: string, price: bigint) => concatBytes(P_LEVEL_TOTAL, utf8(symbol), SEP, bigintToBytes8BE(price));
export const bookKey = (o: OrderRecord) => concatBytes(levelPrefix(o.symbol, o.side, o.price), bigintToBytes8BE(o.seq));
export const idKey = (symbol: string, id: string) => concatBytes(P_ID, utf8(symbol), SEP, utf8(id));
export const ownerKey = (owner: Address, symbol: string, id: string) => concatBytes(P_OWNER, owner, utf8(symbol), SEP, utf8(id));
export const ownerPrefix = (owner: Address) => concatBytes(P_OWNER, owner);
export const journalPrefix = (symbol: string) => concatBytes(P_JOURNAL, utf8(symbol), SEP);
export const journalKey = (symbol: string, seq: bigint) => concatBytes(journalPrefix(symbol), bigintToBytes8BE(seq));
export const tagKey = (symbol: string) => concatBytes(P_TAG, utf8(symbol));
export const closedKey = (owner: Address, height: number, seq: bigint) => concatBytes(P_CLOSED, owner, bigintToBytes8BE(height), bigintToBytes8BE(seq));
export const closedPruneKey = (owner: Address, height: number, seq: bigint) =>
  concatBytes(P_CLOSED_BY_HEIGHT, bigintToBytes8BE(height), owner, bigintToBytes8BE(seq));
export const tradePrefix = (symbol: string) => concatBytes(P_TRADE, utf8(symbol), SEP);
export const tradeKey = (symbol: string, height: number, idx: number) => concatBytes(tradePrefix(symbol), bigintToBytes8BE(height), u32(idx));
export const tradePruneKey = (height: number, idx: number) => concatBytes(P_TRADE_BY_HEIGHT, bigintToBytes8BE(height), u32(idx));
export const breatheKey = (day: number) => concatBytes(P_BREATHE, bigintToBytes8BE(day));
export const recentKey = (symbol: string) => concatBytes(P_RECENT, utf8(symbol));

// ---------------------------------------------------------------------------------------------
// JSON records

const coinsJ = (c: readonly Coin[]) => c.map((x) => [x.denom, x.amount.toString()] as [string, string]);
const coinsP = (c: [string, string][]): Coin[] => c.map(([denom, a]) => ({ denom, amount: BigInt(a) }));

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

type OrderStored = [
  string, // id
  string, // owner hex
  string, // symbol
  1 | 2,
  string, // price
  string, // qty
  string, // cumQty
  1 | 3,
  string, // seq
  number, // createdHeight
  number, // createdTimeMs
  string, // txHash
  number, // lastUpdatedHeight
  number, // lastUpdatedTimeMs
  OrderStatusValue,
  [string, string][], // fees
  string, // lastTradeId
  string, // lastExecutedPrice
  string, // lastExecutedQty
];

export function encodeOrder(o: OrderRecord): Uint8Array {
  const s: OrderStored = [
    o.id,
    toHex(o.owner),
    o.symbol,
    o.side,
    o.price.toString(),
    o.qty.toString(),
    o.cumQty.toString(),
    o.timeInForce,
    o.seq.toString(),
    o.createdHeight,
    o.createdTimeMs,
    o.txHash,
    o.lastUpdatedHeight,
    o.lastUpdatedTimeMs,
    o.status,
    coinsJ(o.fees),
    o.lastTradeId,
    o.lastExecutedPrice.toString(),
    o.lastExecutedQty.toString(),
  ];
  return enc.encode(JSON.stringify(s));
}

export function decodeOrder(b: Uint8Array): OrderRecord {
  const s = JSON.parse(dec.decode(b)) as OrderStored;
  return {
    id: s[0],
    owner: fromHex(s[1]),
    symbol: s[2],
    side: s[3],
    price: BigInt(s[4]),
    qty: BigInt(s[5]),
    cumQty: BigInt(s[6]),
    timeInForce: s[7],
    seq: BigInt(s[8]),
    createdHeight: s[9],
    createdTimeMs: s[10],
    txHash: s[11],
    lastUpdatedHeight: s[12],
    lastUpdatedTimeMs: s[13],
    status: s[14],
    fees: coinsP(s[15]),
    lastTradeId: s[16],
    lastExecutedPrice: BigInt(s[17]),
    lastExecutedQty: BigInt(s[18]),
  };
}

type TradeStored = [string, string, string, string, string, string, string, string, number, number, number, [string, string][], [string, string][]];

export function encodeTrade(t: TradeRecord): Uint8Array {
  const s: TradeStored = [
    t.id,
    t.symbol,
    t.price.toString(),
    t.qty.toString(),
    t.buyerOrderId,
    t.sellerOrderId,
    toHex(t.buyer),
    toHex(t.seller),
    t.height,
    t.timeMs,
    t.tickType,
    coinsJ(t.buyerFee),
    coinsJ(t.sellerFee),
  ];
  return enc.encode(JSON.stringify(s));
}

export function decodeTrade(b: Uint8Array): TradeRecord {
  const s = JSON.parse(dec.decode(b)) as TradeStored;
  return {
    id: s[0],
    symbol: s[1],
    price: BigInt(s[2]),
    qty: BigInt(s[3]),
    buyerOrderId: s[4],
    sellerOrderId: s[5],
    buyer: fromHex(s[6]),
    seller: fromHex(s[7]),
    height: s[8],
    timeMs: s[9],
    tickType: s[10],
    buyerFee: coinsP(s[11]),
    sellerFee: coinsP(s[12]),
  };
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

/** Next global arrival number (orders, journal entries, closed records). */
export function nextSeq(kv: KVWriter): bigint {
  const raw = kv.get(K_SEQ);
  const n = raw ? BigInt(dec.decode(raw)) : 1n;
  kv.set(K_SEQ, enc.encode((n + 1n).toString()));
  return n;
}

export function getPair(kv: KVReader, symbol: string): TradingPair | undefined {
  const b = kv.get(pairKey(symbol));
  return b ? decodePair(b) : undefined;
}

export function setPair(kv: KVWriter, p: TradingPair): void {
  kv.set(pairKey(`${p.base}_${p.quote}`), encodePair(p));
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

export function putOpenOrder(kv: KVWriter, o: OrderRecord): void {
  if (o.side === 1) kv.delete(levelTotalKey(o.symbol, o.price));
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

/** Moves an order into the closed history (kept `historyBlocks`). */
export function putClosedOrder(kv: KVWriter, o: OrderRecord, height: number): void {
  const seq = nextSeq(kv);
  kv.set(closedKey(o.owner, height, seq), encodeOrder(o));
  kv.set(closedPruneKey(o.owner, height, seq), new Uint8Array(0));
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

export const utf8Decode = (b: Uint8Array): string => dec.decode(b);
export const utf8Encode = (s: string): Uint8Array => enc.encode(s);
