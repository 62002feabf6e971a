/**
 * The pre-BEP19 engine (spec §A.5; `node:plugins/dex/matcheng/engine.go MatchBeforeGalileo`),
 * kept only to replay old blocks and to check the `legacy_*` vectors.
 *
 * Same price rules as the current engine (§A.3), then one price for every trade and no
 * maker/taker: the most aggressive buy level (index i from the top) is paired with the most
 * aggressive sell level (index j from the bottom); the smaller of the two is filled whole, and
 * when the remaining executable quantity is less than the larger level, that level is first cut
 * down with `reserveQty` (time windows + `allocateResidual`). Inside a pair of levels orders
 * fill each other sequentially in arrival order. Trades carry tick type `Unknown`.
 *
 * Note: the original's `fillOrders` sorted each level by order id before walking it (its ids were
 * arrival-ordered then); the spec and this port walk arrival order, which is what ids mean here.
 */
import { allocateResidual } from './allocate.js';
import type { OrderBook } from './book.js';
import { getTradePrice, mergeLevels, prepareMatch, PRICE_LIMIT_PCT } from './price.js';
import { BUY, SELL, TickType, type MatchResult, type OverlappedLevel, type Trade, type WorkOrder } from './types.js';

export interface LegacyMatchInput {
  book: OrderBook;
  lastTradePrice: bigint;
  lotSize: bigint;
  priceLimitPct?: number;
}

const sumNxt = (orders: readonly WorkOrder[]): bigint => orders.reduce((a, o) => a + o.nxt, 0n);

/**
 * `reserveQty`: keeps `residual` of a level's executable quantity, window by window of equal
 * order time (earlier windows first, the window where it runs out pro-rated). As in the
 * original, windows after the one that used the residual up are left untouched (the loop stops
 * on `toAlloc == 0`), and a one-order level simply gets `residual`. Returns false when the
 * allocation cannot be made (invalid lot size).
 */
export function reserveQty(residual: bigint, orders: WorkOrder[], lotSize: bigint): boolean {
  if (orders.length === 0) return true;
  if (orders.length === 1) {
    orders[0]!.nxt = residual;
    return true;
  }
  if (lotSize <= 0n) return false;
  let nt = orders[0]!.order.time;
  let j = 1;
  let k = 1;
  let toAlloc = residual;
  while (j < orders.length && toAlloc > 0n) {
    if (orders[j]!.order.time === nt) {
      if (j === orders.length - 1) {
        allocateResidual(toAlloc, orders.slice(j - k), lotSize);
        return true;
      }
      j++;
      k++;
    } else {
      nt = orders[j]!.order.time;
      toAlloc = allocateResidual(toAlloc, orders.slice(j - k, j), lotSize);
      if (j === orders.length - 1) {
        allocateResidual(toAlloc, orders.slice(j), lotSize);
        return true;
      }
      k = 1;
      j++;
    }
  }
  return true;
}

/**
 * `fillOrders(i, j)`: buys of level i against sells of level j, sequentially, at price `px`,
 * until one side has nothing executable left; then both levels' totals become what is left.
 */
function fillLevels(levels: OverlappedLevel[], i: number, j: number, px: bigint, trades: Trade[]): void {
  const buys = levels[i]!.buyOrders;
  const sells = levels[j]!.sellOrders;
  let b = 0;
  let s = 0;
  while (b < buys.length && s < sells.length) {
    const buy = buys[b]!;
    const sell = sells[s]!;
    if (buy.nxt === 0n) {
      b++;
      continue;
    }
    if (sell.nxt === 0n) {
      s++;
      continue;
    }
    const q = buy.nxt < sell.nxt ? buy.nxt : sell.nxt;
    buy.nxt -= q;
    sell.nxt -= q;
    buy.order.cumQty += q;
    sell.order.cumQty += q;
    trades.push({
      sid: sell.order.id,
      bid: buy.order.id,
      lastPx: px,
      lastQty: q,
      buyCumQty: buy.order.cumQty,
      sellCumQty: sell.order.cumQty,
      tickType: TickType.Unknown,
    });
    if (sell.nxt === 0n) s++;
    if (buy.nxt === 0n) b++;
  }
  levels[i]!.buyTotal = sumNxt(buys);
  levels[j]!.sellTotal = sumNxt(sells);
}

/**
 * One legacy auction on `input.book`. On success the book's orders carry their new `cumQty` and
 * filled orders are removed; on failure (`error`) nothing was filled. The caller sets the pair's
 * last trade price to `price` on success.
 */
export function matchLegacy(input: LegacyMatchInput): MatchResult {
  const { book, lotSize } = input;
  const pct = input.priceLimitPct ?? PRICE_LIMIT_PCT;
  const crossed = book.crossedLevels();
  if (!crossed) return { matched: false, trades: [], droppedIds: [] };
  if (lotSize <= 0n) return { matched: true, trades: [], droppedIds: [], error: 'invalid_lot_size', errorDetail: `lot size ${lotSize}` };
  const levels = mergeLevels(crossed.buys, crossed.sells);
  prepareMatch(levels);
  const { price, index } = getTradePrice(levels, input.lastTradePrice, pct);
  if (index < 0) return { matched: true, trades: [], droppedIds: [], error: 'no_trade_price', errorDetail: 'no level to conclude a price at' };

  // lotSize > 0 was checked above, so reserveQty cannot fail here
  const trades: Trade[] = [];
  let totalExec = levels[index]!.exec;
  let i = 0;
  let j = levels.length - 1;
  while (i <= index && j >= index && totalExec > 0n) {
    const buyTotal = levels[i]!.buyTotal;
    const sellTotal = levels[j]!.sellTotal;
    if (buyTotal > sellTotal) {
      // every sell of level j fills; the buys of level i only up to what is still executable
      if (totalExec < buyTotal) reserveQty(totalExec, levels[i]!.buyOrders, lotSize);
      fillLevels(levels, i, j, price, trades);
      totalExec -= sellTotal;
      j--;
    } else if (buyTotal < sellTotal) {
      if (totalExec < sellTotal) reserveQty(totalExec, levels[j]!.sellOrders, lotSize);
      fillLevels(levels, i, j, price, trades);
      totalExec -= buyTotal;
      i++;
    } else {
      fillLevels(levels, i, j, price, trades);
      totalExec -= buyTotal;
      i++;
      j--;
    }
  }

  const droppedIds: string[] = [];
  for (const l of levels) {
    if (l.buyOrders.length > 0) droppedIds.push(...book.dropFilled(BUY, l.price));
    if (l.sellOrders.length > 0) droppedIds.push(...book.dropFilled(SELL, l.price));
  }
  return { matched: true, price, levelIndex: index, trades, droppedIds };
}
