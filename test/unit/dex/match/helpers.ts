/**
 * Test helpers: vector loading and a small table builder in the style of the original's tests
 * (`SELL | PRICE | BUY` rows, one row per price, highest first).
 */
import { readFileSync } from 'node:fs';
import {
  BUY,
  SELL,
  OrderBook,
  TickType,
  type OrderPart,
  type Side,
  type Trade,
} from '../../../../src/modules/dex/match/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export function loadMatchVectors(): Json {
  const url = new URL('../../../../../shared/vectors/match.json', import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8'));
}

export const sideOf = (s: string): Side => {
  if (s === 'BUY') return BUY;
  if (s === 'SELL') return SELL;
  throw new Error(`bad side ${s}`);
};

export const tickOf = (name: string): TickType => {
  const t = (TickType as Record<string, TickType>)[name];
  if (t === undefined) throw new Error(`bad tick type ${name}`);
  return t;
};

/** A vector trade (`{sid, price, qty, buyCumQty, sellCumQty, bid, tickType}`) as an engine Trade. */
export function vecTrade(t: Json): Trade {
  return {
    sid: String(t.sid),
    bid: String(t.bid),
    lastPx: BigInt(t.price),
    lastQty: BigInt(t.qty),
    buyCumQty: BigInt(t.buyCumQty),
    sellCumQty: BigInt(t.sellCumQty),
    tickType: tickOf(t.tickType),
  };
}

export interface BookSnapshot {
  buy: { price: bigint; orders: { id: string; time: number; qty: bigint; cumQty: bigint }[] }[];
  sell: { price: bigint; orders: { id: string; time: number; qty: bigint; cumQty: bigint }[] }[];
}

export function snapshot(book: OrderBook): BookSnapshot {
  const side = (s: Side) =>
    [...book.levels(s)].map((l) => ({
      price: l.price,
      orders: l.orders.map((o) => ({ id: o.id, time: o.time, qty: o.qty, cumQty: o.cumQty })),
    }));
  return { buy: side(BUY), sell: side(SELL) };
}

export function vecBook(b: Json): BookSnapshot {
  const side = (levels: Json[]) =>
    levels.map((l: Json) => ({
      price: BigInt(l.price),
      orders: l.orders.map((o: Json) => ({ id: String(o.id), time: o.time, qty: BigInt(o.qty), cumQty: BigInt(o.cumQty) })),
    }));
  return { buy: side(b.buy), sell: side(b.sell) };
}

/**
 * Builds a book from a table, one row per price:
 *
 *   SELL          PRICE  BUY
 *   .             102    10
 *   30@1,20       100    .
 *
 * A cell is `.` or comma-separated orders `qty[@time][#id]`; time defaults to `defaultTime`,
 * ids default to `s1, s2, …` / `b1, b2, …`. Orders are inserted in reading order (rows top to
 * bottom, the sell cell before the buy cell, left to right inside a cell), which is their
 * arrival order.
 */
export function table(src: string, defaultTime = 100): OrderBook {
  const book = new OrderBook();
  let nb = 0;
  let ns = 0;
  const rows = src
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^SELL/i.test(l));
  for (const row of rows) {
    const cells = row.split(/\s+/);
    if (cells.length !== 3) throw new Error(`bad table row: ${row}`);
    const [sellCell, priceCell, buyCell] = cells as [string, string, string];
    const price = BigInt(priceCell);
    const add = (cell: string, side: Side) => {
      if (cell === '.') return;
      for (const spec of cell.split(',')) {
        const m = /^(\d+)(?:@(\d+))?(?:#(\w+))?$/.exec(spec);
        if (!m) throw new Error(`bad cell ${spec}`);
        const id = m[3] ?? (side === BUY ? `b${++nb}` : `s${++ns}`);
        book.insert({ id, side, price, qty: BigInt(m[1]!), time: m[2] ? Number(m[2]) : defaultTime });
      }
    };
    add(sellCell, SELL);
    add(buyCell, BUY);
  }
  return book;
}

/** Compact trade string for readable assertions: `sid>bid qty@px tick`. */
export function fmt(t: Trade): string {
  const names = ['Unknown', 'SellTaker', 'BuyTaker', 'BuySurplus', 'SellSurplus', 'Neutral'];
  return `${t.sid}>${t.bid} ${t.lastQty}@${t.lastPx} ${names[t.tickType]} b${t.buyCumQty} s${t.sellCumQty}`;
}

export function leavesOf(o: OrderPart): bigint {
  return o.qty - o.cumQty;
}
