/**
 * Quantity allocation rules of the engine (spec §A.4.1, §A.4.5; `match.go allocateResidual`,
 * `engine_new.go dropRedundantQty / calcFillQty`).
 *
 * All of them share one shape: pro-rata in whole lots, then the leftover handed out round-robin
 * from the first order (arrival order for makers, merged order for takers), at most one lot per
 * visit. The leftover can be less than a lot when order sizes are not lot multiples (lot-size
 * changes), and is then given as a partial lot.
 */
import type { WorkOrder } from './types.js';

/** Unfilled quantity of the wrapped order (Go `LeavesQty`). */
export function leaves(w: WorkOrder): bigint {
  const l = w.order.qty - w.order.cumQty;
  return l > 0n ? l : 0n;
}

export function sumNxt(orders: readonly WorkOrder[]): bigint {
  let s = 0n;
  for (const o of orders) s += o.nxt;
  return s;
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/**
 * Keeps `toAlloc` of the orders' `nxt` quantities, pro-rata by current `nxt`, lot-rounded, the
 * remainder round-robin (room per order = leaves - allocated). Mutates `nxt`; returns what could
 * not be placed (0 on success; the original would loop forever instead, which cannot happen when
 * toAlloc <= Σ nxt <= Σ leaves).
 */
export function allocateResidual(toAlloc: bigint, orders: WorkOrder[], lotSize: bigint): bigint {
  const n = orders.length;
  if (n === 0) return toAlloc;
  if (n === 1) {
    const o = orders[0]!;
    const q = min(toAlloc, o.nxt);
    o.nxt = q;
    return toAlloc - q;
  }
  const total = sumNxt(orders);
  if (toAlloc >= total) return toAlloc - total;
  if (lotSize <= 0n) return toAlloc;

  let residual = toAlloc;
  const nLot = residual / lotSize;
  for (const o of orders) {
    const q = lotSize * ((nLot * o.nxt) / total);
    o.nxt = q;
    residual -= q;
  }
  return roundRobin(residual, lotSize, n, (i) => {
    const o = orders[i]!;
    return leaves(o) - o.nxt;
  }, (i, q) => {
    orders[i]!.nxt += q;
  });
}

/**
 * Hands `residual` out from index 0 cyclically, `min(lot, residual, room(i))` per visit. Stops
 * when exhausted or when a whole pass placed nothing (no room left anywhere, which the original
 * never meets because it only allocates less than the orders hold); returns the rest.
 */
function roundRobin(
  residual: bigint,
  lotSize: bigint,
  n: number,
  room: (i: number) => bigint,
  give: (i: number, q: bigint) => void,
): bigint {
  while (residual > 0n) {
    let placed = false;
    for (let i = 0; i < n && residual > 0n; i++) {
      const q = min(room(i), min(residual, lotSize));
      if (q > 0n) {
        give(i, q);
        residual -= q;
        placed = true;
      }
    }
    if (!placed) break;
  }
  return residual;
}

/**
 * Cuts `toDrop` off a marginal level (spec §A.4.1): orders are time-sorted; windows of equal
 * `time` are kept whole while the kept amount lasts, the window where it runs out is pro-rated
 * by `allocateResidual`, later windows keep nothing. Returns an error message or undefined.
 */
export function dropRedundantQty(orders: WorkOrder[], toDrop: bigint, lotSize: bigint): string | undefined {
  if (toDrop <= 0n) return `invalid quantity to drop ${toDrop}`;
  const n = orders.length;
  if (n === 0) return `no orders to drop ${toDrop} from`;
  const total = sumNxt(orders);
  if (total < toDrop) return `not enough quantity to drop: toDrop=${toDrop} total=${total}`;

  let residual = total - toDrop;
  let start = 0;
  let currTime = orders[0]!.order.time;
  for (let i = 0; i < n; i++) {
    const o = orders[i]!;
    if (o.order.time !== currTime) {
      residual = allocateResidual(residual, orders.slice(start, i), lotSize);
      if (residual === 0n) {
        for (let j = i; j < n; j++) orders[j]!.nxt = 0n;
        return undefined;
      }
      start = i;
      currTime = o.order.time;
    }
    if (i === n - 1) {
      residual = allocateResidual(residual, orders.slice(start), lotSize);
    }
  }
  return undefined;
}

/**
 * Splits one maker level's quantity `makerQty` over all takers (spec §A.4.5 round 1):
 * taker i gets `min(lot*floor(floor(makerQty/lot)*proportion_i/totalTakerQty), nxt_i)`, then
 * the leftover round-robin from taker 0 (room = nxt_i - given_i). Returns the per-taker targets.
 */
export function calcFillQty(
  makerQty: bigint,
  takers: readonly WorkOrder[],
  proportion: readonly bigint[],
  totalTakerQty: bigint,
  lotSize: bigint,
): bigint[] {
  const n = takers.length;
  const out: bigint[] = new Array<bigint>(n);
  let residual = makerQty;
  const nLot = residual / lotSize;
  for (let i = 0; i < n; i++) {
    let q = totalTakerQty > 0n ? lotSize * ((nLot * proportion[i]!) / totalTakerQty) : 0n;
    q = min(q, takers[i]!.nxt);
    residual -= q;
    out[i] = q;
  }
  if (n > 0) {
    roundRobin(residual, lotSize, n, (i) => takers[i]!.nxt - out[i]!, (i, q) => {
      out[i] = out[i]! + q;
    });
  }
  return out;
}
