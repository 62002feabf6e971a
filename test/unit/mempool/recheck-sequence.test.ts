/**
 * The recheck budget never leaves a sender's pending sequence out of the check state: with a
 * small `max_recheck`, senders submitting their txs in order (interleaved with blocks that take
 * some of the pool) get each tx accepted or refused as "mempool is full", never refused for its
 * sequence, and every accepted tx commits successfully. Against the real app (fast-check).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Mempool, type TxChecker } from '../../../src/mempool/mempool.js';
import { rootError } from '../../../src/errors.js';
import { BNB, GENESIS_MS, VAL1, key, newApp, signTx, type Key } from '../app/helpers.js';

const KEYS: Key[] = [key('rs-a'), key('rs-b'), key('rs-c')];
const genesis = { bnb: KEYS.map((k): [Key, bigint] => [k, 100n * BNB]) };
const SEQUENCE = rootError('invalidSequence', '').code;
const FULL = rootError('mempoolFull', '').code;

describe('mempool: recheck budget and senders\' sequences', () => {
  it('in-order txs are accepted or refused as full, never for their sequence (fast-check)', async function () {
    this.timeout(120_000);
    // an op: a sender submits its next tx, or a block takes up to n txs from the pool
    const op = fc.oneof(fc.record({ send: fc.integer({ min: 0, max: 2 }) }), fc.record({ block: fc.integer({ min: 0, max: 4 }) }));
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 4 }), async (ops, maxRecheck) => {
        const h = await newApp(genesis);
        const checker: TxChecker = {
          checkTx: (tx, kind, hash, decoded) => h.app.checkTx(tx, kind, hash, decoded),
          senderOf: (tx, hash, decoded) => h.app.senderOf(tx, hash, decoded),
          decodedTx: (tx, hash, consume) => h.app.decodedTx(tx, hash, consume),
        };
        const m = new Mempool(checker, { size: 1000, max_txs_bytes: 1 << 20, max_txs_per_sender: 100, max_recheck: maxRecheck, min_fee: 0, cache_size: 1000 });
        const next = [0n, 0n, 0n];
        let height = 0;
        for (const o of ops) {
          if ('send' in o) {
            const k = KEYS[o.send]!;
            const msg = { type: 'cosmos-sdk/Send' as const, inputs: [{ address: k.addr, coins: [{ denom: 'BNB', amount: 1n }] }], outputs: [{ address: KEYS[(o.send + 1) % 3]!.addr, coins: [{ denom: 'BNB', amount: 1n }] }] };
            const r = m.add(signTx(k.priv, msg, { accountNumber: BigInt(o.send), sequence: next[o.send]! }));
            assert.notEqual(r.code, SEQUENCE, `sender ${o.send} seq ${next[o.send]}: ${r.log}`);
            if (r.code === 0) next[o.send]!++;
            else assert.equal(r.code, FULL, r.log);
          } else {
            height++;
            const hashes: string[] = [];
            const txs = m.reap(1 << 20, o.block, hashes);
            const res = h.app.finalizeBlock({ height, timeMs: GENESIS_MS + 1000 * height, proposerAddress: VAL1.consAddr, txs, txHashes: hashes, lastCommitVotes: [], misbehavior: [], hash: `B${height}` });
            for (const t of res.txResults) assert.equal(t.code, 0, t.log);
            await h.app.commit();
            m.update(height, res.txResults);
            assert.ok(m.size <= maxRecheck);
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});
