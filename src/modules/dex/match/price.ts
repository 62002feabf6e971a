/**
 * Price determination of the auction (spec §A.2 overlapped range and accumulators, §A.3 price
 * rules; `match.go prepareMatch / getTradePrice / getPriceCloseToRef`).
 */
import { INT64_MAX, type OverlappedLevel, type PriceLevel, type WorkOrder } from './types.js';

/** The production price band (`order.CreateMatchEng`): ±5 % around the reference price. */
export const PRICE_LIMIT_PCT = 0.05;

export function newOverlappedLevel(price: bigint, buyOrders: WorkOrder[] = [], sellOrders: WorkOrder[] = []): OverlappedLevel {
  return {
    price,
    buyOrders,
    sellOrders,
    sellTotal: 0n,
    accSell: 0n,
    buyTotal: 0n,
    accBuy: 0n,
    exec: 0n,
    surplus: 0n,
    buyTakerStartIdx: 0,
    sellTakerStartIdx: 0,
    buyMakerTotal: 0n,
    sellMakerTotal: 0n,
  };
}

const wrap = (l: PriceLevel): WorkOrder[] => l.orders.map((order) => ({ order, nxt: 0n }));

/**
 * Merges crossed buy levels (best first = descending) and sell levels (best first = ascending)
 * into one list by price descending; a price present on both sides becomes one level.
 */
export function mergeLevels(buys: readonly PriceLevel[], sells: readonly PriceLevel[]): OverlappedLevel[] {
  const out: OverlappedLevel[] = [];
  let i = 0;
  let j = sells.length - 1;
  while (i < buys.length && j >= 0) {
    const b = buys[i]!;
    const s = sells[j]!;
    if (b.price === s.price) {
      out.push(newOverlappedLevel(b.price, wrap(b), wrap(s)));
      i++;
      j--;
    } else if (b.price < s.price) {
      out.push(newOverlappedLevel(s.price, [], wrap(s)));
      j--;
    } else {
      out.push(newOverlappedLevel(b.price, wrap(b), []));
      i++;
    }
  }
  for (; i < buys.length; i++) out.push(newOverlappedLevel(buys[i]!.price, wrap(buys[i]!), []));
  for (; j >= 0; j--) out.push(newOverlappedLevel(sells[j]!.price, [], wrap(sells[j]!)));
  return out;
}

const satAdd = (a: bigint, b: bigint): bigint => {
  const s = a + b;
  return s > INT64_MAX ? INT64_MAX : s;
};

/**
 * Resets every order's `nxt` to its unfilled quantity and fills the per-level totals and
 * accumulators (§A.2). Accumulators saturate at int64 max like the original (an int64 sum that
 * would wrap is replaced by MaxInt64).
 */
export function prepareMatch(levels: OverlappedLevel[]): void {
  let acc = 0n;
  for (let i = levels.length - 1; i >= 0; i--) {
    const l = levels[i]!;
    l.sellTotal = resetNxt(l.sellOrders);
    acc = satAdd(acc, l.sellTotal);
    l.accSell = acc;
  }
  acc = 0n;
  for (const l of levels) {
    l.buyTotal = resetNxt(l.buyOrders);
    acc = satAdd(acc, l.buyTotal);
    l.accBuy = acc;
    l.exec = l.accBuy < l.accSell ? l.accBuy : l.accSell;
    l.surplus = l.accBuy - l.accSell;
  }
}

function resetNxt(orders: WorkOrder[]): bigint {
  let s = 0n;
  for (const w of orders) {
    w.nxt = w.order.qty - w.order.cumQty;
    s += w.nxt;
  }
  return s;
}

/**
 * The ±pct band around `ref` exactly as the original computes it, in float64:
 * `int64(math.Floor(float64(ref)*(1.0-pct)))` and `int64(math.Ceil(float64(ref)*(1.0+pct)))`.
 * JS numbers are IEEE doubles and `Number(bigint)` rounds to nearest-even like Go's conversion,
 * so the result is bit-identical. Caveat: above 2^53 `float64(ref)` is already rounded, so the
 * band edges are those of the rounded value (as in the original), not of the exact integer.
 */
export function priceBand(ref: bigint, pct: number = PRICE_LIMIT_PCT): { lower: bigint; upper: bigint } {
  const r = Number(ref);
  return {
    lower: BigInt(Math.floor(r * (1.0 - pct))),
    upper: BigInt(Math.ceil(r * (1.0 + pct))),
  };
}

export interface PriceChoice {
  price: bigint;
  /** Index in the overlapped levels; -1 when no price could be chosen. */
  index: number;
}

/**
 * `closest(x)` of §A.3 over candidate level indexes (ascending index = descending price):
 * equal ⇒ x; x strictly between two consecutive candidates ⇒ x itself with the higher
 * candidate's index; otherwise the nearest candidate, ties to the higher price.
 */
export function getPriceCloseToRef(levels: readonly OverlappedLevel[], candidates: readonly number[], x: bigint): PriceChoice {
  let j = 0; // the original starts from overlapped index 0, not from the first candidate
  let diff = INT64_MAX;
  let refIsSmaller = false;
  for (const i of candidates) {
    const p = levels[i]!.price;
    let d = p - x;
    if (d === 0n) return { price: x, index: i };
    if (d > 0n) refIsSmaller = true;
    else {
      if (refIsSmaller) return { price: x, index: j };
      d = -d;
    }
    if (diff > d) {
      diff = d;
      j = i;
    }
  }
  return { price: levels[j]!.price, index: j };
}

function marketPressurePrice(
  buyPressure: boolean,
  levels: readonly OverlappedLevel[],
  candidates: readonly number[],
  ref: bigint,
  pct: number,
): PriceChoice {
  const { lower, upper } = priceBand(ref, pct);
  const hi = candidates[0]!;
  const hiPrice = levels[hi]!.price;
  if (lower > hiPrice) return { price: hiPrice, index: hi };
  const lo = candidates[candidates.length - 1]!;
  const loPrice = levels[lo]!.price;
  if (loPrice > upper) return { price: loPrice, index: lo };
  if (buyPressure) {
    return upper > hiPrice ? { price: hiPrice, index: hi } : getPriceCloseToRef(levels, candidates, upper);
  }
  return lower < loPrice ? { price: loPrice, index: lo } : getPriceCloseToRef(levels, candidates, lower);
}

/** Level indexes with maximal executable volume (§A.3 rule 1). */
export function maxExecCandidates(levels: readonly OverlappedLevel[]): number[] {
  let best = 0n;
  let idx: number[] = [];
  levels.forEach((l, i) => {
    if (l.exec > best) {
      best = l.exec;
      idx = [i];
    } else if (l.exec === best) idx.push(i);
  });
  return idx;
}

const abs = (a: bigint): bigint => (a < 0n ? -a : a);

/** Among `candidates`, those with minimal |surplus| (§A.3 rule 2). */
export function leastSurplusCandidates(levels: readonly OverlappedLevel[], candidates: readonly number[]): number[] {
  let best = INT64_MAX;
  let idx: number[] = [];
  for (const i of candidates) {
    const a = abs(levels[i]!.surplus);
    if (a < best) {
      best = a;
      idx = [i];
    } else if (a === best) idx.push(i);
  }
  return idx;
}

/**
 * The concluded price and level of an auction (§A.3) over prepared levels (`prepareMatch`).
 * `ref` is the pair's last trade price; `pct` the band (0.05 in production).
 */
export function getTradePrice(levels: readonly OverlappedLevel[], ref: bigint, pct: number = PRICE_LIMIT_PCT): PriceChoice {
  const maxExec = maxExecCandidates(levels);
  if (maxExec.length === 0) return { price: INT64_MAX, index: -1 };
  if (maxExec.length === 1) return { price: levels[maxExec[0]!]!.price, index: maxExec[0]! };
  const least = leastSurplusCandidates(levels, maxExec);
  if (least.length === 1) return { price: levels[least[0]!]!.price, index: least[0]! };
  let buySurplus = false;
  let sellSurplus = false;
  for (const i of least) {
    const s = levels[i]!.surplus;
    if (s < 0n) sellSurplus = true;
    if (s > 0n) buySurplus = true;
  }
  if (buySurplus && !sellSurplus) return marketPressurePrice(true, levels, least, ref, pct);
  if (sellSurplus && !buySurplus) return marketPressurePrice(false, levels, least, ref, pct);
  return getPriceCloseToRef(levels, least, ref);
}
