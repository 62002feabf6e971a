/**
 * The end-block and order fast paths against the plain code they stand for: slab-written
 * records, 8-byte counters, the order-id result bytes, settlement's working balances (same
 * results and the same errors as the coin-list arithmetic).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bigintToBytes8BE, bytes8BEToBigint, compareBytes, concatBytes } from '../../../../src/state/bytes.js';
import { memoryStateStore } from '../../../../src/state/index.js';
import { addCoins, subCoins } from '../../../../src/modules/bank/coins.js';
import type { Coin } from '../../../../src/codec/types.js';
import {
  decodeOrder,
  decodeTrade,
  encodeOrder,
  encodeTrade,
  readU64BE,
  u64Bytes,
} from '../../../../src/modules/dex/store.js';
import { orderIdResult } from '../../../../src/modules/dex/handlers.js';
import { applyTransfer, coinList, coinMap, type Work } from '../../../../src/modules/dex/run.js';
import { TransferKind, type Transfer } from '../../../../src/modules/dex/fees.js';
import { OrderStatus, type OrderRecord, type TradeRecord } from '../../../../src/modules/dex/types.js';
import type { Account } from '../../../../src/modules/bank/account.js';

function order(i: number, id = `ID-${i}`): OrderRecord {
  return {
    id,
    owner: Uint8Array.from({ length: 20 }, (_, k) => (i * 7 + k) & 0xff),
    symbol: 'XYZ-000_BNB',
    side: i % 2 === 0 ? 1 : 2,
    price: BigInt(i) * 100_000_000n + 1n,
    qty: 2n ** 62n - BigInt(i),
    cumQty: BigInt(i),
    timeInForce: 1,
    seq: BigInt(i) + 1n,
    createdHeight: i,
    createdTimeMs: 1_700_000_000_000 + i,
    txHash: 'AB'.repeat(32),
    lastUpdatedHeight: i,
    lastUpdatedTimeMs: 1_700_000_000_000 + i,
    status: OrderStatus.PartialFill,
    fees: i % 3 === 0 ? [] : [{ denom: 'BNB', amount: BigInt(i) }],
    lastTradeId: `${i}-0`,
    lastExecutedPrice: -BigInt(i),
    lastExecutedQty: BigInt(i),
  };
}

describe('dex hot paths: records written into slabs', () => {
  it('every record handed out stays intact while many more are written (slab roll-over)', () => {
    const kept: [OrderRecord, Uint8Array][] = [];
    // ~232 B each: several 64 KiB slabs
    for (let i = 0; i < 1500; i++) {
      const o = order(i);
      kept.push([o, encodeOrder(o)]);
    }
    for (const [o, b] of kept) assert.deepEqual(decodeOrder(b), o);
    // and each view is exactly the bytes of a fresh encode
    for (const [o, b] of kept.slice(0, 50)) assert.deepEqual(Uint8Array.from(b), Uint8Array.from(encodeOrder(o)));
  });

  it('a record larger than the rest of a slab (or than a slab) moves whole', () => {
    const big = order(1, 'x'.repeat(30_000));
    const small = encodeOrder(order(2));
    const b = encodeOrder(big);
    assert.deepEqual(decodeOrder(b), big);
    assert.deepEqual(decodeOrder(small), order(2));
    const unicode = order(3, 'é'.repeat(20_000)); // 40,000 UTF-8 bytes, written through encodeInto
    assert.deepEqual(decodeOrder(encodeOrder(unicode)), unicode);
    assert.throws(() => encodeOrder(order(4, '€'.repeat(30_000))), /string too long/);
    // the writer is still usable after a refused record
    assert.deepEqual(decodeOrder(encodeOrder(order(5))), order(5));
  });

  it('trades interleaved with orders round-trip', () => {
    const out: [TradeRecord, Uint8Array][] = [];
    for (let i = 0; i < 600; i++) {
      const t: TradeRecord = {
        id: `${i}-${i}`,
        symbol: 'XYZ-000_BNB',
        price: BigInt(i + 1),
        qty: 2n ** 63n - 1n,
        buyerOrderId: `B-${i}`,
        sellerOrderId: `S-${i}`,
        buyer: new Uint8Array(20).fill(i & 0xff),
        seller: new Uint8Array(20).fill((i + 1) & 0xff),
        height: i,
        timeMs: i * 1000,
        tickType: i % 5,
        buyerFee: [{ denom: 'BNB', amount: BigInt(i) }],
        sellerFee: [],
      };
      out.push([t, encodeTrade(t)]);
      encodeOrder(order(i));
    }
    for (const [t, b] of out) assert.deepEqual(decodeTrade(b), t);
  });
});

describe('dex hot paths: counters and result bytes', () => {
  it('readU64BE = bytes8BEToBigint, including the length error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (b) => {
        assert.equal(readU64BE(b), bytes8BEToBigint(b));
      }),
      { numRuns: 500 },
    );
    for (const v of [0n, 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 64n - 1n]) {
      assert.equal(readU64BE(bigintToBytes8BE(v)), v);
    }
    assert.throws(() => readU64BE(new Uint8Array(7)), RangeError);
  });

  it('u64Bytes = bigintToBytes8BE, including the range errors', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (v) => {
        assert.deepEqual(u64Bytes(v), bigintToBytes8BE(v));
      }),
      { numRuns: 500 },
    );
    assert.throws(() => u64Bytes(-1n), RangeError);
    assert.throws(() => u64Bytes(2n ** 64n), RangeError);
  });

  it('orderIdResult = utf8(JSON.stringify({ order_id }))', () => {
    const enc = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (id) => {
        assert.deepEqual(orderIdResult(id), enc.encode(JSON.stringify({ order_id: id })));
      }),
      { numRuns: 500 },
    );
    for (const id of ['A1B2-12', 'a"b', 'a\\b', 'x\ny', '\u007f', '']) {
      assert.deepEqual(orderIdResult(id), enc.encode(JSON.stringify({ order_id: id })));
    }
  });
});

/** What settlement did per transfer before the working maps: coin-list arithmetic, all or nothing. */
function applyByLists(t: Transfer, acc: { coins: Coin[]; locked: Coin[] }): void {
  let locked = acc.locked;
  let coins = acc.coins;
  if (t.unlock > 0n) locked = subCoins(locked, [{ denom: t.outAsset, amount: t.unlock }], 'locked coins');
  const netOut = t.unlock - t.out;
  if (netOut > 0n) coins = addCoins(coins, [{ denom: t.outAsset, amount: netOut }]);
  else if (netOut < 0n) coins = subCoins(coins, [{ denom: t.outAsset, amount: -netOut }]);
  if (t.in > 0n) coins = addCoins(coins, [{ denom: t.inAsset, amount: t.in }]);
  acc.locked = locked;
  acc.coins = coins;
}

const DENOMS = ['AAA-1', 'BNB', 'XYZ-000'];
const AMOUNT = fc.oneof(fc.bigInt({ min: 1n, max: 1000n }), fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }));
const COINS = fc
  .uniqueArray(fc.record({ denom: fc.constantFrom(...DENOMS), amount: AMOUNT }), { selector: (c) => c.denom, maxLength: 3 })
  .map((l) => l.map((c) => ({ denom: c.denom, amount: c.amount })).sort((a, b) => (a.denom < b.denom ? -1 : 1)));
const SMALL = fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 1200n }), fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }));
const TRANSFER: fc.Arbitrary<Transfer> = fc
  .record({ inAsset: fc.constantFrom(...DENOMS), outAsset: fc.constantFrom(...DENOMS), in: SMALL, out: SMALL, unlock: SMALL })
  .map((r) => ({ kind: TransferKind.Filled, orderId: 'o', symbol: 'XYZ-000_BNB', owner: new Uint8Array(20), ...r }));

describe('dex hot paths: settlement working balances', () => {
  it('a run of transfers leaves the balances (or the error) the coin-list steps leave', () => {
    fc.assert(
      fc.property(COINS, COINS, fc.array(TRANSFER, { maxLength: 8 }), (coins, locked, transfers) => {
        const plain = { coins, locked };
        const acc = { coins, locked } as unknown as Account;
        const w: Work = { acc, coins: coinMap(coins), locked: coinMap(locked) };
        for (const t of transfers) {
          let want: unknown;
          let got: unknown;
          try {
            applyByLists(t, plain);
          } catch (e) {
            want = e;
          }
          try {
            applyTransfer(t, w);
          } catch (e) {
            got = e;
          }
          if (want === undefined) assert.equal(got, undefined);
          else {
            assert.ok(got instanceof Error, `expected ${(want as Error).message}`);
            assert.equal((got as Error).message, (want as Error).message);
            assert.equal((got as Error).constructor, (want as Error).constructor);
          }
          // after a failed step too: all or nothing
          assert.deepEqual(coinList(w.coins), plain.coins);
          assert.deepEqual(coinList(w.locked), plain.locked);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
