/**
 * Data model of the periodic-auction match engine (spec §A.2, §A.4; `node:plugins/dex/matcheng/types.go`).
 *
 * Everything is an integer: prices and quantities are int64 fixed-point values held as bigint,
 * order times are block heights. The engine never rounds a price or a quantity except where the
 * spec says so (lot-based pro-rata, §A.4.1 / §A.4.5).
 */

export const BUY = 1 as const;
export const SELL = 2 as const;
/** BUY = 1, SELL = 2 (the engine's and the wire format's numbering). */
export type Side = typeof BUY | typeof SELL;

export const INT64_MAX = (1n << 63n) - 1n;

/**
 * One resting order as the book sees it. The object is owned by the book and mutated in place by
 * the engine (`cumQty` grows with fills), exactly like the Go engine writes through its slices.
 */
export interface OrderPart {
  readonly id: string;
  /** Block height at which the order entered the book (`CreatedHeight`); decides maker vs taker. */
  readonly time: number;
  readonly qty: bigint;
  cumQty: bigint;
  readonly price: bigint;
  readonly side: Side;
}

/** A price level: orders kept in arrival order (time priority inside the level). */
export interface PriceLevel {
  readonly price: bigint;
  readonly orders: OrderPart[];
}

/** Trade tick types (`types.go`): who was the aggressor, or which side had the surplus. */
export const TickType = {
  Unknown: 0,
  SellTaker: 1,
  BuyTaker: 2,
  BuySurplus: 3,
  SellSurplus: 4,
  Neutral: 5,
} as const;
export type TickType = (typeof TickType)[keyof typeof TickType];

export const TICK_TYPE_NAMES: Record<TickType, keyof typeof TickType> = {
  0: 'Unknown',
  1: 'SellTaker',
  2: 'BuyTaker',
  3: 'BuySurplus',
  4: 'SellSurplus',
  5: 'Neutral',
};

/** One execution between a sell order and a buy order, in generation order. */
export interface Trade {
  /** Sell order id. */
  sid: string;
  /** Buy order id. */
  bid: string;
  lastPx: bigint;
  lastQty: bigint;
  /** Cumulative filled quantity of the buy order after this trade. */
  buyCumQty: bigint;
  /** Cumulative filled quantity of the sell order after this trade. */
  sellCumQty: bigint;
  tickType: TickType;
}

/**
 * Per-match scratch wrapper around an order: `nxt` is the quantity the order may still trade in
 * this round (Go's `nxtTrade`). Kept off `OrderPart` so the book's objects carry no match-only state.
 */
export interface WorkOrder {
  readonly order: OrderPart;
  nxt: bigint;
}

/** One level of the overlapped (crossed) range, merged across both sides (spec §A.2). */
export interface OverlappedLevel {
  readonly price: bigint;
  readonly buyOrders: WorkOrder[];
  readonly sellOrders: WorkOrder[];
  sellTotal: bigint;
  accSell: bigint;
  buyTotal: bigint;
  accBuy: bigint;
  /** min(accBuy, accSell): executable volume if the auction concluded at this level. */
  exec: bigint;
  /** accBuy - accSell. */
  surplus: bigint;
  buyTakerStartIdx: number;
  sellTakerStartIdx: number;
  buyMakerTotal: bigint;
  sellMakerTotal: bigint;
}

/** Reasons a crossed book fails to match; the caller then cancels this round's orders (§A.1). */
export type MatchErrorKind =
  | 'both_sides_have_makers'
  | 'no_trade_price'
  | 'drop_redundant_failed'
  | 'invalid_lot_size';

export interface MatchResult {
  /** True iff the book was crossed (best bid >= best ask) when the match ran. */
  matched: boolean;
  /** Concluded price; present when `matched` and no `error`. Becomes the pair's last trade price. */
  price?: bigint;
  /** Index of the concluded level in the overlapped range (price descending). */
  levelIndex?: number;
  /** Taker side chosen by §A.4.3 (present on success). */
  takerSide?: Side;
  trades: Trade[];
  /** Ids of the orders removed from the book because they were fully filled. */
  droppedIds: string[];
  error?: MatchErrorKind;
  /** Human-readable detail for `error`. */
  errorDetail?: string;
}
