/**
 * Order book of one trading pair (spec §A.2): two sides of price levels, buys best (highest)
 * first, sells best (lowest) first; inside a level, orders in arrival order.
 *
 * Levels live in a chunked sorted list (the idea of the original's unrolled linked list): a
 * binary search over chunks then inside one chunk of at most CHUNK_MAX levels, so inserting a
 * level costs O(log n + CHUNK_MAX) with an occasional O(n / CHUNK_MAX) chunk split, and walking
 * from the top of book is a plain array walk. An existing level is found through a Map in O(1),
 * which is the common case (most orders join an existing price).
 */
import { rootError } from '../../../errors.js';
import { BUY, INT64_MAX, SELL, type OrderPart, type PriceLevel, type Side } from './types.js';

/** Largest chunk before it is split in two; small enough that splicing inside it is cheap. */
const CHUNK_MAX = 128;

interface MutableLevel {
  readonly price: bigint;
  orders: OrderPart[];
}

/** Sorted levels of one side; `better(a, b)` is true when price a sits nearer the top than b. */
class LevelList {
  private chunks: MutableLevel[][] = [];
  private readonly byPrice = new Map<bigint, MutableLevel>();

  constructor(private readonly better: (a: bigint, b: bigint) => boolean) {}

  get size(): number {
    return this.byPrice.size;
  }

  get(price: bigint): MutableLevel | undefined {
    return this.byPrice.get(price);
  }

  top(): MutableLevel | undefined {
    return this.chunks.length === 0 ? undefined : this.chunks[0]![0];
  }

  /** Index of the chunk that holds (or would hold) `price`. */
  private chunkIndex(price: bigint): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = chunks[mid]!;
      // the chunk's last level is better than price => price belongs further down
      if (this.better(c[c.length - 1]!.price, price)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Position inside a chunk of the first level that is not better than `price`. */
  private posInChunk(chunk: MutableLevel[], price: bigint): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.better(chunk[mid]!.price, price)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(level: MutableLevel): void {
    this.byPrice.set(level.price, level);
    if (this.chunks.length === 0) {
      this.chunks.push([level]);
      return;
    }
    const ci = this.chunkIndex(level.price);
    const chunk = this.chunks[ci]!;
    chunk.splice(this.posInChunk(chunk, level.price), 0, level);
    if (chunk.length > CHUNK_MAX) {
      const tail = chunk.splice(chunk.length >>> 1);
      this.chunks.splice(ci + 1, 0, tail);
    }
  }

  /** Appends a level known to sort after every present level (bulk copy in order). */
  append(level: MutableLevel): void {
    this.byPrice.set(level.price, level);
    const last = this.chunks[this.chunks.length - 1];
    if (last && last.length < CHUNK_MAX) last.push(level);
    else this.chunks.push([level]);
  }

  delete(price: bigint): boolean {
    if (!this.byPrice.delete(price)) return false;
    const ci = this.chunkIndex(price);
    const chunk = this.chunks[ci]!;
    const pos = this.posInChunk(chunk, price);
    chunk.splice(pos, 1);
    if (chunk.length === 0) this.chunks.splice(ci, 1);
    return true;
  }

  *iterate(): IterableIterator<MutableLevel> {
    for (const chunk of this.chunks) for (const l of chunk) yield l;
  }

  /** Levels from the top while `keep(price)` holds. */
  takeWhile(keep: (price: bigint) => boolean): MutableLevel[] {
    const out: MutableLevel[] = [];
    for (const chunk of this.chunks) {
      for (const l of chunk) {
        if (!keep(l.price)) return out;
        out.push(l);
      }
    }
    return out;
  }

  clear(): void {
    this.chunks = [];
    this.byPrice.clear();
  }
}

export interface NewOrder {
  id: string;
  side: Side;
  price: bigint;
  qty: bigint;
  /** Block height of inclusion. */
  time: number;
  /** Already filled quantity (restoring a book from state); default 0. */
  cumQty?: bigint;
}

export interface DepthLevel {
  price: bigint;
  /** Sum of the unfilled quantity (qty - cumQty) of the level's orders. */
  qty: bigint;
}

export class OrderBook {
  private readonly buys = new LevelList((a, b) => a > b);
  private readonly sells = new LevelList((a, b) => a < b);
  /** id -> order. Ids are unique per pair in the chain (§A.7). */
  private readonly byId = new Map<string, OrderPart>();
  /**
   * Further orders reusing an id at another price or side: the original book only rejects a
   * duplicate inside one level, so hand-built books (tests, vectors) may hold them. Rarely used.
   */
  private readonly dupes = new Map<string, OrderPart[]>();
  private count = 0;

  private sideList(side: Side): LevelList {
    if (side === BUY) return this.buys;
    if (side === SELL) return this.sells;
    throw rootError('invalidRequest', `invalid order side ${String(side)}`);
  }

  /** Number of orders in the book. */
  get size(): number {
    return this.count;
  }

  levelCount(side: Side): number {
    return this.sideList(side).size;
  }

  /** Appends an order to its price level (arrival order); creates the level if needed. */
  insert(o: NewOrder): OrderPart {
    const list = this.sideList(o.side);
    const cumQty = o.cumQty ?? 0n;
    if (o.price <= 0n || o.price > INT64_MAX) throw rootError('invalidRequest', `order ${o.id}: price out of range`);
    if (o.qty <= 0n || o.qty > INT64_MAX) throw rootError('invalidRequest', `order ${o.id}: quantity out of range`);
    if (cumQty < 0n || cumQty > o.qty) throw rootError('invalidRequest', `order ${o.id}: cumQty out of range`);
    if (!Number.isSafeInteger(o.time) || o.time < 0) throw rootError('invalidRequest', `order ${o.id}: bad time`);
    const first = this.byId.get(o.id);
    if (first && this.withId(o.id).some((x) => x.side === o.side && x.price === o.price)) {
      throw rootError('invalidRequest', `order ${o.id} already exists in the price level`);
    }
    const part: OrderPart = { id: o.id, time: o.time, qty: o.qty, cumQty, price: o.price, side: o.side };
    const level = list.get(o.price);
    if (level) level.orders.push(part);
    else list.add({ price: o.price, orders: [part] });
    this.index(part);
    return part;
  }

  private index(part: OrderPart): void {
    if (!this.byId.has(part.id)) this.byId.set(part.id, part);
    else {
      const d = this.dupes.get(part.id);
      if (d) d.push(part);
      else this.dupes.set(part.id, [part]);
    }
    this.count++;
  }

  /** The order with this id (the earliest inserted if a hand-built book reused an id). */
  get(id: string): OrderPart | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  private withId(id: string): OrderPart[] {
    const first = this.byId.get(id);
    if (!first) return [];
    const d = this.dupes.get(id);
    return d ? [first, ...d] : [first];
  }

  /** Removes an order by id (optionally narrowed by side and price); returns it, or undefined. */
  remove(id: string, side?: Side, price?: bigint): OrderPart | undefined {
    const first = this.byId.get(id);
    if (!first) return undefined;
    const fits = (x: OrderPart) => (side === undefined || x.side === side) && (price === undefined || x.price === price);
    const part = fits(first) ? first : this.dupes.get(id)?.find(fits);
    if (!part) return undefined;
    const list = this.sideList(part.side);
    const level = list.get(part.price)!;
    level.orders.splice(level.orders.indexOf(part), 1);
    if (level.orders.length === 0) list.delete(level.price);
    this.unindex(part);
    return part;
  }

  private unindex(part: OrderPart): void {
    this.count--;
    const d = this.dupes.get(part.id);
    if (this.byId.get(part.id) === part) {
      if (!d) this.byId.delete(part.id);
      else {
        this.byId.set(part.id, d.shift()!);
        if (d.length === 0) this.dupes.delete(part.id);
      }
    } else if (d) {
      d.splice(d.indexOf(part), 1);
      if (d.length === 0) this.dupes.delete(part.id);
    }
  }

  /** Best level of a side (highest buy / lowest sell). */
  best(side: Side): PriceLevel | undefined {
    return this.sideList(side).top();
  }

  level(side: Side, price: bigint): PriceLevel | undefined {
    return this.sideList(side).get(price);
  }

  /** Levels of a side from the top of book. */
  levels(side: Side): IterableIterator<PriceLevel> {
    return this.sideList(side).iterate();
  }

  /** Top `n` levels of a side with their unfilled quantity summed (market-depth view). */
  depth(side: Side, n: number): DepthLevel[] {
    const out: DepthLevel[] = [];
    if (n <= 0) return out;
    for (const l of this.sideList(side).iterate()) {
      let q = 0n;
      for (const o of l.orders) q += o.qty - o.cumQty;
      out.push({ price: l.price, qty: q });
      if (out.length >= n) break;
    }
    return out;
  }

  /** Every order: buy levels from the top, then sell levels from the top; arrival order inside a level. */
  *orders(): IterableIterator<OrderPart> {
    for (const l of this.buys.iterate()) yield* l.orders;
    for (const l of this.sells.iterate()) yield* l.orders;
  }

  /**
   * The crossed part of the book (§A.2): buy levels priced >= best ask and sell levels priced
   * <= best bid, each from its top; undefined when a side is empty or the book is not crossed.
   */
  crossedLevels(): { buys: PriceLevel[]; sells: PriceLevel[] } | undefined {
    const bb = this.buys.top();
    const ba = this.sells.top();
    if (!bb || !ba || bb.price < ba.price) return undefined;
    return {
      buys: this.buys.takeWhile((p) => p >= ba.price),
      sells: this.sells.takeWhile((p) => p <= bb.price),
    };
  }

  /**
   * Removes fully filled orders (qty - cumQty == 0) from the given level, and the level if it is
   * left empty; returns the removed ids in arrival order.
   */
  dropFilled(side: Side, price: bigint): string[] {
    const list = this.sideList(side);
    const level = list.get(price);
    if (!level) return [];
    const dropped: string[] = [];
    const kept: OrderPart[] = [];
    for (const o of level.orders) {
      if (o.qty - o.cumQty === 0n) {
        dropped.push(o.id);
        this.unindex(o);
      } else kept.push(o);
    }
    if (dropped.length === 0) return dropped;
    if (kept.length === 0) list.delete(price);
    else level.orders = kept;
    return dropped;
  }

  /** `dropFilled` over every level of the book (buys then sells, from the top). */
  dropFilledOrders(): string[] {
    const out: string[] = [];
    for (const side of [BUY, SELL] as const) {
      const prices = [...this.sideList(side).iterate()].map((l) => l.price);
      for (const p of prices) out.push(...this.dropFilled(side, p));
    }
    return out;
  }

  /** Deep copy (orders are copied; arrival order kept). */
  clone(): OrderBook {
    const b = new OrderBook();
    for (const side of [BUY, SELL] as const) {
      const dst = b.sideList(side);
      for (const l of this.sideList(side).iterate()) {
        const orders = l.orders.map((o) => {
          const part: OrderPart = { id: o.id, time: o.time, qty: o.qty, cumQty: o.cumQty, price: o.price, side: o.side };
          b.index(part);
          return part;
        });
        dst.append({ price: l.price, orders });
      }
    }
    return b;
  }

  clear(): void {
    this.buys.clear();
    this.sells.clear();
    this.byId.clear();
    this.dupes.clear();
    this.count = 0;
  }
}
