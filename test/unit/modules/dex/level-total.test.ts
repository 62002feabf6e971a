/**
 * The cached BUY level total (`dex/lq/`) carries between the txs of a block: a total written by
 * one tx is what the next one checks the int64 level limit (§A.7) against; a lost or stale total
 * would let the level overflow.
 */
import assert from 'node:assert/strict';
import { abciCode } from '../../../../src/errors.js';
import { INT64_MAX } from '../../../../src/codec/index.js';
import { bigintToBytes8BE } from '../../../../src/state/bytes.js';
import { DexCode } from '../../../../src/modules/dex/index.js';
import { levelTotalKey } from '../../../../src/modules/dex/store.js';
import { assertInvariants, key, runBlock } from '../../app/helpers.js';
import { BNB, Signer, XYZ, XYZ_BNB, newDexApp } from './helpers.js';

const P1 = 100_000_000n;
const BUY = 1 as const;
const alice = key('lq-alice');
const bob = key('lq-bob');
const carol = key('lq-carol');

describe('dex: cached level total', () => {
  it('a total written by one tx of the block is the one the next tx checks the int64 limit against', async () => {
    const h = await newDexApp({
      bnb: [
        [alice, 100n * BNB],
        [bob, 100n * BNB],
        [carol, 100n * BNB],
      ],
      tokens: [{ symbol: XYZ, owner: alice, supply: 1000n * BNB }],
      pairs: [[XYZ, 'BNB', P1]],
    });
    await runBlock(h, []);
    const s = new Signer(h);
    // The level at P1 already holds (in the cache) all but room for two more lots: the first BUY
    // fits, the second fits only if the first one's total were lost.
    h.store.working().set(levelTotalKey(XYZ_BNB, P1), bigintToBytes8BE(INT64_MAX - 2n * BNB + 1n));
    const a = s.order(alice, XYZ_BNB, BUY, P1, BNB);
    const b = s.order(bob, XYZ_BNB, BUY, P1, BNB);
    const c = s.order(carol, XYZ_BNB, BUY, 2n * P1, BNB); // another level: its own total
    const res = await runBlock(h, [a.tx, b.tx, c.tx]);
    const codes = res.txResults.map((r) => r.code);
    assert.deepEqual(codes, [0, abciCode('dex', DexCode.overflow), 0], res.txResults.map((r) => r.log).join(' | '));
    assert.match(res.txResults[1]!.log, /quantity of the price level overflows int64/);
    // alice's resting order is counted in the kept total; the refused tx added nothing
    assert.deepEqual(h.store.committed().get(levelTotalKey(XYZ_BNB, P1)), bigintToBytes8BE(INT64_MAX - BNB + 1n));
    assertInvariants(h);
  });
});
