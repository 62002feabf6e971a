/**
 * Every case of ../shared/vectors/match.json through the code paths of `dexchain dex match`
 * (full_match, trade_price, legacy_full_match), `dexchain dex replay` (integration_block_match:
 * a real in-memory app, signed txs per block, fees and balances to the unit) and, for the
 * helper-table kinds, the engine functions they exercise. One spawn per command checks the
 * wiring of the real CLI (stdin input, JSON out, exit code).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import {
  BUY,
  SELL,
  allocateResidual,
  calcFillQty,
  determineTakerSide,
  dropRedundantQty,
  fillOrdersNew,
  getPriceCloseToRef,
  newOverlappedLevel,
  type OrderPart,
  type Side,
  type WorkOrder,
} from '../../../../src/modules/dex/match/index.js';
import { reserveQty } from '../../../../src/modules/dex/match/legacy.js';
import { runMatchCase, runReplayCase, normalizeMatchCase } from '../../../../src/cli/dex-tools.js';
import { loadMatchVectors, sideOf, tickOf, vecTrade, type Json } from '../match/helpers.js';

const data = loadMatchVectors();
const cases: Json[] = data.cases;
const byKind = (k: string) => cases.filter((c) => c.kind === k);
const ROOT = resolve(new URL('../../../..', import.meta.url).pathname);
const VECTORS = resolve(ROOT, '../shared/vectors/match.json');

const HANDLED = new Set([
  'full_match',
  'trade_price',
  'legacy_full_match',
  'integration_block_match',
  'price_close_to_ref',
  'allocate_residual',
  'drop_redundant_qty',
  'calc_fill_qty',
  'fill_orders_new',
  'determine_taker_side',
]);

/** CLI trade JSON (strings) → the vector's shape with numbers as strings. */
const cliTrade = (t: Json) => ({ sid: t.sid, bid: t.bid, price: t.price, qty: t.qty, buyCumQty: t.buyCumQty, sellCumQty: t.sellCumQty, tickType: t.tickType });
const vecTradeStr = (t: Json, legacy = false) => ({
  sid: String(t.sid),
  bid: String(t.bid),
  price: String(t.price),
  qty: String(t.qty),
  buyCumQty: String(t.buyCumQty),
  sellCumQty: String(t.sellCumQty),
  tickType: legacy ? 'Unknown' : t.tickType,
});
const vecBookStr = (b: Json) => {
  const side = (levels: Json[]) =>
    levels.map((l: Json) => ({
      price: String(l.price),
      orders: l.orders.map((o: Json) => ({ id: String(o.id), time: o.time, qty: String(o.qty), cumQty: String(o.cumQty) })),
    }));
  return { buy: side(b.buy), sell: side(b.sell) };
};

function work(o: Json, side: Side = BUY, price = 1n): WorkOrder {
  const qty = BigInt(o.qty);
  const nxt = BigInt(o.nxtTrade ?? o.available);
  const cumQty = o.cumQty !== undefined ? BigInt(o.cumQty) : qty - nxt;
  const order: OrderPart = { id: String(o.id), time: o.time ?? 0, qty, cumQty, price, side };
  return { order, nxt };
}

function levelsFrom(levels: Json[]) {
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

describe('match vectors through the dexchain dex match / replay code paths', function () {
  this.timeout(60_000);

  it('knows every case kind of match.json', () => {
    assert.ok(cases.length > 0);
    for (const c of cases) assert.ok(HANDLED.has(c.kind), `unknown kind ${c.kind} (${c.id})`);
  });

  describe('full_match (dex match --engine new)', () => {
    for (const c of byKind('full_match')) {
      it(c.id, () => {
        const out = runMatchCase(c, 'new');
        assert.equal(out.error, null, out.error_detail ?? '');
        assert.equal(out.matched, true);
        assert.equal(out.price, String(c.expected.concluded_price));
        assert.equal(out.last_trade_price, String(c.expected.concluded_price));
        assert.equal(out.last_match_height, c.params.match_height);
        assert.deepEqual(out.trades.map(cliTrade), c.expected.trades.map((t: Json) => vecTradeStr(t)));
        if (c.expected.book_after_DropFilledOrder) assert.deepEqual(out.book, vecBookStr(c.expected.book_after_DropFilledOrder));
      });
    }
  });

  describe('trade_price (dex match: price step and overlapped levels)', () => {
    for (const c of byKind('trade_price')) {
      it(`${c.id} (${c.rule_exercised})`, () => {
        const out = runMatchCase(c, 'new');
        assert.equal(out.matched, true);
        assert.equal(out.price, String(c.expected.concluded_price));
        assert.equal(out.level_index, c.expected.overlapped_index);
        if (c.overlapped_levels_derived) {
          assert.deepEqual(
            out.overlapped_levels,
            c.overlapped_levels_derived.map((l: Json) => ({
              price: String(l.price),
              buy: String(l.buy),
              sell: String(l.sell),
              accBuy: String(l.accBuy),
              accSell: String(l.accSell),
              exec: String(l.exec),
              surplus: String(l.surplus),
            })),
          );
        }
        // the legacy engine shares the price rules (§A.3)
        const legacy = runMatchCase(c, 'legacy');
        assert.equal(legacy.price, String(c.expected.concluded_price));
        assert.equal(legacy.level_index, c.expected.overlapped_index);
      });
    }
  });

  describe('legacy_full_match (dex match --engine legacy)', () => {
    for (const c of byKind('legacy_full_match')) {
      it(c.id, () => {
        const out = runMatchCase(c, 'legacy');
        assert.equal(out.error, null, out.error_detail ?? '');
        assert.equal(out.price, String(c.expected.concluded_price));
        assert.equal(out.last_trade_price, String(c.expected.concluded_price));
        assert.equal(out.taker_side, null);
        assert.deepEqual(out.trades.map(cliTrade), c.expected.trades.map((t: Json) => vecTradeStr(t, true)));
        // every trade at the single concluded price, and filled orders left the book
        const filled = new Set<string>();
        for (const t of out.trades) {
          assert.equal(t.price, String(c.expected.concluded_price));
          const o = c.orders_in_insertion_order;
          if (BigInt(t.buyCumQty) === BigInt(o.find((x: Json) => String(x.id) === t.bid).qty)) filled.add(t.bid);
          if (BigInt(t.sellCumQty) === BigInt(o.find((x: Json) => String(x.id) === t.sid).qty)) filled.add(t.sid);
        }
        const resting = [...out.book.buy, ...out.book.sell].flatMap((l) => l.orders.map((o) => o.id));
        for (const id of filled) assert.ok(!resting.includes(id), `filled order ${id} still rests`);
      });
    }
  });

  describe('integration_block_match (dex replay: real app, signed txs, fees and balances)', () => {
    for (const c of byKind('integration_block_match')) {
      it(c.id, async () => {
        const r = await runReplayCase(c);
        const failed = r.checks.filter((x) => !x.ok);
        assert.deepEqual(failed, [], `checks failed: ${JSON.stringify(failed, null, 1)}`);
        assert.equal(r.ok, true);
        // and every expected value asserted here directly, not only through the replay's own checks
        const exp = c.expected;
        for (const b of r.blocks) assert.deepEqual(b.tx_codes, b.tx_codes.map(() => 0), `block ${b.height}: ${b.tx_logs.join('; ')}`);
        assert.equal(r.lot_size, String(c.params.lot_size));
        assert.equal(r.last_trade_price, String(exp.concluded_price_lastPx));
        assert.equal(r.trades.length, exp.trade_count);
        (exp.trades_asserted_fields ?? []).forEach((t: Json, i: number) => {
          assert.equal(r.trades[i]!.qty, String(t.qty));
          assert.equal(r.trades[i]!.tickType, t.tickType);
        });
        (exp.trade_fee_BNB_each_side ?? []).forEach((f: number, i: number) => {
          assert.equal(r.trades[i]!.buyer_fee, `${f}:BNB`);
          assert.equal(r.trades[i]!.seller_fee, `${f}:BNB`);
        });
        for (const [label, fields] of Object.entries(exp.balances_after as Record<string, Record<string, number>>)) {
          for (const [field, v] of Object.entries(fields)) assert.equal(r.balances[label]![field], String(v), `${label} ${field}`);
        }
        const d = c.derived_by_port;
        if (d?.trades) assert.deepEqual(r.trades.map(cliTrade), d.trades.map((t: Json) => vecTradeStr(t)));
        if (d?.fee_each_side_per_trade) assert.deepEqual(r.trades.map((t) => t.buyer_fee), d.fee_each_side_per_trade.map((f: number) => `${f}:BNB`));
        // conservation: what the case accounts hold in total is what they started with, minus fees
        const start = c.params.start_balance_each_account as Record<string, number>;
        const n = BigInt(Object.keys(r.balances).length);
        const fees = r.trades.reduce((a, t) => a + BigInt(t.buyer_fee.split(':')[0] || 0) + BigInt(t.seller_fee.split(':')[0] || 0), 0n);
        let btc = 0n;
        let bnb = 0n;
        for (const row of Object.values(r.balances)) {
          btc += BigInt(row['BTC-000_avail']!) + BigInt(row['BTC-000_locked']!);
          bnb += BigInt(row['BNB_avail']!) + BigInt(row['BNB_locked']!);
        }
        assert.equal(btc, n * BigInt(start['BTC-000']!));
        assert.equal(bnb, n * BigInt(start.BNB!) - fees);
      });
    }
  });

  describe('helper-table kinds through the engine functions', () => {
    for (const c of byKind('price_close_to_ref')) {
      it(`${c.id}: ${c.checks.length} checks`, () => {
        const levels = c.level_prices_desc.map((p: number) => newOverlappedLevel(BigInt(p)));
        for (const chk of c.checks) {
          const r = getPriceCloseToRef(levels, chk.candidate_indexes, BigInt(chk.ref));
          assert.deepEqual([r.price, r.index], [BigInt(chk.expected_price), chk.expected_index], JSON.stringify(chk));
        }
      });
    }
    for (const c of byKind('allocate_residual')) {
      it(`${c.id}: ${c.checks.length} checks (and the legacy reserveQty on one time window)`, () => {
        for (const chk of c.checks) {
          const ws = chk.orders.map((o: Json) => work(o));
          assert.equal(allocateResidual(BigInt(chk.to_alloc), ws, BigInt(chk.lot_size)), 0n);
          assert.deepEqual(ws.map((w: WorkOrder) => w.nxt), chk.expected_alloc.map(BigInt), JSON.stringify(chk));
          if (new Set(chk.orders.map((o: Json) => o.time)).size === 1 && chk.orders.length > 1) {
            const ws2 = chk.orders.map((o: Json) => work(o));
            assert.equal(reserveQty(BigInt(chk.to_alloc), ws2, BigInt(chk.lot_size)), true);
            assert.deepEqual(ws2.map((w: WorkOrder) => w.nxt), chk.expected_alloc.map(BigInt));
          }
        }
      });
    }
    for (const c of byKind('drop_redundant_qty')) {
      it(`${c.id}: ${c.checks.length} checks`, () => {
        for (const chk of c.checks) {
          const ws = chk.orders.map((o: Json) => work(o));
          assert.equal(dropRedundantQty(ws, BigInt(chk.to_drop), BigInt(chk.lot_size)), undefined);
          assert.deepEqual(ws.map((w: WorkOrder) => w.nxt), chk.expected_kept.map(BigInt), JSON.stringify(chk));
        }
      });
    }
    for (const c of byKind('calc_fill_qty')) {
      it(`${c.id}: ${c.checks.length} checks`, () => {
        for (const chk of c.checks) {
          const takers = chk.takers.map((o: Json) => work(o, SELL));
          const fill = calcFillQty(BigInt(chk.maker_qty), takers, chk.proportion.map(BigInt), BigInt(chk.total_taker_qty), BigInt(chk.lot_size));
          assert.deepEqual(fill, chk.expected_fill.map(BigInt), JSON.stringify(chk));
        }
      });
    }
    for (const c of byKind('fill_orders_new')) {
      it(c.id, () => {
        const s = c.input_state;
        const takerSide = sideOf(s.taker_side);
        const takers = s.merged_takers_in_order.map((o: Json) => work(o, takerSide));
        const trades = fillOrdersNew({
          levels: levelsFrom(s.levels),
          k: s.concluded_level_index,
          price: BigInt(s.concluded_price),
          surplus: BigInt(s.surplus_at_concluded_level),
          lotSize: BigInt(s.lot_size),
          takerSide,
          takers: { orders: takers, totalQty: takers.reduce((a: bigint, t: WorkOrder) => a + t.nxt, 0n) },
        });
        assert.deepEqual(trades, c.expected.trades.map(vecTrade));
      });
    }
    for (const c of byKind('determine_taker_side')) {
      it(`${c.id}: ${c.checks.length} checks`, () => {
        for (const chk of c.checks) {
          assert.equal(determineTakerSide(levelsFrom(c.levels), chk.concluded_level_index, c.last_match_height), sideOf(chk.expected_taker_side));
        }
        void tickOf;
      });
    }
  });

  describe('the simple case format', () => {
    it('defaults: time = height, last match height = height - 1 (all takers), lot 1', () => {
      const n = normalizeMatchCase({ last_price: 100, height: 7, orders: [{ id: 'a', side: 'BUY', price: 101, qty: 3 }, { id: 'b', side: 2, price: '99', qty: '2' }] });
      assert.equal(n.height, 7);
      assert.equal(n.lastMatchHeight, 6);
      assert.equal(n.lotSize, 1n);
      assert.deepEqual(n.orders.map((o) => o.time), [7, 7]);
      const out = runMatchCase({ last_price: 100, height: 7, orders: [{ id: 'a', side: 'BUY', price: 101, qty: 3 }, { id: 'b', side: 2, price: '99', qty: '2' }] });
      // exec 2 and surplus +1 at both 101 and 99: buy pressure, band [95, 105] ⇒ the highest, 101 (§A.3)
      assert.equal(out.price, '101');
      assert.deepEqual(out.trades.map((t) => [t.sid, t.bid, t.qty, t.tickType]), [['b', 'a', '2', 'BuySurplus']]);
      assert.deepEqual(out.book, { buy: [{ price: '101', orders: [{ id: 'a', time: 7, qty: '3', cumQty: '2' }] }], sell: [] });
    });
    it('rejects a malformed case with a clear message', () => {
      assert.throws(() => normalizeMatchCase({ last_price: 1, orders: [{ id: 'x', side: 'UP', price: 1, qty: 1 }] }), /side must be BUY or SELL/);
      assert.throws(() => normalizeMatchCase({ last_price: 1, orders: [{ id: 'x', side: 'BUY', price: 0, qty: 1 }] }), /price > 0/);
      assert.throws(() => normalizeMatchCase({ last_price: 1 }), /needs "orders"/);
    });
  });

  describe('the real CLI (spawned)', () => {
    const run = (args: string[], input?: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', resolve(ROOT, 'test/unit/dex/cli/run-cli.ts'), ...args], { cwd: ROOT, encoding: 'utf8', input, timeout: 60_000 });

    it('dex match --case - --engine legacy reads stdin and prints the legacy vector result', () => {
      const c = byKind('legacy_full_match')[0];
      const r = run(['dex', 'match', '--case', '-', '--engine', 'legacy'], JSON.stringify(c));
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.engine, 'legacy');
      assert.deepEqual(out.trades.map(cliTrade), c.expected.trades.map((t: Json) => vecTradeStr(t, true)));
    });

    it('dex replay --case match.json --id … exits 0 with ok=true', () => {
      const c = byKind('integration_block_match')[0];
      const r = run(['dex', 'replay', '--case', VECTORS, '--id', c.id]);
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.ok, true);
      assert.equal(out.last_trade_price, String(c.expected.concluded_price_lastPx));
    });

    it('bad input: a clear error and a non-zero exit', () => {
      const r = run(['dex', 'match', '--case', VECTORS]);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /choose one with --id/);
      const r2 = run(['dex', 'match', '--case', '-', '--engine', 'old'], '{}');
      assert.notEqual(r2.status, 0);
      assert.match(r2.stderr, /--engine must be new or legacy/);
    });
  });
});
