/**
 * The app reads the fee table once per block / check state (issue 6); a `setFeeTable` in the
 * middle (a block hook, a tx) must still be seen by the next tx, in deliver and in check.
 */
import assert from 'node:assert/strict';
import type { Msg } from '../../../src/codec/types.js';
import { FeeFor, defaultFeeTable, type FeeTable } from '../../../src/modules/params/index.js';
import { BNB, bal, key, newApp, runBlock, signNext } from './helpers.js';

const alice = key('fee-cache-alice');
const bob = key('fee-cache-bob');
const send = (amount: bigint): Msg => ({
  type: 'cosmos-sdk/Send',
  inputs: [{ address: alice.addr, coins: [{ denom: 'BNB', amount }] }],
  outputs: [{ address: bob.addr, coins: [{ denom: 'BNB', amount }] }],
});

function withSendFee(fee: bigint): FeeTable {
  const t = defaultFeeTable();
  return { fixed: t.fixed, transfer: { ...t.transfer, fee, feeFor: FeeFor.Proposer } };
}

describe('app: fee table read once per block', () => {
  it('a block hook that changes the table applies to the txs after it (deliver and check)', async () => {
    const h = await newApp({ bnb: [[alice, 100n * BNB]] });
    let setAt = -1;
    h.app.registerModule({
      name: 'fee-probe',
      beginBlock: { order: 1, run: (ctx) => void (ctx.block.height === setAt && h.app.params.setFeeTable(ctx.kv, withSendFee(777n))) },
    });
    const tx1 = signNext(h, alice, send(1n));
    const before = bal(h, alice);
    const r1 = await runBlock(h, [tx1]);
    assert.equal(r1.txResults[0]!.code, 0);
    const fee1 = before - bal(h, alice) - 1n;
    assert.notEqual(fee1, 777n);

    // check state caches the old table; the next block changes it at begin block
    const tx2 = signNext(h, alice, send(1n));
    assert.equal(h.app.checkTx(tx2, 'new').fee, fee1);
    setAt = h.height + 1;
    const b2 = bal(h, alice);
    const r2 = await runBlock(h, [tx2]);
    assert.equal(r2.txResults[0]!.code, 0);
    assert.equal(b2 - bal(h, alice) - 1n, 777n);
    // after the commit the check state sees the new table
    const tx3 = signNext(h, alice, send(1n));
    assert.equal(h.app.checkTx(tx3, 'new').fee, 777n);
  });

  it('a table changed between two check txs is re-read (generation)', async () => {
    const h = await newApp({ bnb: [[alice, 100n * BNB]] });
    const tx0 = signNext(h, alice, send(1n));
    const g0 = h.app.params.generation;
    const r0 = h.app.checkTx(tx0, 'new');
    assert.equal(r0.code, 0);
    // write the new table into the check state's parent (the committed view before block 1 is the working view)
    h.app.params.setFeeTable(h.store.working(), withSendFee(555n));
    assert.equal(h.app.params.generation, g0 + 1);
    const tx1 = signNext(h, alice, send(1n), { sequence: 1n });
    const r1 = h.app.checkTx(tx1, 'new');
    assert.equal(r1.code, 0, r1.log);
    assert.equal(r1.fee, 555n);
  });
});
