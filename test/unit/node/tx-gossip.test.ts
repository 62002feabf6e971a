import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { encodeTxBatch, decodeTxBatch, isPeerFault } from '../../../src/node/tx-gossip.js';
import { MAX_TX_BYTES } from '../../../src/codec/tx.js';
import { rootError } from '../../../src/errors.js';

describe('tx gossip batches', () => {
  it('round-trips any list of non-empty txs', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 50 }), (txs) => {
        const back = decodeTxBatch(encodeTxBatch(txs));
        assert.equal(back.length, txs.length);
        back.forEach((t, i) => assert.deepEqual(Uint8Array.from(t), txs[i]));
      }),
    );
  });

  it('refuses truncated batches, empty entries and oversized entries', () => {
    const ok = encodeTxBatch([Uint8Array.of(1, 2, 3), Uint8Array.of(4)]);
    assert.throws(() => decodeTxBatch(ok.subarray(0, ok.length - 1)), /entry cut short/);
    assert.throws(() => decodeTxBatch(ok.subarray(0, 2)), /length prefix cut short/);
    assert.throws(() => decodeTxBatch(Uint8Array.of(0, 0, 0, 0)), /entry of 0 bytes/);
    const big = new Uint8Array(8);
    new DataView(big.buffer).setUint32(0, MAX_TX_BYTES + 1);
    assert.throws(() => decodeTxBatch(big), /entry of \d+ bytes/);
    assert.deepEqual(decodeTxBatch(new Uint8Array(0)), []);
  });

  it('blames a peer only for failures that do not depend on state', () => {
    for (const k of ['txDecode', 'unauthorized', 'invalidSignature', 'invalidPubKey', 'txTooLarge'] as const) assert.ok(isPeerFault(rootError(k, '').code), k);
    for (const k of ['invalidSequence', 'insufficientFunds', 'invalidAccountNumber', 'unknownAddress', 'insufficientCoins', 'duplicateTx', 'mempoolFull', 'rateLimited', 'insufficientFee'] as const) {
      assert.ok(!isPeerFault(rootError(k, '').code), k);
    }
    assert.ok(!isPeerFault(0));
  });
});
