/**
 * The post-BEP19 periodic-auction engine (spec §A.3–§A.4; `node:plugins/dex/matcheng/engine_new.go`).
 *
 * `match` is a function of (book, last trade price, last match height, height, lot size): it
 * finds the crossed range, concludes one price, decides makers and takers, emits trades in the
 * original's order, writes the fills into the book's orders (`cumQty`) and drops filled orders.
 * Order of iteration is part of consensus: arrival order inside levels, stable sort of takers by
 * original quantity, round-robin leftovers from index 0, trades in generation order.
 */
import { dropRedundantQty, calcFillQty } from './allocate.js';
import type { OrderBook } from './book.js';
import { getTradePrice, mergeLevels, prepareMatch, PRICE_LIMIT_PCT } from './price.js';
import {
  BUY,
  SELL,
  TickType,
  type MatchResult,
  type OverlappedLevel,
  type Side,
  type Trade,
  type WorkOrder,
} from './types.js';

export interface MatchInput {
  book: OrderBook;
  /** Previous concluded price of the pair (the listing price before the first match). */
  lastTradePrice: bigint;
  /** Height of the previous `match` call for this pair (0 before the first). */
  lastMatchHeight: number;
  /**
   * Height of the block being matched (orders of this block have `time === height`). The rules
   * only use `lastMatchHeight`; the height is what `MatchEngine` records as the next one.
   */
  height: number;
  lotSize: bigint;
  /** Price band; 0.05 in production. */
  priceLimitPct?: number;
}

/**
 * Cuts the excess of the larger side at the concluded level off its marginal level (§A.4.1).
 * Returns an error message or undefined.
 */
export function dropRedundantAtLevel(levels: OverlappedLevel[], k: number, lotSize: bigint): string | undefined {
  const l = levels[k]!;
  const e = l.exec;
  if (l.accBuy === l.accSell) return undefined;
  if (l.accBuy > e) {
    for (let i = k; i >= 0; i--) {
      if (levels[i]!.buyTotal !== 0n) return dropRedundantQty(levels[i]!.buyOrders, l.accBuy - e, lotSize);
    }
  } else if (l.accSell > e) {
    for (let i = k; i < levels.length; i++) {
      if (levels[i]!.sellTotal !== 0n) return dropRedundantQty(levels[i]!.sellOrders, l.accSell - e, lotSize);
    }
  }
  return `invalid accumulators accBuy=${l.accBuy} accSell=${l.accSell} exec=${e}`;
}

/** Leading makers of a level (orders are time-sorted): first taker index and the makers' `nxt` sum. */
export function findTakerStartIdx(lastMatchHeight: number, orders: readonly WorkOrder[]): { idx: number; makerTotal: bigint } {
  let makerTotal = 0n;
  let i = 0;
  for (; i < orders.length; i++) {
    const w = orders[i]!;
    if (w.order.time > lastMatchHeight) break;
    makerTotal += w.nxt;
  }
  return { idx: i, makerTotal };
}

const hasBuyMaker = (l: OverlappedLevel): boolean => l.buyTakerStartIdx > 0 && l.buyMakerTotal > 0n;
const hasSellMaker = (l: OverlappedLevel): boolean => l.sellTakerStartIdx > 0 && l.sellMakerTotal > 0n;

/**
 * §A.4.3: buy makers (levels 0..k) ⇒ taker side SELL; sell makers (levels k..end) or none ⇒ BUY;
 * both ⇒ error. Records each inspected level's taker start index and maker total.
 */
export function determineTakerSide(levels: OverlappedLevel[], k: number, lastMatchHeight: number): Side | 'both_sides_have_makers' {
  let makerSide: Side | 0 = 0;
  for (let i = 0; i <= k; i++) {
    const l = levels[i]!;
    const r = findTakerStartIdx(lastMatchHeight, l.buyOrders);
    l.buyTakerStartIdx = r.idx;
    l.buyMakerTotal = r.makerTotal;
    if (hasBuyMaker(l)) makerSide = BUY;
  }
  for (let i = levels.length - 1; i >= k; i--) {
    const l = levels[i]!;
    const r = findTakerStartIdx(lastMatchHeight, l.sellOrders);
    l.sellTakerStartIdx = r.idx;
    l.sellMakerTotal = r.makerTotal;
    if (hasSellMaker(l)) {
      if (makerSide === BUY) return 'both_sides_have_makers';
      makerSide = SELL;
    }
  }
  return makerSide === BUY ? SELL : BUY;
}

export interface TakerSideOrders {
  orders: WorkOrder[];
  /** Σ nxt of the merged takers at merge time. */
  totalQty: bigint;
}

/**
 * §A.4.4: taker orders with executable quantity, level by level from the most aggressive level
 * to k, each level's takers stably sorted by original quantity descending.
 */
export function mergeTakerSideOrders(side: Side, levels: readonly OverlappedLevel[], k: number): TakerSideOrders {
  const orders: WorkOrder[] = [];
  let totalQty = 0n;
  const addLevel = (src: readonly WorkOrder[], start: number): void => {
    const takers: WorkOrder[] = [];
    for (let i = start; i < src.length; i++) if (src[i]!.nxt > 0n) takers.push(src[i]!);
    // Array.prototype.sort is stable (ES2019), as Go's sort.SliceStable
    takers.sort((a, b) => (a.order.qty > b.order.qty ? -1 : a.order.qty < b.order.qty ? 1 : 0));
    for (const t of takers) {
      orders.push(t);
      totalQty += t.nxt;
    }
  };
  if (side === BUY) {
    for (let i = 0; i <= k; i++) addLevel(levels[i]!.buyOrders, levels[i]!.buyTakerStartIdx);
  } else {
    for (let i = levels.length - 1; i >= k; i--) addLevel(levels[i]!.sellOrders, levels[i]!.sellTakerStartIdx);
  }
  return { orders, totalQty };
}

export interface FillContext {
  levels: OverlappedLevel[];
  /** Concluded level index. */
  k: number;
  price: bigint;
  /** Surplus of the concluded level (decides the non-aggressor tick types). */
  surplus: bigint;
  lotSize: bigint;
  takerSide: Side;
  takers: TakerSideOrders;
}

/**
 * §A.4.5: round 1 fills makers of every maker-side level priced ≠ P at their own price, split
 * over all takers by `calcFillQty`; round 2 fills what is left at P, walking every maker-side
 * order. Mutates `nxt` and the orders' `cumQty`; returns trades in generation order.
 */
export function fillOrdersNew(ctx: FillContext): Trade[] {
  const { levels, k, price, surplus, lotSize, takerSide } = ctx;
  const takers = ctx.takers.orders;
  const nTakers = takers.length;
  const proportion = takers.map((t) => t.nxt);
  const trades: Trade[] = [];
  const surplusTick: TickType = surplus < 0n ? TickType.SellSurplus : surplus > 0n ? TickType.BuySurplus : TickType.Neutral;
  const aggressorTick: TickType = takerSide === SELL ? TickType.SellTaker : TickType.BuyTaker;

  const genTrades = (makers: readonly WorkOrder[], makerPrice: bigint, toFill: bigint[]): void => {
    let m = 0;
    let t = 0;
    while (m < makers.length && t < nTakers) {
      const maker = makers[m]!;
      if (maker.nxt === 0n) {
        m++;
        continue;
      }
      if (toFill[t] === 0n) {
        t++;
        continue;
      }
      const taker = takers[t]!;
      const q = maker.nxt < toFill[t]! ? maker.nxt : toFill[t]!;
      toFill[t] = toFill[t]! - q;
      taker.nxt -= q;
      taker.order.cumQty += q;
      maker.nxt -= q;
      maker.order.cumQty += q;
      const tick = maker.order.time < taker.order.time ? aggressorTick : surplusTick;
      const [sell, buy] = takerSide === SELL ? [taker, maker] : [maker, taker];
      trades.push({
        sid: sell.order.id,
        bid: buy.order.id,
        lastPx: makerPrice,
        lastQty: q,
        buyCumQty: buy.order.cumQty,
        sellCumQty: sell.order.cumQty,
        tickType: tick,
      });
    }
  };

  // maker-side levels from the most aggressive towards k
  const makerLevels: OverlappedLevel[] = [];
  if (takerSide === SELL) for (let i = 0; i <= k; i++) makerLevels.push(levels[i]!);
  else for (let i = levels.length - 1; i >= k; i--) makerLevels.push(levels[i]!);
  const isBuyMakerSide = takerSide === SELL;

  for (const l of makerLevels) {
    const has = isBuyMakerSide ? hasBuyMaker(l) : hasSellMaker(l);
    if (!has || l.price === price) continue;
    const makerTotal = isBuyMakerSide ? l.buyMakerTotal : l.sellMakerTotal;
    const toFill = calcFillQty(makerTotal, takers, proportion, ctx.takers.totalQty, lotSize);
    const makers = isBuyMakerSide ? l.buyOrders.slice(0, l.buyTakerStartIdx) : l.sellOrders.slice(0, l.sellTakerStartIdx);
    genTrades(makers, l.price, toFill);
  }

  const toFill = takers.map((t) => t.nxt);
  for (const l of makerLevels) genTrades(isBuyMakerSide ? l.buyOrders : l.sellOrders, price, toFill);
  return trades;
}

/**
 * Runs one auction on `input.book` (spec §A.3–§A.4). On success the book's orders carry their
 * new `cumQty` and fully filled orders are removed. On a failure (`error` set) the book is left
 * as it was. The caller updates the pair's last trade price to `price` when `matched && !error`,
 * sets its last match height to `height` in every case, and expires this round's IOC orders.
 */
export function match(input: MatchInput): MatchResult {
  const { book, lotSize } = input;
  const pct = input.priceLimitPct ?? PRICE_LIMIT_PCT;
  const crossed = book.crossedLevels();
  if (!crossed) return { matched: false, trades: [], droppedIds: [] };
  if (lotSize <= 0n) return fail('invalid_lot_size', `lot size ${lotSize}`);

  const levels = mergeLevels(crossed.buys, crossed.sells);
  prepareMatch(levels);
  const { price, index: k } = getTradePrice(levels, input.lastTradePrice, pct);
  if (k < 0) return fail('no_trade_price', 'no level to conclude a price at');

  const dropErr = dropRedundantAtLevel(levels, k, lotSize);
  if (dropErr !== undefined) return fail('drop_redundant_failed', dropErr);

  const takerSide = determineTakerSide(levels, k, input.lastMatchHeight);
  if (takerSide === 'both_sides_have_makers') return fail(takerSide, 'both buy side and sell side have maker orders');

  const takers = mergeTakerSideOrders(takerSide, levels, k);
  const trades = fillOrdersNew({ levels, k, price, surplus: levels[k]!.surplus, lotSize, takerSide, takers });

  // DropFilledOrder: per overlapped level (price descending), buys then sells
  const droppedIds: string[] = [];
  for (const l of levels) {
    if (l.buyOrders.length > 0) droppedIds.push(...book.dropFilled(BUY, l.price));
    if (l.sellOrders.length > 0) droppedIds.push(...book.dropFilled(SELL, l.price));
  }
  return { matched: true, price, levelIndex: k, takerSide, trades, droppedIds };
}

function fail(error: NonNullable<MatchResult['error']>, errorDetail: string): MatchResult {
  return { matched: true, trades: [], droppedIds: [], error, errorDetail };
}

/**
 * The per-pair engine state around `match` (Go `MatchEng`): last trade price, last match height
 * and lot size. `run(height)` applies the original's bookkeeping: the last match height is set
 * on every call, the last trade price only when a crossed book matched successfully.
 */
export class MatchEngine {
  constructor(
    readonly book: OrderBook,
    public lastTradePrice: bigint,
    public lotSize: bigint,
    public lastMatchHeight = 0,
    readonly priceLimitPct: number = PRICE_LIMIT_PCT,
  ) {}

  run(height: number): MatchResult {
    const r = match({
      book: this.book,
      lastTradePrice: this.lastTradePrice,
      lastMatchHeight: this.lastMatchHeight,
      height,
      lotSize: this.lotSize,
      priceLimitPct: this.priceLimitPct,
    });
    this.lastMatchHeight = height;
    if (r.matched && r.error === undefined && r.price !== undefined) this.lastTradePrice = r.price;
    return r;
  }
}
