/**
 * Hand-drawn cases, one per rule of spec §A.3 / §A.4, written as SELL | PRICE | BUY tables.
 */
import assert from 'node:assert/strict';
import {
  BUY,
  SELL,
  MatchEngine,
  OrderBook,
  getTradePrice,
  match,
  mergeLevels,
  prepareMatch,
  priceBand,
} from '../../../../src/modules/dex/match/index.js';
import { fmt, snapshot, table } from './helpers.js';

/** Concluded price of a table at a reference price (only price determination). */
function priceOf(book: OrderBook, ref: bigint): { price: bigint; index: number } {
  const crossed = book.crossedLevels();
  assert.ok(crossed, 'book must be crossed');
  const levels = mergeLevels(crossed.buys, crossed.sells);
  prepareMatch(levels);
  return getTradePrice(levels, ref);
}

describe('§A.3 price determination', () => {
  it('rule 1: the single level with maximal executable volume wins', () => {
    const b = table(`
      SELL  PRICE  BUY
      .     102    10
      10    101    20
      50    100    5
    `);
    // exec: 102→10, 101→30, 100→35
    assert.deepEqual(priceOf(b, 1n), { price: 100n, index: 2 });
    assert.deepEqual(priceOf(b, 1000n), { price: 100n, index: 2 });
  });

  it('rule 2: among max-volume levels the least |surplus| wins', () => {
    const b = table(`
      SELL  PRICE  BUY
      .     102    10
      10    101    20
      30    100    .
    `);
    // exec 10/30/30; surplus at 101 = 30-40 = -10, at 100 = 30-30 = 0
    assert.deepEqual(priceOf(b, 200n), { price: 100n, index: 2 });
  });

  describe('rule 3: buy pressure (every candidate surplus > 0)', () => {
    const b = () =>
      table(`
        SELL  PRICE  BUY
        .     99     100
        50    92     .
      `);
    const cases: [bigint, bigint, string][] = [
      [200n, 99n, 'every candidate below the band ⇒ highest'],
      [80n, 92n, 'every candidate above the band ⇒ lowest'],
      [86n, 92n, 'upper 91 below the lowest ⇒ lowest'],
      [100n, 99n, 'upper 105 above the highest ⇒ highest'],
      [94n, 99n, 'upper 99 equals a candidate'],
      [87n, 92n, 'upper 92 equals a candidate'],
      [90n, 95n, 'upper 95 strictly between 99 and 92 ⇒ 95 itself'],
      [88n, 93n, 'upper 93 strictly between ⇒ 93 itself'],
    ];
    for (const [ref, want, why] of cases) {
      it(`ref ${ref} ⇒ ${want} (${why})`, () => assert.equal(priceOf(b(), ref).price, want));
    }
    it('a between-candidates price keeps the higher candidate as concluded level', () => {
      assert.deepEqual(priceOf(b(), 90n), { price: 95n, index: 0 });
    });
  });

  describe('rule 3: sell pressure (every candidate surplus < 0)', () => {
    const b = () =>
      table(`
        SELL  PRICE  BUY
        .     99     50
        100   92     .
      `);
    const cases: [bigint, bigint, string][] = [
      [90n, 92n, 'lower 85 below the lowest ⇒ lowest'],
      [100n, 95n, 'lower 95 strictly between ⇒ 95 itself'],
      [104n, 98n, 'lower 98 strictly between ⇒ 98 itself'],
      [105n, 99n, 'lower 99 equals the highest'],
      [106n, 99n, 'every candidate below the band ⇒ highest'],
      [80n, 92n, 'every candidate above the band ⇒ lowest'],
    ];
    for (const [ref, want, why] of cases) {
      it(`ref ${ref} ⇒ ${want} (${why})`, () => assert.equal(priceOf(b(), ref).price, want));
    }
  });

  describe('rule 4: mixed surpluses ⇒ closest(ref)', () => {
    const b = () =>
      table(`
        SELL  PRICE  BUY
        .     100    25
        25    98     .
        .     97     25
        25    95     .
      `);
    const cases: [bigint, bigint, number][] = [
      [99n, 99n, 0], // strictly between 100 and 98 ⇒ ref itself, index of 100
      [101n, 100n, 0], // above all ⇒ highest
      [90n, 95n, 3], // below all ⇒ lowest
      [98n, 98n, 1], // equal
      [96n, 96n, 2], // between 97 and 95
    ];
    for (const [ref, price, index] of cases) {
      it(`ref ${ref} ⇒ ${price} @${index}`, () => assert.deepEqual(priceOf(b(), ref), { price, index }));
    }
  });

  describe('rule 4: all surpluses zero ⇒ closest(ref)', () => {
    const b = () =>
      table(`
        SELL  PRICE  BUY
        .     103    10
        10    100    .
      `);
    it('ref above ⇒ highest', () => assert.equal(priceOf(b(), 110n).price, 103n));
    it('ref below ⇒ lowest', () => assert.equal(priceOf(b(), 90n).price, 100n));
    it('ref between ⇒ ref, and the whole match trades at it', () => {
      const r = match({ book: b(), lastTradePrice: 102n, lastMatchHeight: 99, height: 100, lotSize: 1n });
      assert.equal(r.price, 102n);
      assert.deepEqual(r.trades.map(fmt), ['s1>b1 10@102 Neutral b10 s10']);
    });
  });

  it('accumulators saturate at int64 max instead of overflowing', () => {
    const max = (1n << 63n) - 1n;
    const b = new OrderBook();
    b.insert({ id: 's1', side: SELL, price: 100n, qty: max - 1n, time: 1 });
    b.insert({ id: 's2', side: SELL, price: 101n, qty: max - 1n, time: 1 });
    b.insert({ id: 'b1', side: BUY, price: 101n, qty: 10n, time: 1 });
    const c = b.crossedLevels()!;
    const levels = mergeLevels(c.buys, c.sells);
    prepareMatch(levels);
    assert.deepEqual(levels.map((l) => [l.price, l.accSell, l.accBuy, l.exec]), [[101n, max, 10n, 10n], [100n, max - 1n, 10n, 10n]]);
  });

  it('the band is computed in float64 like the original (differs from exact arithmetic above 2^52)', () => {
    assert.deepEqual(priceBand(100n), { lower: 95n, upper: 105n });
    assert.deepEqual(priceBand(90n), { lower: 85n, upper: 95n });
    assert.deepEqual(priceBand(1_000_000_000n), { lower: 950_000_000n, upper: 1_050_000_000n });
    // exact ceil(r*105/100) is 4728779608739027; float64 rounding of the product gives one less
    const r = 4503599627370501n;
    assert.equal((r * 105n + 99n) / 100n, 4728779608739027n);
    assert.equal(priceBand(r).upper, 4728779608739026n);
  });
});

describe('§A.4 allocation', () => {
  it('price limit scenario: makers at their own prices, takers the rest at the band edge (104)', () => {
    // the original's second TestMatchEng_Match scenario: ref 110 ⇒ lower band 104 lies between 110 and 100
    const book = table(`
      SELL                                      PRICE  BUY
      .                                         110    40@100#6,100@100#8
      10@90#1,10@90#3,20@100#13,30@100#15       100    .
      30@99#5                                   90     .
      10@99#7,40@99#9,20@100#11                 80     .
      .                                         70     5@92#2,30@93#4
    `);
    const eng = new MatchEngine(book, 110n, 10n, 99);
    const r = eng.run(100);
    assert.equal(r.error, undefined);
    assert.equal(eng.lastTradePrice, 104n);
    assert.deepEqual(r.trades.map(fmt), [
      '7>8 10@80 BuyTaker b10 s10',
      '9>8 30@80 BuyTaker b40 s30',
      '9>6 10@80 BuyTaker b10 s40',
      '5>8 30@90 BuyTaker b70 s30',
      '1>8 10@100 BuyTaker b80 s10',
      '3>8 10@100 BuyTaker b90 s10',
      '11>8 10@104 SellSurplus b100 s10',
      '11>6 10@104 SellSurplus b20 s20',
      '13>6 10@104 SellSurplus b30 s10',
      '15>6 10@104 SellSurplus b40 s10',
    ]);
    assert.deepEqual(snapshot(book), {
      buy: [{ price: 70n, orders: [{ id: '2', time: 92, qty: 5n, cumQty: 0n }, { id: '4', time: 93, qty: 30n, cumQty: 0n }] }],
      sell: [{ price: 100n, orders: [{ id: '13', time: 100, qty: 20n, cumQty: 10n }, { id: '15', time: 100, qty: 30n, cumQty: 10n }] }],
    });
  });

  it('dropRedundantQty: pro-rata in lots with odd-lot orders, leftover to the first order', () => {
    // three buys restored with quantities that are not multiples of the current lot (10)
    const book = table(`
      SELL  PRICE  BUY
      50    100    25,35,45
    `);
    const r = match({ book, lastTradePrice: 100n, lastMatchHeight: 99, height: 100, lotSize: 10n });
    // keep 50 of 105: 10*floor(5*25/105)=10, 10*floor(5*35/105)=10, 10*floor(5*45/105)=20, +10 round-robin to b1
    assert.deepEqual(r.trades.map(fmt), ['s1>b3 20@100 BuySurplus b20 s20', 's1>b2 10@100 BuySurplus b10 s30', 's1>b1 20@100 BuySurplus b20 s50']);
  });

  it('dropRedundantQty: a leftover below one lot is given as a partial lot', () => {
    const book = table(`
      SELL  PRICE  BUY
      15    100    25,25,25
    `);
    const r = match({ book, lastTradePrice: 100n, lastMatchHeight: 99, height: 100, lotSize: 10n });
    assert.deepEqual(r.trades.map(fmt), ['s1>b1 10@100 BuySurplus b10 s10', 's1>b2 5@100 BuySurplus b5 s15']);
  });

  it('time priority: an older window keeps everything before a newer one gets any', () => {
    const book = table(`
      SELL  PRICE  BUY
      30@5  100    20@3,20@4,20@4
    `);
    // LMH 2 ⇒ every order is a taker; the buy level (60) is cut to the 30 sold: the height-3
    // window keeps its 20, the height-4 window shares the remaining 10 pro-rata
    const r = match({ book, lastTradePrice: 100n, lastMatchHeight: 2, height: 5, lotSize: 5n });
    assert.deepEqual(
      r.trades.map((t) => [t.bid, t.lastQty]),
      [['b1', 20n], ['b2', 5n], ['b3', 5n]],
    );
  });

  it('makers on both sides of the concluded level ⇒ error, book untouched', () => {
    const book = table(`
      SELL  PRICE  BUY
      .     101    10@3
      10@3  100    .
    `);
    const before = snapshot(book);
    const eng = new MatchEngine(book, 100n, 1n, 5);
    const r = eng.run(6);
    assert.equal(r.matched, true);
    assert.equal(r.error, 'both_sides_have_makers');
    assert.deepEqual(r.trades, []);
    assert.deepEqual(snapshot(book), before);
    assert.equal(eng.lastTradePrice, 100n, 'last price unchanged on failure');
    assert.equal(eng.lastMatchHeight, 6, 'last match height set on every call');
  });

  it('an unfilled remainder (IOC-like) stays in the book; the caller expires it', () => {
    const book = table(`
      SELL  PRICE  BUY
      .     101    30@6
      10@5  100    .
    `);
    const r = match({ book, lastTradePrice: 100n, lastMatchHeight: 5, height: 6, lotSize: 1n });
    assert.equal(r.price, 101n);
    // one candidate level per price with exec 10: rule 3 buy pressure, upper 105 > 101 ⇒ 101;
    // the maker sell at 100 is then filled at its own price in round 1
    assert.deepEqual(r.trades.map(fmt), ['s1>b1 10@100 BuyTaker b10 s10']);
    assert.deepEqual(r.droppedIds, ['s1']);
    assert.deepEqual(snapshot(book).buy, [{ price: 101n, orders: [{ id: 'b1', time: 6, qty: 30n, cumQty: 10n }] }]);
    assert.equal(book.best(SELL), undefined);
  });

  it('no cross ⇒ nothing happens, but the engine still records the match height', () => {
    const book = table(`
      SELL  PRICE  BUY
      10    101    .
      .     100    10
    `);
    const eng = new MatchEngine(book, 100n, 1n, 3);
    const r = eng.run(4);
    assert.deepEqual(r, { matched: false, trades: [], droppedIds: [] });
    assert.equal(eng.lastMatchHeight, 4);
    assert.equal(book.size, 2);
  });

  it('taker merge: levels from the most aggressive, inside a level by original qty desc (stable)', () => {
    const book = table(`
      SELL   PRICE  BUY
      .      102    5@9,20@9,20@9
      .      101    50@9
      80@1   100    .
    `);
    const r = match({ book, lastTradePrice: 100n, lastMatchHeight: 5, height: 9, lotSize: 5n });
    assert.equal(r.takerSide, BUY);
    assert.deepEqual(
      r.trades.map((t) => t.bid),
      ['b2', 'b3', 'b1', 'b4'],
    );
  });
});
