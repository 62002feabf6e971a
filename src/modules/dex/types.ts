/** DEX records and parameters (spec §A, §C). Prices and quantities are int64 fixed-8 bigints. */
import type { Address, Coin } from '../../codec/types.js';

export const OrderStatus = {
  Ack: 'Ack',
  Canceled: 'Canceled',
  Expired: 'Expired',
  IocNoFill: 'IocNoFill',
  IocExpire: 'IocExpire',
  PartialFill: 'PartialFill',
  FullyFill: 'FullyFill',
  FailedBlocking: 'FailedBlocking',
  FailedMatching: 'FailedMatching',
} as const;
export type OrderStatusValue = (typeof OrderStatus)[keyof typeof OrderStatus];

export const OrderSide = { BUY: 1, SELL: 2 } as const;
export const TimeInForce = { GTE: 1, IOC: 3 } as const;
export const ORDER_TYPE_LIMIT = 2;
export const NATIVE = 'BNB';
export const ONE = 100_000_000n;

export interface TradingPair {
  base: string;
  quote: string;
  listPrice: bigint;
  tickSize: bigint;
  lotSize: bigint;
  /** The engine's reference price: the listing price until the first concluded auction. */
  lastTradePrice: bigint;
  /** Height of the previous match call (maker/taker rule, §A.4.2). */
  lastMatchHeight: number;
}

export function pairSymbol(base: string, quote: string): string {
  return `${base}_${quote}`;
}

/** `BASE_QUOTE` split on the first `_`. */
export function splitPair(symbol: string): [string, string] | undefined {
  const i = symbol.indexOf('_');
  if (i <= 0 || i === symbol.length - 1) return undefined;
  return [symbol.slice(0, i), symbol.slice(i + 1)];
}

export interface OrderRecord {
  id: string;
  owner: Address;
  symbol: string;
  side: 1 | 2;
  price: bigint;
  qty: bigint;
  cumQty: bigint;
  timeInForce: 1 | 3;
  /** Global arrival number: orders of a price level are in `seq` order. */
  seq: bigint;
  createdHeight: number;
  createdTimeMs: number;
  txHash: string;
  lastUpdatedHeight: number;
  lastUpdatedTimeMs: number;
  status: OrderStatusValue;
  /** Fees charged on this order so far (trades, cancel, expiry). */
  fees: Coin[];
  lastTradeId: string;
  lastExecutedPrice: bigint;
  lastExecutedQty: bigint;
}

export interface TradeRecord {
  /** `height-index`. */
  id: string;
  symbol: string;
  price: bigint;
  qty: bigint;
  buyerOrderId: string;
  sellerOrderId: string;
  buyer: Address;
  seller: Address;
  height: number;
  timeMs: number;
  tickType: number;
  buyerFee: Coin[];
  sellerFee: Coin[];
}

/** `DexFeeParam` (fees.json `dex_fee_param`); rates in parts per million, fixed fees in 1e-8 BNB. */
export interface DexFeeParams {
  expireFee: bigint;
  expireFeeNative: bigint;
  cancelFee: bigint;
  cancelFeeNative: bigint;
  feeRate: bigint;
  feeRateNative: bigint;
  iocExpireFee: bigint;
  iocExpireFeeNative: bigint;
}

export function defaultDexFeeParams(): DexFeeParams {
  return {
    expireFee: 50_000n,
    expireFeeNative: 10_000n,
    cancelFee: 50_000n,
    cancelFeeNative: 10_000n,
    feeRate: 1_000n,
    feeRateNative: 400n,
    iocExpireFee: 25_000n,
    iocExpireFeeNative: 5_000n,
  };
}

export interface DexParams {
  fees: DexFeeParams;
  /**
   * Blocks of closed orders and trades a node keeps in its history index (beside the tx index,
   * not in consensus state); older ones are pruned there.
   */
  historyBlocks: number;
  /** GTE orders expire after this many days (breathe-block granularity)… */
  expireDays: number;
  /** …or after this many when they sit in the best `topLevels` price levels of their side (BEP67). */
  topLevelExpireDays: number;
  topLevels: number;
}

export function defaultDexParams(): DexParams {
  return { fees: defaultDexFeeParams(), historyBlocks: 100_000, expireDays: 3, topLevelExpireDays: 30, topLevels: 500 };
}

/** Recent-price ring (§A.8): a price every 1000 blocks, 2000 kept, recompute from 500. */
export const RECENT_PRICE_INTERVAL = 1000;
export const RECENT_PRICE_CAPACITY = 2000;
export const RECENT_PRICE_MIN = 500;
/** Delisting runs at the first breathe block ≥ 3 days after the voting period ends. */
export const DELIST_DELAY_MS = 3 * 86_400_000;
export const DAY_MS = 86_400_000;

/**
 * What a block did to the DEX that is history, not state: the orders it closed (cancel txs in
 * tx order, then EndBlock's in pair and arrival order) and its trades (in id order). The app
 * hands it to the node with the block's results; the node indexes it beside the tx index.
 * Keeping it out of state keeps a node's memory flat under order load and the Merkle tree small.
 */
export interface DexBlockHistory {
  closedOrders: OrderRecord[];
  trades: TradeRecord[];
  /** The `historyBlocks` param in force at this block (how long the node keeps history). */
  keepBlocks: number;
}
