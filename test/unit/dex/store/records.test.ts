/**
 * Binary DEX records (store.ts): exact round trips, refusal of the older JSON layout, and the
 * in-block state of placed orders, and the history (closed orders, trades) that leaves state
 * for the node's index and is pruned there, through the real app.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  P_PENDING,
  decodeOrder,
  decodeTrade,
  encodeOrder,
  encodeTrade,
  nextSeq,
} from '../../../../src/modules/dex/store.js';
import { OrderStatus, type OrderRecord, type TradeRecord } from '../../../../src/modules/dex/types.js';
import { memoryStateStore } from '../../../../src/state/index.js';
import { runBlock, view } from '../../app/helpers.js';
import { BNB, Signer, XYZ, XYZ_BNB, closedOf, newDexApp, tradesOf } from '../../modules/dex/helpers.js';
import { key } from '../../app/helpers.js';

const I64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const U64 = fc.bigInt({ min: 0n, max: 2n ** 63n - 1n });
const INT = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const STR = fc.string({ unit: 'binary', maxLength: 40 });
const COINS = fc.array(fc.record({ denom: STR, amount: I64 }), { maxLength: 3 });
const ADDR = fc.uint8Array({ minLength: 20, maxLength: 20 });

const orderArb: fc.Arbitrary<OrderRecord> = fc.record({
  id: STR,
  owner: ADDR,
  symbol: STR,
  side: fc.constantFrom(1 as const, 2 as const),
  price: U64,
  qty: U64,
  cumQty: U64,
  timeInForce: fc.constantFrom(1 as const, 3 as const),
  seq: U64,
  createdHeight: INT,
  createdTimeMs: INT,
  txHash: STR,
  lastUpdatedHeight: INT,
  lastUpdatedTimeMs: INT,
  status: fc.constantFrom(...Object.values(OrderStatus)),
  fees: COINS,
  lastTradeId: STR,
  lastExecutedPrice: I64,
  lastExecutedQty: I64,
});

const tradeArb: fc.Arbitrary<TradeRecord> = fc.record({
  id: STR,
  symbol: STR,
  price: U64,
  qty: U64,
  buyerOrderId: STR,
  sellerOrderId: STR,
  buyer: ADDR,
  seller: ADDR,
  height: INT,
  timeMs: INT,
  tickType: fc.integer({ min: 0, max: 10 }),
  buyerFee: COINS,
  sellerFee: COINS,
});

/** Plain objects (fast-check builds null-prototype records). */
const plainCoins = (c: readonly { denom: string; amount: bigint }[]) => c.map((x) => ({ denom: x.denom, amount: x.amount }));
const plainOrder = (o: OrderRecord): OrderRecord => ({ ...o, owner: Uint8Array.from(o.owner), fees: plainCoins(o.fees) });
const plainTrade = (t: TradeRecord): TradeRecord => ({
  ...t,
  buyer: Uint8Array.from(t.buyer),
  seller: Uint8Array.from(t.seller),
  buyerFee: plainCoins(t.buyerFee),
  sellerFee: plainCoins(t.sellerFee),
});

describe('dex store: binary records', () => {
  it('orders round-trip exactly (bigints, unicode strings, fees)', () => {
    fc.assert(fc.property(orderArb, (o) => assert.deepEqual(decodeOrder(encodeOrder(o)), plainOrder(o))), { numRuns: 300 });
  });

  it('trades round-trip exactly', () => {
    fc.assert(fc.property(tradeArb, (t) => assert.deepEqual(decodeTrade(encodeTrade(t)), plainTrade(t))), { numRuns: 300 });
  });

  it('an encoding is not changed by a later one (shared buffer is copied out)', () => {
    const [a, b] = fc.sample(orderArb, 2) as [OrderRecord, OrderRecord];
    const ea = encodeOrder(a);
    encodeOrder(b);
    assert.deepEqual(decodeOrder(ea), plainOrder(a));
  });

  it('refuses amounts outside int64 and records of the older JSON layout with a clear error', () => {
    const [o] = fc.sample(orderArb, 1) as [OrderRecord];
    assert.throws(() => encodeOrder({ ...o, qty: 2n ** 63n }), /outside int64/);
    const json = new TextEncoder().encode('["A-1","00","X_BNB",1,"1","1","0",1,"1",1,1,"",1,1,"Ack",[],"","0","0"]');
    assert.throws(() => decodeOrder(json), /older dexchain/);
    assert.throws(() => decodeTrade(json), /older dexchain/);
    const st = memoryStateStore();
    const kv = st.working();
    kv.set(new TextEncoder().encode('dex/seq'), new TextEncoder().encode('12345678'));
    assert.throws(() => nextSeq(kv), /record format/);
  });
});

describe('dex store: placed orders and the history index through the app', () => {
  const alice = key('rec-alice');
  const bob = key('rec-bob');
  const P1 = 100_000_000n;

  async function setup(historyBlocks?: number) {
    const h = await newDexApp({
      bnb: [
        [alice, 100n * BNB],
        [bob, 100n * BNB],
      ],
      tokens: [{ symbol: XYZ, owner: alice, supply: 1000n * BNB }],
      pairs: [[XYZ, 'BNB', P1]],
      ...(historyBlocks !== undefined ? { dexParams: { history_blocks: historyBlocks } } : {}),
    });
    await runBlock(h, []);
    return { h, s: new Signer(h) };
  }
  const count = (h: Awaited<ReturnType<typeof setup>>['h'], prefix: Uint8Array) => [...view(h).iterate(prefix)].length;
  const q = (h: Awaited<ReturnType<typeof setup>>['h'], path: string, filter?: unknown) => {
    const r = h.app.query(path, filter === undefined ? new Uint8Array(0) : new TextEncoder().encode(JSON.stringify(filter)));
    assert.equal(r.code, 0, r.log);
    return JSON.parse(new TextDecoder().decode(r.value));
  };

  it('committed state never holds placed-order keys; resting orders reach the book; a same-block cancel works', async () => {
    const { h, s } = await setup();
    // alice sells; bob buys at the price (fills) and below it (rests), and cancels a third order placed in the same block
    const sell = s.order(alice, XYZ_BNB, 2, P1, BNB);
    const buy1 = s.order(bob, XYZ_BNB, 1, P1, BNB);
    const buy2 = s.order(bob, XYZ_BNB, 1, P1 / 2n, BNB);
    const buy3 = s.order(bob, XYZ_BNB, 1, P1, BNB);
    const cancel3 = s.cancel(bob, XYZ_BNB, buy3.id);
    for (const tx of [sell.tx, buy1.tx, buy2.tx, buy3.tx, cancel3]) assert.equal(h.app.checkTx(tx, 'new').code, 0);
    const res = await runBlock(h, [sell.tx, buy1.tx, buy2.tx, buy3.tx, cancel3]);
    for (const r of res.txResults) assert.equal(r.code, 0, r.log);
    assert.equal(count(h, P_PENDING), 0);
    const open = q(h, `dex/api/open/${bob.bech32}`) as { orderId: string }[];
    assert.deepEqual(open.map((o) => o.orderId), [buy2.id]);
    assert.equal(q(h, `dex/api/order/${XYZ_BNB}/${buy2.id}`).orderId, buy2.id);
    const closed = await closedOf(h, bob.bech32);
    assert.deepEqual(closed.map((o) => [o.orderId, o.status]).sort(), [[buy1.id, 'FullyFill'], [buy3.id, 'Canceled']].sort());
    assert.equal((await tradesOf(h, { symbol: XYZ_BNB })).length, 1);
    // the cancel tx's closed order comes first in the block's history, then EndBlock's
    assert.deepEqual(res.history.closedOrders.map((o) => o.id), [buy3.id, sell.id, buy1.id]);
    assert.deepEqual(res.history.trades.map((t) => t.id), [`${h.height}-0`]);
    assert.equal(q(h, `dex/api/depth/${XYZ_BNB}`).pending_match, false);
    // the resting order then trades against a later sell
    const sell2 = s.order(alice, XYZ_BNB, 2, P1 / 2n, BNB);
    await runBlock(h, [sell2.tx]);
    assert.deepEqual(q(h, `dex/api/open/${bob.bech32}`), []);
    assert.equal((await tradesOf(h, { symbol: XYZ_BNB })).length, 2);
  });

  it('closed orders and trades leave state; the node index keeps them history_blocks and then prunes them', async () => {
    const { h, s } = await setup(3);
    const keys0 = [...view(h).iterate(new Uint8Array(0))].length;
    const sell = s.order(alice, XYZ_BNB, 2, P1, BNB);
    const buy = s.order(bob, XYZ_BNB, 1, P1, BNB);
    const b1 = s.order(bob, XYZ_BNB, 1, P1, BNB);
    const c1 = s.cancel(bob, XYZ_BNB, b1.id);
    await runBlock(h, [sell.tx, buy.tx, b1.tx, c1]);
    // state holds no history: only accounts, pair, counters and such change (no key per closed order)
    const stateKeys = [...view(h).iterate(new Uint8Array(0))].map(([k]) => new TextDecoder().decode(k));
    assert.deepEqual(stateKeys.filter((k) => /^dex\/(c|ch|tr|th)\//.test(k)), []);
    assert.ok(stateKeys.length - keys0 <= 4, `state grew by ${stateKeys.length - keys0} keys`);
    const held = async () => [(await closedOf(h, alice.bech32)).length + (await closedOf(h, bob.bech32)).length, (await tradesOf(h)).length];
    assert.deepEqual(await held(), [3, 1]);
    const stored = h.historyIndex!.size;
    assert.ok(stored > 0);
    for (let i = 0; i < 2; i++) await runBlock(h, []);
    assert.deepEqual(await held(), [3, 1]);
    await runBlock(h, []);
    assert.deepEqual(await held(), [0, 0]);
    assert.equal(h.historyIndex!.size, 0, 'every index key of the pruned height is gone');
  });

});
