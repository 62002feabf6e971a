/**
 * The full-depth book view (`DexViews.book`, query `dex/api/book/<PAIR>/<limit>`): every resting
 * order from committed state, each side in matching priority (best price, then arrival).
 */
import assert from 'node:assert/strict';
import { createDexViews } from '../../../../src/modules/dex/views.js';
import { GENESIS_MS, key, runBlock } from '../../app/helpers.js';
import { BNB, Signer, XYZ, XYZ_BNB, newDexApp } from './helpers.js';

const alice = key('b-alice');
const bob = key('b-bob');

describe('dex full-depth book view', () => {
  it('lists every open order, best price first then arrival, bounded by limit', async () => {
    const h = await newDexApp({
      bnb: [
        [alice, 100n * BNB],
        [bob, 100n * BNB],
      ],
      tokens: [{ symbol: XYZ, owner: alice, supply: 1000n * BNB }],
      pairs: [[XYZ, 'BNB', BNB]],
    });
    await runBlock(h, [], { timeMs: GENESIS_MS + 1000 });
    const s = new Signer(h);
    const a1 = s.order(alice, XYZ_BNB, 2, 102_000_000n, 5n * BNB);
    const a2 = s.order(alice, XYZ_BNB, 2, 101_000_000n, 3n * BNB);
    const b1 = s.order(bob, XYZ_BNB, 1, 99_000_000n, 4n * BNB);
    const b2 = s.order(bob, XYZ_BNB, 1, 98_000_000n, 1n * BNB);
    await runBlock(h, [a1.tx, a2.tx, b1.tx, b2.tx], { timeMs: GENESIS_MS + 2000 });
    // a later bid at the best price queues behind the earlier one
    const b3 = s.order(alice, XYZ_BNB, 1, 99_000_000n, 2n * BNB);
    await runBlock(h, [b3.tx], { timeMs: GENESIS_MS + 3000 });
    const createdAt = h.height;

    const views = createDexViews(h.app, h.history!);
    const book = views.book!(XYZ_BNB)!;
    assert.equal(book.symbol, XYZ_BNB);
    assert.equal(book.height, h.height);
    assert.deepEqual(book.bids.map((o) => o.id), [b1.id, b3.id, b2.id]);
    assert.deepEqual(book.asks.map((o) => o.id), [a2.id, a1.id]);
    assert.deepEqual(book.bids[1], {
      id: b3.id,
      owner: alice.bech32,
      price: '0.99000000',
      quantity: '2.00000000',
      cumulativeQuantity: '0.00000000',
      createdHeight: createdAt,
    });
    assert.equal(book.bids[0]!.owner, bob.bech32);
    assert.equal(book.truncated, false);

    const top = views.book!(XYZ_BNB, 1)!;
    assert.deepEqual(top.bids.map((o) => o.id), [b1.id]);
    assert.deepEqual(top.asks.map((o) => o.id), [a2.id]);
    assert.equal(top.truncated, true);

    assert.equal(views.book!('NOPE-000_BNB'), undefined);
    const q = h.app.query(`dex/api/book/${XYZ_BNB}/5001`, new Uint8Array(0));
    assert.notEqual(q.code, 0, 'past the per-side ceiling is refused');
  });
});
