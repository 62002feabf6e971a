/**
 * fast-check properties of `match` over random books: conservation, limits, lots, determinism,
 * maximal volume, failure atomicity.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BUY, SELL, OrderBook, match, type MatchResult, type Side } from '../../../../src/modules/dex/match/index.js';
import { snapshot } from './helpers.js';

interface GenOrder {
  side: Side;
  price: number;
  lots: number;
  /** extra units below one lot (an "odd lot" left over from a lot-size change) */
  odd: number;
  filledLots: number;
  time: number;
}

const LMH = 3;
const HEIGHT = 4;

const arbOrder = (time: fc.Arbitrary<number>) =>
  fc.record({
    side: fc.constantFrom<Side>(BUY, SELL),
    price: fc.integer({ min: 90, max: 110 }),
    lots: fc.integer({ min: 1, max: 20 }),
    odd: fc.nat({ max: 9 }),
    filledLots: fc.nat({ max: 5 }),
    time,
  });

const arbCase = fc.record({
  lot: fc.constantFrom(1n, 5n, 10n),
  oddLots: fc.boolean(),
  /** realistic: resting makers do not cross each other (they went through earlier matches) */
  realistic: fc.boolean(),
  ref: fc.integer({ min: 70, max: 130 }),
  makers: fc.array(arbOrder(fc.integer({ min: 1, max: LMH })), { maxLength: 25 }),
  takers: fc.array(arbOrder(fc.constant(HEIGHT)), { maxLength: 25 }),
});
type Case = typeof arbCase extends fc.Arbitrary<infer T> ? T : never;

interface Orig {
  side: Side;
  price: bigint;
  qty: bigint;
  cumQty: bigint;
}

function build(c: Case): { book: OrderBook; orig: Map<string, Orig> } {
  const book = new OrderBook();
  const orig = new Map<string, Orig>();
  const add = (o: GenOrder, id: string, maker: boolean) => {
    let price = o.price;
    if (maker && c.realistic) price = o.side === BUY ? Math.min(price, 100) : Math.max(price, 101);
    const odd = c.oddLots ? BigInt(o.odd) % c.lot : 0n;
    const qty = BigInt(o.lots) * c.lot + odd;
    const cumQty = maker ? (BigInt(Math.min(o.filledLots, o.lots - 1)) * c.lot) : 0n;
    book.insert({ id, side: o.side, price: BigInt(price), qty, time: o.time, cumQty });
    orig.set(id, { side: o.side, price: BigInt(price), qty, cumQty });
  };
  // arrival order: makers by height, then this block's orders
  [...c.makers].sort((a, b) => a.time - b.time).forEach((o, i) => add(o, `m${i}`, true));
  c.takers.forEach((o, i) => add(o, `t${i}`, false));
  return { book, orig };
}

const run = (book: OrderBook, c: Case): MatchResult =>
  match({ book, lastTradePrice: BigInt(c.ref), lastMatchHeight: LMH, height: HEIGHT, lotSize: c.lot });

/** Max over all prices of min(Σ buys priced ≥ p, Σ sells priced ≤ p), by brute force. */
function maxExecutable(orig: Map<string, Orig>): bigint {
  const prices = new Set([...orig.values()].map((o) => o.price));
  let best = 0n;
  for (const p of prices) {
    let b = 0n;
    let s = 0n;
    for (const o of orig.values()) {
      const l = o.qty - o.cumQty;
      if (o.side === BUY && o.price >= p) b += l;
      if (o.side === SELL && o.price <= p) s += l;
    }
    const e = b < s ? b : s;
    if (e > best) best = e;
  }
  return best;
}

describe('match properties (fast-check)', () => {
  it('deterministic: the same book twice gives the same result and the same book', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const a = build(c).book;
        const b = a.clone();
        assert.deepEqual(run(a, c), run(b, c));
        assert.deepEqual(snapshot(a), snapshot(b));
      }),
      { numRuns: 300 },
    );
  });

  it('conservation, limits, lots, maximal volume; failures leave the book untouched', () => {
    let matched = 0;
    let failed = 0;
    fc.assert(
      fc.property(arbCase, (c) => {
        const { book, orig } = build(c);
        const before = snapshot(book);
        const wasCrossed = book.crossedLevels() !== undefined;
        const r = run(book, c);
        assert.equal(r.matched, wasCrossed);
        if (!r.matched || r.error !== undefined) {
          if (r.error !== undefined) failed++;
          assert.deepEqual(r.trades, []);
          assert.deepEqual(snapshot(book), before);
          if (r.error !== undefined) assert.equal(c.realistic, false, 'realistic books never have makers on both sides');
          return;
        }
        matched++;
        const filled = new Map<string, bigint>();
        let total = 0n;
        for (const t of r.trades) {
          const b = orig.get(t.bid)!;
          const s = orig.get(t.sid)!;
          assert.equal(b.side, BUY);
          assert.equal(s.side, SELL);
          assert.ok(t.lastQty > 0n);
          assert.ok(b.price >= t.lastPx && t.lastPx >= s.price, `price ${t.lastPx} outside [${s.price}, ${b.price}]`);
          assert.ok(t.tickType >= 1 && t.tickType <= 5);
          filled.set(t.bid, (filled.get(t.bid) ?? 0n) + t.lastQty);
          filled.set(t.sid, (filled.get(t.sid) ?? 0n) + t.lastQty);
          assert.equal(t.buyCumQty, b.cumQty + filled.get(t.bid)!, 'buyCumQty is the running total');
          assert.equal(t.sellCumQty, s.cumQty + filled.get(t.sid)!, 'sellCumQty is the running total');
          if (!c.oddLots) assert.equal(t.lastQty % c.lot, 0n, 'whole lots when every order is a lot multiple');
          total += t.lastQty;
        }
        let buyFills = 0n;
        let sellFills = 0n;
        for (const [id, o] of orig) {
          const f = filled.get(id) ?? 0n;
          if (o.side === BUY) buyFills += f;
          else sellFills += f;
          const now = book.get(id);
          const cum = now ? now.cumQty : o.qty;
          assert.equal(cum, o.cumQty + f, `order ${id} cumQty`);
          assert.ok(cum <= o.qty, `order ${id} overfilled`);
          if (!now) assert.ok(r.droppedIds.includes(id) && cum === o.qty, `order ${id} dropped only when filled`);
          else assert.ok(now.cumQty < now.qty, `filled order ${id} left in book`);
        }
        assert.equal(buyFills, total);
        assert.equal(sellFills, total);
        assert.equal(total, maxExecutable(orig), 'the concluded level executes the maximal volume');
      }),
      { numRuns: 1000 },
    );
    assert.ok(matched > 100, `enough crossed books generated (${matched})`);
    assert.ok(failed > 0, `some unrealistic books hit the both-sides error (${failed})`);
  });
});
