/**
 * The shortcuts of the header hashes: the results root reuses the hash of a result equal to the
 * previous one, and the producer's data hash comes from the mempool's hex hashes. Both must give
 * the roots of the plain definitions.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { resultsHash } from '../../../src/node/executor.js';
import { blockDecodedTxs, blockTxHashes, knownBlockTxHashes, knownReapedTxs, merkleRoot, txsHash, txsHashFromHex } from '../../../src/consensus/block.js';
import { sha256 } from '../../../src/crypto/hash.js';
import { txHashHex } from '../../../src/codec/tx.js';
import type { TxResult } from '../../../src/app/abci.js';

function plainResultsHash(results: TxResult[]): Uint8Array {
  return txsHash(
    results.map((r) => {
      const b = new Uint8Array(4 + r.data.length);
      new DataView(b.buffer).setUint32(0, r.code >>> 0);
      b.set(r.data, 4);
      return b;
    }),
  );
}

const result = fc.record({
  code: fc.constantFrom(0, 0, 0, 3, 65541),
  data: fc.oneof(fc.constant(new Uint8Array(0)), fc.constant(Uint8Array.of(7)), fc.uint8Array({ maxLength: 6 })),
});

describe('header hash shortcuts', () => {
  it('resultsHash equals the Merkle root over SHA256(code ‖ data) of every result', () => {
    fc.assert(
      fc.property(fc.array(result, { maxLength: 120 }), (rows) => {
        const results: TxResult[] = rows.map((r) => ({ code: r.code, log: '', data: r.data, events: [], hash: '' }));
        assert.deepEqual(Buffer.from(resultsHash(results)), Buffer.from(plainResultsHash(results)));
      }),
      { numRuns: 400 },
    );
  });

  it('the data hash from hex hashes, from the per-list cache and from the mempool equals the Merkle root over SHA256(tx)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 40 }), (txs) => {
        const want = Buffer.from(merkleRoot(txs.map((t) => sha256(t))));
        assert.deepEqual(Buffer.from(txsHashFromHex(txs.map((t) => txHashHex(t)))), want);
        assert.deepEqual(Buffer.from(txsHash(txs)), want);
        assert.deepEqual(blockTxHashes(txs), txs.map((t) => txHashHex(t)));
        const list = [...txs];
        knownBlockTxHashes(list, txs.map((t) => txHashHex(t)));
        assert.deepEqual(Buffer.from(txsHash(list)), want);
      }),
      { numRuns: 200 },
    );
    assert.throws(() => knownBlockTxHashes([new Uint8Array(1)], []), /0 hashes for 1 txs/);
  });

  it("a proposer's kept prefix takes the mempool's hashes; anything else is hashed when asked", () => {
    const candidates = [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)];
    const marked = ['A1', 'A2', 'A3']; // not real hashes: shows which source was used
    const prefix = candidates.slice(0, 2);
    knownReapedTxs(prefix, candidates, marked);
    assert.deepEqual(blockTxHashes(prefix), ['A1', 'A2']);
    const reordered = [candidates[1]!, candidates[0]!];
    knownReapedTxs(reordered, candidates, marked);
    assert.deepEqual(blockTxHashes(reordered), reordered.map((t) => txHashHex(t)));
  });

  it("a proposer's kept prefix also carries the mempool's decoded txs to the executor; nothing else does", () => {
    const candidates = [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)];
    const decoded = candidates.map((bytes, i) => ({ tx: { msgs: [], signatures: [], memo: '', source: 0n, data: new Uint8Array(0) }, bytes, hash: `D${i}` }));
    const prefix = candidates.slice(0, 2);
    knownReapedTxs(prefix, candidates, ['A1', 'A2', 'A3'], decoded);
    assert.deepEqual(blockDecodedTxs(prefix)?.map((d) => d?.hash), ['D0', 'D1']);
    const reordered = [candidates[1]!, candidates[0]!];
    knownReapedTxs(reordered, candidates, ['A1', 'A2', 'A3'], decoded);
    assert.equal(blockDecodedTxs(reordered), undefined);
    const other = candidates.slice(0, 1);
    knownReapedTxs(other, candidates, ['A1', 'A2', 'A3'], decoded.slice(0, 2)); // a list that does not match the candidates
    assert.equal(blockDecodedTxs(other), undefined);
  });
});
