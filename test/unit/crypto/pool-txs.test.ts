import assert from 'node:assert/strict';
import { VerifyPool, VerifyPoolClosedError, VerifyPoolFullError } from '../../../src/crypto/pool.js';
import { fromHex } from '../../../src/crypto/hash.js';
import { createVerifier } from '../../../src/crypto/verifier.js';
import { txVerdict } from '../../../src/app/tx-verify.js';
import { loadSdkVectors } from './vectors.js';

const CHAIN = { chainId: 'Binance-Chain-Ganges', hrp: 'tbnb' };

describe('crypto/pool verifyTxs (raw txs on the workers)', function () {
  this.timeout(60_000);
  const V = loadSdkVectors() as unknown as { vectors: { name: string; tx_bytes_hex: string }[] };
  const good = V.vectors.map((v) => fromHex(v.tx_bytes_hex));

  /** good, tampered (bad sig 0), garbage, in turn; expected verdicts from the inline function */
  function mixed(n: number): { txs: Uint8Array[]; expect: number[] } {
    const verifier = createVerifier();
    const txs: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const g = good[i % good.length]!;
      if (i % 3 === 0) txs.push(g);
      else if (i % 3 === 1) {
        const t = g.slice();
        t[t.length - 20]! ^= 0x40; // inside the signature (before the varint account number / sequence)
        txs.push(t);
      } else txs.push(g.subarray(0, 10 + (i % 17)));
    }
    return { txs, expect: txs.map((t) => txVerdict(t, CHAIN, (s, h, p) => verifier.verify(s, h, p))) };
  }

  for (const backend of ['native', 'noble'] as const) {
    it(`verdicts in input order across small batches (${backend}, 2 workers)`, async () => {
      const pool = new VerifyPool({ workers: 2, backend, batchSize: 5 });
      try {
        assert.equal(await pool.ready(), backend);
        const { txs, expect } = mixed(backend === 'native' ? 61 : 17);
        assert.ok(expect.includes(-1) && expect.includes(0) && expect.includes(-2));
        assert.deepEqual([...(await pool.verifyTxs(txs, CHAIN))], expect);
        // the chain is per call: the same txs on another chain id are all bad (or undecodable)
        const other = await pool.verifyTxs(txs, { chainId: 'Binance-Chain-Tigris', hrp: 'tbnb' });
        assert.ok([...other].every((v) => v === 0 || v === -2));
        assert.equal((await pool.verifyTxs([], CHAIN)).length, 0);
        // the job API still works beside it
        assert.deepEqual(await pool.verifyBatch([]), []);
        assert.equal(pool.stats.queued, 0);
        assert.equal(pool.stats.inFlight, 0);
      } finally {
        await pool.close();
      }
    });
  }

  it('close() rejects queued tx batches; maxQueue counts txs', async () => {
    const pool = new VerifyPool({ workers: 1, batchSize: 2, backend: 'noble', maxQueue: 30 });
    await pool.ready();
    const { txs } = mixed(24); // 12 batches: 2 in flight, 10 queued
    await assert.rejects(pool.verifyTxs(mixed(31).txs, CHAIN), VerifyPoolFullError);
    const p = pool.verifyTxs(txs, CHAIN);
    assert.ok(pool.stats.queued > 0);
    const closing = pool.close();
    await assert.rejects(p, VerifyPoolClosedError);
    await closing;
    await assert.rejects(pool.verifyTxs(txs, CHAIN), VerifyPoolClosedError);
  });

  it('without a tx module verifyTxs rejects clearly and verifyBatch still works', async () => {
    const pool = new VerifyPool({ workers: 1, txModule: null });
    try {
      await pool.ready();
      await assert.rejects(pool.verifyTxs(good.slice(0, 3), CHAIN), /cannot check txs/);
      assert.equal(pool.stats.inFlight, 0);
      assert.deepEqual(await pool.verifyBatch([]), []);
    } finally {
      await pool.close();
    }
  });

  it('a worker that dies on a tx batch is replaced; its batch rejects, later batches verify', async () => {
    const txModule = new URL('./fixtures/crash-tx-module.ts', import.meta.url);
    const pool = new VerifyPool({ workers: 1, batchSize: 4, txModule });
    try {
      await pool.ready();
      assert.deepEqual([...(await pool.verifyTxs([Uint8Array.of(1), Uint8Array.of(2)], CHAIN))], [1, 2]);
      await assert.rejects(pool.verifyTxs([Uint8Array.of(3), Uint8Array.of(0xff)], CHAIN), /exited with code 3/);
      assert.equal(pool.stats.inFlight, 0);
      assert.deepEqual([...(await pool.verifyTxs([Uint8Array.of(5), Uint8Array.of(6, 7)], CHAIN))], [5, 6]);
    } finally {
      await pool.close();
    }
  });
});
