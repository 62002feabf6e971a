/**
 * Every case of ../shared/vectors/match.json through the engine (or through the helper the case
 * exercises), comparing every field the case asserts.
 */
import assert from 'node:assert/strict';
import {
  BUY,
  SELL,
  MatchEngine,
  OrderBook,
  allocateResidual,
  calcFillQty,
  determineTakerSide,
  dropRedundantQty,
  fillOrdersNew,
  getPriceCloseToRef,
  getTradePrice,
  mergeLevels,
  newOverlappedLevel,
  notional,
  prepareMatch,
  type OrderPart,
  type OverlappedLevel,
  type Side,
  type WorkOrder,
} from '../../../../src/modules/dex/match/index.js';
import { loadMatchVectors, sideOf, snapshot, tickOf, vecBook, vecTrade, type Json } from './helpers.js';

const data = loadMatchVectors();
const cases: Json[] = data.cases;

function bookFrom(orders: Json[]): OrderBook {
  const book = new OrderBook();
  for (const o of orders) {
    book.insert({ id: String(o.id), side: sideOf(o.side), price: BigInt(o.price), qty: BigInt(o.qty), time: o.time });
  }
  return book;
}

/** A WorkOrder for helper-level vectors (`available` / `nxtTrade` is the round's executable qty). */
function work(o: Json, side: Side = BUY, price = 1n): WorkOrder {
  const qty = BigInt(o.qty);
  const nxt = BigInt(o.nxtTrade ?? o.available);
  const cumQty = o.cumQty !== undefined ? BigInt(o.cumQty) : qty - nxt;
  const order: OrderPart = { id: String(o.id), time: o.time ?? 0, qty, cumQty, price, side };
  return { order, nxt };
}

function levelsFrom(levels: Json[]): OverlappedLevel[] {
  return levels.map((l: Json) => {
    const lvl = newOverlappedLevel(
      BigInt(l.price),
      l.buy_orders.map((o: Json) => work(o, BUY, BigInt(l.price))),
      l.sell_orders.map((o: Json) => work(o, SELL, BigInt(l.price))),
    );
    if (l.buy_taker_start_idx !== undefined) {
      lvl.buyTakerStartIdx = l.buy_taker_start_idx;
      lvl.sellTakerStartIdx = l.sell_taker_start_idx;
      lvl.buyMakerTotal = BigInt(l.buy_maker_total);
      lvl.sellMakerTotal = BigInt(l.sell_maker_total);
    }
    return lvl;
  });
}

const byKind = (k: string) => cases.filter((c) => c.kind === k);

describe('match vectors (../shared/vectors/match.json)', () => {
  it('has the kinds this suite knows', () => {
    const known = new Set([
      'full_match',
      'trade_price',
      'price_close_to_ref',
      'allocate_residual',
      'drop_redundant_qty',
      'calc_fill_qty',
      'fill_orders_new',
      'determine_taker_side',
      'integration_block_match',
      'legacy_full_match',
    ]);
    for (const c of cases) assert.ok(known.has(c.kind), `unknown case kind ${c.kind} (${c.id})`);
    assert.ok(cases.length > 0);
  });

  describe('full_match', () => {
    for (const c of byKind('full_match')) {
      it(c.id, () => {
        const p = c.params;
        const book = bookFrom(c.orders_in_insertion_order);
        const eng = new MatchEngine(book, BigInt(p.ref_price_LastTradePrice), BigInt(p.lot_size), p.last_match_height, p.price_limit_pct);
        const r = eng.run(p.match_height);
        assert.equal(r.error, undefined, r.errorDetail);
        assert.equal(r.matched, true);
        assert.equal(r.price, BigInt(c.expected.concluded_price));
        assert.equal(eng.lastTradePrice, BigInt(c.expected.concluded_price));
        assert.equal(eng.lastMatchHeight, p.match_height);
        assert.deepEqual(r.trades, c.expected.trades.map(vecTrade));
        if (c.expected.book_after_DropFilledOrder) assert.deepEqual(snapshot(book), vecBook(c.expected.book_after_DropFilledOrder));
      });
    }
  });

  describe('trade_price', () => {
    for (const c of byKind('trade_price')) {
      it(`${c.id} (${c.rule_exercised})`, () => {
        const book = bookFrom(c.orders_in_insertion_order);
        const crossed = book.crossedLevels();
        assert.ok(crossed);
        const levels = mergeLevels(crossed.buys, crossed.sells);
        prepareMatch(levels);
        if (c.overlapped_levels_derived) {
          assert.deepEqual(
            levels.map((l) => ({ price: l.price, buy: l.buyTotal, sell: l.sellTotal, accBuy: l.accBuy, accSell: l.accSell, exec: l.exec, surplus: l.surplus })),
            c.overlapped_levels_derived.map((l: Json) => ({
              price: BigInt(l.price),
              buy: BigInt(l.buy),
              sell: BigInt(l.sell),
              accBuy: BigInt(l.accBuy),
              accSell: BigInt(l.accSell),
              exec: BigInt(l.exec),
              surplus: BigInt(l.surplus),
            })),
          );
        }
        const r = getTradePrice(levels, BigInt(c.params.ref_price_LastTradePrice), c.params.price_limit_pct);
        assert.equal(r.price, BigInt(c.expected.concluded_price));
        assert.equal(r.index, c.expected.overlapped_index);
      });
    }
  });

  describe('price_close_to_ref', () => {
    for (const c of byKind('price_close_to_ref')) {
      c.checks.forEach((chk: Json, n: number) => {
        it(`${c.id} #${n}: candidates ${chk.candidate_indexes} ref ${chk.ref}`, () => {
          const levels = c.level_prices_desc.map((p: number) => newOverlappedLevel(BigInt(p)));
          const r = getPriceCloseToRef(levels, chk.candidate_indexes, BigInt(chk.ref));
          assert.equal(r.price, BigInt(chk.expected_price));
          assert.equal(r.index, chk.expected_index);
        });
      });
    }
  });

  describe('allocate_residual', () => {
    for (const c of byKind('allocate_residual')) {
      c.checks.forEach((chk: Json, n: number) => {
        it(`${c.id} #${n}: ${chk.to_alloc} in lots of ${chk.lot_size}`, () => {
          const ws = chk.orders.map((o: Json) => work(o));
          const rest = allocateResidual(BigInt(chk.to_alloc), ws, BigInt(chk.lot_size));
          assert.deepEqual(ws.map((w: WorkOrder) => w.nxt), chk.expected_alloc.map(BigInt));
          assert.equal(rest, 0n);
        });
      });
    }
  });

  describe('drop_redundant_qty', () => {
    for (const c of byKind('drop_redundant_qty')) {
      c.checks.forEach((chk: Json, n: number) => {
        it(`${c.id} #${n}: drop ${chk.to_drop}`, () => {
          const ws = chk.orders.map((o: Json) => work(o));
          assert.equal(dropRedundantQty(ws, BigInt(chk.to_drop), BigInt(chk.lot_size)), undefined);
          assert.deepEqual(ws.map((w: WorkOrder) => w.nxt), chk.expected_kept.map(BigInt));
        });
      });
    }
  });

  describe('calc_fill_qty', () => {
    for (const c of byKind('calc_fill_qty')) {
      c.checks.forEach((chk: Json, n: number) => {
        it(`${c.id} #${n}: maker qty ${chk.maker_qty}`, () => {
          const takers = chk.takers.map((o: Json) => work(o, SELL));
          const fill = calcFillQty(BigInt(chk.maker_qty), takers, chk.proportion.map(BigInt), BigInt(chk.total_taker_qty), BigInt(chk.lot_size));
          assert.deepEqual(fill, chk.expected_fill.map(BigInt));
        });
      });
    }
  });

  describe('fill_orders_new', () => {
    for (const c of byKind('fill_orders_new')) {
      it(c.id, () => {
        const s = c.input_state;
        const levels = levelsFrom(s.levels);
        const takerSide = sideOf(s.taker_side);
        const takers = s.merged_takers_in_order.map((o: Json) => work(o, takerSide));
        const totalQty = takers.reduce((a: bigint, t: WorkOrder) => a + t.nxt, 0n);
        const trades = fillOrdersNew({
          levels,
          k: s.concluded_level_index,
          price: BigInt(s.concluded_price),
          surplus: BigInt(s.surplus_at_concluded_level),
          lotSize: BigInt(s.lot_size),
          takerSide,
          takers: { orders: takers, totalQty },
        });
        assert.deepEqual(trades, c.expected.trades.map(vecTrade));
      });
    }
  });

  describe('determine_taker_side', () => {
    for (const c of byKind('determine_taker_side')) {
      for (const chk of c.checks) {
        it(`${c.id}: concluded level ${chk.concluded_level_index}`, () => {
          const levels = levelsFrom(c.levels);
          assert.equal(determineTakerSide(levels, chk.concluded_level_index, c.last_match_height), sideOf(chk.expected_taker_side));
        });
      }
      it(`${c.id}: extra checks (no makers ⇒ BUY; makers on both sides ⇒ error)`, () => {
        const one = (buyTime: number, sellTime: number) => [
          newOverlappedLevel(
            1200n,
            [work({ id: '1', time: buyTime, qty: 100, cumQty: 0, nxtTrade: 100 }, BUY, 1200n)],
            [work({ id: '2', time: sellTime, qty: 100, cumQty: 0, nxtTrade: 100 }, SELL, 1200n)],
          ),
        ];
        assert.equal(c.extra_checks.length, 2);
        assert.equal(determineTakerSide(one(100, 100), 0, c.last_match_height), sideOf(c.extra_checks[0].expected_taker_side));
        assert.ok(c.extra_checks[1].expected_error);
        assert.equal(determineTakerSide(one(99, 99), 0, c.last_match_height), 'both_sides_have_makers');
      });
    }
  });

  describe('integration_block_match', () => {
    for (const c of byKind('integration_block_match')) {
      it(c.id, () => {
        const p = c.params;
        const book = new OrderBook();
        const eng = new MatchEngine(book, BigInt(p.ref_price_LastTradePrice), BigInt(p.lot_size), 0, p.price_limit_pct);
        let last: ReturnType<MatchEngine['run']> | undefined;
        let bookAfterDrop: ReturnType<typeof snapshot> | undefined;
        for (const blk of c.blocks) {
          const ioc: string[] = [];
          for (const o of blk.orders) {
            book.insert({ id: o.id, side: sideOf(o.side), price: BigInt(o.price), qty: BigInt(o.qty), time: blk.height });
            if (o.tif === 'IOC') ioc.push(o.id);
          }
          // only pairs with new orders in the block are matched (§A.1)
          if (blk.orders.length > 0) {
            last = eng.run(blk.height);
            assert.equal(last.error, undefined, last.errorDetail);
            bookAfterDrop = snapshot(book);
          }
          for (const id of ioc) book.remove(id);
        }
        assert.ok(last);
        const exp = c.expected;
        assert.equal(eng.lastTradePrice, BigInt(exp.concluded_price_lastPx));
        assert.equal(last.trades.length, exp.trade_count);
        if (exp.trades_asserted_fields) {
          assert.deepEqual(
            last.trades.map((t) => ({ qty: t.lastQty, tick: t.tickType })),
            exp.trades_asserted_fields.map((t: Json) => ({ qty: BigInt(t.qty), tick: tickOf(t.tickType) })),
          );
        }
        const feeOf = (px: bigint, q: bigint) => (notional(px, q) * BigInt(p.fee_rate_native_ppm)) / 1_000_000n;
        if (exp.trade_fee_BNB_each_side) {
          assert.deepEqual(last.trades.map((t) => feeOf(t.lastPx, t.lastQty)), exp.trade_fee_BNB_each_side.map(BigInt));
        }
        const d = c.derived_by_port;
        if (d) {
          assert.deepEqual(last.trades, d.trades.map(vecTrade));
          if (d.fee_each_side_per_trade) {
            assert.deepEqual(last.trades.map((t) => feeOf(t.lastPx, t.lastQty)), d.fee_each_side_per_trade.map(BigInt));
          }
          if (d.book_after_DropFilledOrder) assert.deepEqual(bookAfterDrop, vecBook(d.book_after_DropFilledOrder));
        }
      });
    }
  });

  // legacy_full_match (the pre-BEP19 engine, §A.5) runs through `dexchain dex match --engine
  // legacy` in test/unit/dex/cli/vectors-cli.test.ts.
});
