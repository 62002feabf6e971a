import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isChainError } from '../../../../src/errors.js';
import { BUY, SELL, OrderBook, type Side } from '../../../../src/modules/dex/match/index.js';
import { snapshot } from './helpers.js';

const ins = (b: OrderBook, id: string, side: Side, price: bigint, qty: bigint, time = 1) => b.insert({ id, side, price, qty, time });

describe('OrderBook', () => {
  it('keeps buys descending, sells ascending, arrival order inside a level', () => {
    const b = new OrderBook();
    ins(b, 'b1', BUY, 100n, 1n);
    ins(b, 'b2', BUY, 102n, 1n);
    ins(b, 'b3', BUY, 100n, 2n);
    ins(b, 's1', SELL, 105n, 1n);
    ins(b, 's2', SELL, 103n, 1n);
    ins(b, 's3', SELL, 105n, 3n);
    assert.deepEqual([...b.levels(BUY)].map((l) => [l.price, l.orders.map((o) => o.id)]), [[102n, ['b2']], [100n, ['b1', 'b3']]]);
    assert.deepEqual([...b.levels(SELL)].map((l) => [l.price, l.orders.map((o) => o.id)]), [[103n, ['s2']], [105n, ['s1', 's3']]]);
    assert.equal(b.best(BUY)?.price, 102n);
    assert.equal(b.best(SELL)?.price, 103n);
    assert.equal(b.size, 6);
    assert.equal(b.crossedLevels(), undefined);
    assert.deepEqual([...b.orders()].map((o) => o.id), ['b2', 'b1', 'b3', 's2', 's1', 's3']);
  });

  it('depth sums unfilled quantity of the top N levels', () => {
    const b = new OrderBook();
    ins(b, 'b1', BUY, 100n, 10n);
    b.insert({ id: 'b2', side: BUY, price: 100n, qty: 10n, time: 1, cumQty: 4n });
    ins(b, 'b3', BUY, 99n, 7n);
    ins(b, 'b4', BUY, 98n, 7n);
    assert.deepEqual(b.depth(BUY, 2), [{ price: 100n, qty: 16n }, { price: 99n, qty: 7n }]);
    assert.deepEqual(b.depth(SELL, 5), []);
    assert.deepEqual(b.depth(BUY, 0), []);
  });

  it('removes by id (and the level when it empties); unknown ids give undefined', () => {
    const b = new OrderBook();
    ins(b, 'b1', BUY, 100n, 1n);
    ins(b, 'b2', BUY, 100n, 1n);
    assert.equal(b.remove('b1')?.id, 'b1');
    assert.equal(b.remove('b1'), undefined);
    assert.equal(b.levelCount(BUY), 1);
    assert.equal(b.remove('b2', SELL), undefined, 'side filter');
    assert.equal(b.remove('b2', BUY, 100n)?.id, 'b2');
    assert.equal(b.levelCount(BUY), 0);
    assert.equal(b.size, 0);
    assert.equal(b.best(BUY), undefined);
  });

  it('rejects a duplicate id inside a level and out-of-range values with typed errors', () => {
    const b = new OrderBook();
    ins(b, 'x', BUY, 100n, 1n);
    const bad = (f: () => unknown) => assert.throws(f, (e: unknown) => isChainError(e));
    bad(() => ins(b, 'x', BUY, 100n, 1n));
    bad(() => ins(b, 'y', BUY, 0n, 1n));
    bad(() => ins(b, 'y', BUY, 1n, 0n));
    bad(() => ins(b, 'y', BUY, 1n << 63n, 1n));
    bad(() => b.insert({ id: 'y', side: BUY, price: 1n, qty: 5n, time: 1, cumQty: 6n }));
    bad(() => ins(b, 'y', 3 as Side, 1n, 1n));
    // the original only rejects duplicates inside one level
    ins(b, 'x', SELL, 100n, 1n);
    ins(b, 'x', BUY, 101n, 1n);
    assert.equal(b.size, 3);
    assert.equal(b.remove('x', SELL)?.side, SELL);
    assert.equal(b.get('x')?.price, 100n, 'earliest first');
    assert.equal(b.remove('x')?.price, 100n);
    assert.equal(b.get('x')?.price, 101n);
    assert.equal(b.remove('x')?.price, 101n);
    assert.equal(b.has('x'), false);
    assert.equal(b.size, 0);
  });

  it('crossedLevels returns the overlapped range of both sides', () => {
    const b = new OrderBook();
    for (const [id, side, p] of [['b1', BUY, 105n], ['b2', BUY, 101n], ['b3', BUY, 99n], ['s1', SELL, 100n], ['s2', SELL, 104n], ['s3', SELL, 106n]] as const) {
      ins(b, id, side, p, 1n);
    }
    const c = b.crossedLevels();
    assert.ok(c);
    assert.deepEqual(c.buys.map((l) => l.price), [105n, 101n]);
    assert.deepEqual(c.sells.map((l) => l.price), [100n, 104n]);
  });

  it('dropFilledOrders removes exactly the fully filled orders; clone is deep', () => {
    const b = new OrderBook();
    ins(b, 'b1', BUY, 100n, 5n).cumQty = 5n;
    ins(b, 'b2', BUY, 100n, 5n).cumQty = 2n;
    ins(b, 's1', SELL, 101n, 5n).cumQty = 5n;
    const c = b.clone();
    assert.deepEqual(b.dropFilledOrders(), ['b1', 's1']);
    assert.deepEqual(snapshot(b), { buy: [{ price: 100n, orders: [{ id: 'b2', time: 1, qty: 5n, cumQty: 2n }] }], sell: [] });
    assert.equal(b.has('b1'), false);
    assert.equal(c.size, 3, 'clone unaffected');
    c.get('b2')!.cumQty = 0n;
    assert.equal(b.get('b2')!.cumQty, 2n);
  });

  it('property: level order always equals the sorted set of live prices (random inserts/removes)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('ins' as const), side: fc.constantFrom(BUY, SELL), price: fc.integer({ min: 1, max: 400 }) }),
      fc.record({ kind: fc.constant('del' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
        const b = new OrderBook();
        const live: { id: string; side: Side; price: bigint }[] = [];
        let n = 0;
        for (const o of ops) {
          if (o.kind === 'ins') {
            const id = `o${n++}`;
            ins(b, id, o.side, BigInt(o.price), 1n);
            live.push({ id, side: o.side, price: BigInt(o.price) });
          } else if (live.length > 0) {
            const [x] = live.splice(o.pick % live.length, 1);
            assert.equal(b.remove(x!.id)?.id, x!.id);
          }
        }
        for (const side of [BUY, SELL] as const) {
          const want = [...new Set(live.filter((x) => x.side === side).map((x) => x.price))].sort((a, c) =>
            side === BUY ? (a > c ? -1 : a < c ? 1 : 0) : a < c ? -1 : a > c ? 1 : 0,
          );
          assert.deepEqual([...b.levels(side)].map((l) => l.price), want);
          for (const l of b.levels(side)) {
            const ids = live.filter((x) => x.side === side && x.price === l.price).map((x) => x.id);
            assert.deepEqual(l.orders.map((o) => o.id), ids, 'arrival order inside a level');
          }
        }
        assert.equal(b.size, live.length);
      }),
      { numRuns: 200 },
    );
  });
});
