/** Small verifyTxs calls queued behind busy workers travel together (same chain only, up to batchSize). */
import assert from 'node:assert/strict';
import { VerifyPool, VerifyPoolClosedError } from '../../../src/crypto/pool.js';

const CHAIN = { chainId: 'c', hrp: 'tbnb' };
const OTHER = { chainId: 'other', hrp: 'tbnb' };
const tx = (id: number): Uint8Array => Uint8Array.of(id >> 8, id & 0xff, 9);
const idOf = (v: number): number => Math.floor(v / 1000);
const batchOf = (v: number): number => v % 1000 % 500;

describe('crypto/pool verifyTxs: queued small calls join one batch', function () {
  this.timeout(60_000);
  const txModule = new URL('./fixtures/batch-echo-tx-module.ts', import.meta.url);

  it('verdicts stay with their call, joined batches never exceed batchSize nor mix chains', async () => {
    const pool = new VerifyPool({ workers: 1, batchSize: 8, txModule });
    try {
      await pool.ready();
      let next = 1;
      const calls: { ids: number[]; chain: typeof CHAIN; p: Promise<Int32Array> }[] = [];
      for (let c = 0; c < 40; c++) {
        const size = 1 + (c % 5) + (c % 7 === 0 ? 9 : 0); // some calls larger than a batch
        const ids = Array.from({ length: size }, () => next++);
        const chain = c % 6 === 5 ? OTHER : CHAIN;
        calls.push({ ids, chain, p: pool.verifyTxs(ids.map(tx), chain) });
      }
      let joined = false;
      for (const { ids, chain, p } of calls) {
        const v = [...(await p)];
        assert.deepEqual(v.map(idOf), ids);
        for (const x of v) {
          assert.ok(batchOf(x) >= 1 && batchOf(x) <= 8, `batch of ${batchOf(x)}`);
          assert.equal(x % 1000 >= 500, chain === OTHER);
          if (batchOf(x) > Math.min(ids.length, 8)) joined = true;
        }
      }
      assert.ok(joined, 'no call joined a queued batch');
      assert.equal(pool.stats.queued, 0);
      assert.equal(pool.stats.inFlight, 0);
    } finally {
      await pool.close();
    }
  });

  it('a single call on an idle pool is not held back, and a joined batch that fails rejects each of its calls', async () => {
    const pool = new VerifyPool({ workers: 1, batchSize: 8, txModule });
    try {
      await pool.ready();
      assert.deepEqual([...(await pool.verifyTxs([tx(7)], CHAIN))].map(batchOf), [1]);
      // fill the worker (2 batches in flight), then queue calls that join one batch with a poison tx
      const busy = [pool.verifyTxs([1, 2, 3, 4, 5, 6, 7, 8].map(tx), CHAIN), pool.verifyTxs([9, 10, 11, 12, 13, 14, 15, 16].map(tx), CHAIN)];
      const a = pool.verifyTxs([tx(20)], CHAIN);
      const b = pool.verifyTxs([Uint8Array.of(0xff, 0)], CHAIN);
      assert.equal(pool.stats.queued, 2);
      await Promise.all(busy);
      await assert.rejects(a, /exited with code 3/);
      await assert.rejects(b, /exited with code 3/);
      assert.deepEqual([...(await pool.verifyTxs([tx(30), tx(31)], CHAIN))].map(idOf), [30, 31]);
    } finally {
      await pool.close();
    }
  });

  it('close() rejects every call of a queued joined batch', async () => {
    const pool = new VerifyPool({ workers: 1, batchSize: 8, txModule });
    await pool.ready();
    const busy = [pool.verifyTxs([1, 2, 3, 4, 5, 6, 7, 8].map(tx), CHAIN), pool.verifyTxs([9, 10, 11, 12, 13, 14, 15, 16].map(tx), CHAIN)];
    const a = pool.verifyTxs([tx(20)], CHAIN);
    const b = pool.verifyTxs([tx(21), tx(22)], CHAIN);
    assert.equal(pool.stats.queued, 3);
    const closing = pool.close();
    await assert.rejects(a, VerifyPoolClosedError);
    await assert.rejects(b, VerifyPoolClosedError);
    await Promise.all(busy);
    await closing;
  });
});
