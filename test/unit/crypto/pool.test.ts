import assert from 'node:assert/strict';
import { VerifyPool, VerifyPoolClosedError, VerifyPoolFullError, type VerifyJob } from '../../../src/crypto/pool.js';
import { fromHex } from '../../../src/crypto/hash.js';
import { loadSdkVectors, highS } from './vectors.js';

describe('crypto/pool', function () {
  this.timeout(60_000);
  const V = loadSdkVectors();
  const good: VerifyJob[] = V.vectors.map((v) => ({
    sig: fromHex(v.signature_hex),
    hash: fromHex(v.sign_bytes_sha256),
    pub: fromHex(v.pubkey_compressed_hex),
  }));

  /** Mix of valid and invalid jobs with the expected answer for each, in a shuffled-looking order. */
  function mixed(n: number): { jobs: VerifyJob[]; expect: boolean[] } {
    const jobs: VerifyJob[] = [];
    const expect: boolean[] = [];
    for (let i = 0; i < n; i++) {
      const g = good[i % good.length]!;
      switch (i % 5) {
        case 0:
        case 3:
          jobs.push(g);
          expect.push(true);
          break;
        case 1:
          jobs.push({ ...g, sig: highS(g.sig) });
          expect.push(false);
          break;
        case 2: {
          const s = new Uint8Array(g.sig);
          s[(i * 7) % 64]! ^= 0x10;
          jobs.push({ ...g, sig: s });
          expect.push(false);
          break;
        }
        default:
          jobs.push({ ...g, pub: g.pub.subarray(0, 32) }); // malformed: answered without a worker
          expect.push(false);
      }
    }
    return { jobs, expect };
  }

  for (const backend of ['native', 'noble'] as const) {
    it(`verifyBatch returns results in order (${backend}, 2 workers, small batches)`, async () => {
      const pool = new VerifyPool({ workers: 2, backend, batchSize: 7 });
      try {
        assert.equal(await pool.ready(), backend);
        const { jobs, expect } = mixed(backend === 'native' ? 203 : 41);
        assert.deepEqual(await pool.verifyBatch(jobs), expect);
        assert.deepEqual(await pool.verifyBatch([]), []);
        assert.equal(pool.stats.queued, 0);
        assert.equal(pool.stats.inFlight, 0);
        assert.ok(pool.verified > 0);
      } finally {
        await pool.close();
      }
    });
  }

  it('verify() micro-batches single jobs and keeps their answers apart', async () => {
    const pool = new VerifyPool({ workers: 1, batchSize: 16 });
    try {
      const { jobs, expect } = mixed(50);
      const got = await Promise.all(jobs.map((j) => pool.verify(j)));
      assert.deepEqual(got, expect);
      // 40 well-sized jobs went to the worker, the 10 malformed ones did not
      assert.equal(pool.verified, 40);
    } finally {
      await pool.close();
    }
  });

  it('close() rejects queued jobs with a clear error and later calls too', async () => {
    const pool = new VerifyPool({ workers: 1, batchSize: 4, backend: 'noble' });
    await pool.ready();
    const { jobs } = mixed(40);
    const batch = pool.verifyBatch(jobs.filter((_, i) => i % 5 !== 4)); // 8 batches: 2 in flight, 6 queued
    const singles = [pool.verify(good[0]!), pool.verify(good[1]!)]; // waiting for the next tick
    assert.ok(pool.stats.queued > 0);
    const closing = pool.close();
    await assert.rejects(batch, (e: unknown) => e instanceof VerifyPoolClosedError && /closed/.test((e as Error).message));
    for (const s of singles) await assert.rejects(s, VerifyPoolClosedError);
    await closing;
    assert.equal(pool.stats.queued, 0);
    await assert.rejects(pool.verify(good[0]!), VerifyPoolClosedError);
    await assert.rejects(pool.verifyBatch(good), VerifyPoolClosedError);
  });

  it('maxQueue bounds the backlog', async () => {
    const pool = new VerifyPool({ workers: 1, maxQueue: 10 });
    try {
      await assert.rejects(pool.verifyBatch(mixed(20).jobs.filter((_, i) => i % 5 !== 4)), VerifyPoolFullError);
      assert.deepEqual(await pool.verifyBatch(good.slice(0, 5)), [true, true, true, true, true]);
    } finally {
      await pool.close();
    }
  });
});
