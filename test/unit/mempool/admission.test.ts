import assert from 'node:assert/strict';
import type { SendMsg } from '../../../src/codec/types.js';
import { DexApp, type BatchVerifier } from '../../../src/app/app.js';
import { memoryStateStore } from '../../../src/state/index.js';
import { Mempool } from '../../../src/mempool/mempool.js';
import { Admission } from '../../../src/mempool/admission.js';
import { txHashHex } from '../../../src/codec/tx.js';
import type { VerifyJob } from '../../../src/crypto/pool.js';
import { BNB, countingVerifier, genesisDoc, highS, key, signTx, type Key } from '../app/helpers.js';

const alice = key('adm-alice');
const bob = key('adm-bob');
const carol = key('adm-carol');

function send(from: Key, to: Key, amount: bigint): SendMsg {
  return { type: 'cosmos-sdk/Send', inputs: [{ address: from.addr, coins: [{ denom: 'BNB', amount }] }], outputs: [{ address: to.addr, coins: [{ denom: 'BNB', amount }] }] };
}

/** Account numbers follow genesis order: alice 0, bob 1 (treasury after). */
const acc = (k: Key): number => (k === alice ? 0 : k === bob ? 1 : 2);
const tx = (from: Key, seq: number, amount = 1n, to: Key = carol): Uint8Array => signTx(from.priv, send(from, to, amount), { accountNumber: acc(from), sequence: seq });
const badSig = (from: Key, seq: number): Uint8Array => {
  const t = tx(from, seq, 7n);
  const b = t.slice();
  // flip a bit inside the signature (its 64 bytes sit before the account number / sequence varints)
  const sigAt = b.length - 64 - 8;
  b[sigAt + 10] ^= 0x01;
  return b;
};

/** A batch verifier that counts jobs and can hold a batch back (to force out-of-order completion). */
function fakePool(): BatchVerifier & { jobs: number; batches: number; hold?: Promise<void> } {
  const inner = countingVerifier();
  const p = {
    jobs: 0,
    batches: 0,
    hold: undefined as Promise<void> | undefined,
    async verifyBatch(jobs: VerifyJob[]): Promise<boolean[]> {
      p.jobs += jobs.length;
      p.batches++;
      const h = p.hold;
      p.hold = undefined;
      if (h) await h;
      return jobs.map((j) => inner.verify(j.sig, j.hash, j.pub));
    },
  };
  return p;
}

async function setup(pool = fakePool()) {
  const verifier = countingVerifier();
  const app = new DexApp({ store: memoryStateStore(), verifier, verifyPool: pool });
  await app.initChain(genesisDoc({ bnb: [[alice, 1000n * BNB], [bob, 1000n * BNB]] }));
  const mempool = new Mempool(app, { size: 100, max_txs_bytes: 1 << 20, max_txs_per_sender: 50, max_recheck: 100, min_fee: 0, cache_size: 100 });
  return { app, verifier, pool, mempool, admission: new Admission(app, mempool, { maxPendingPerSource: 3 }) };
}

describe('admission pipeline', () => {
  it('refuses txs as "mempool is full" before verifying them once the pool and the txs in flight reach its capacity', async () => {
    const pool = fakePool();
    const verifier = countingVerifier();
    const app = new DexApp({ store: memoryStateStore(), verifier, verifyPool: pool });
    await app.initChain(genesisDoc({ bnb: [[alice, 1000n * BNB], [bob, 1000n * BNB]] }));
    const mempool = new Mempool(app, { size: 100, max_txs_bytes: 1 << 20, max_txs_per_sender: 50, max_recheck: 3, min_fee: 0, cache_size: 100 });
    const admission = new Admission(app, mempool);
    const res = await admission.admit([tx(alice, 0), tx(alice, 1), tx(bob, 0), tx(bob, 1), tx(alice, 2)]);
    assert.deepEqual(res.map((r) => r.code === 0), [true, true, true, false, false]);
    assert.match(res[3]!.log, /mempool is full/);
    assert.equal(pool.jobs, 3, 'the refused txs were not verified');
    assert.equal(mempool.size, 3);
  });

  it('refuses clients\' txs past two blocks\' worth (the last blocks\' sizes) while a peer\'s still fill the pool', async () => {
    const pool = fakePool();
    const app = new DexApp({ store: memoryStateStore(), verifier: countingVerifier(), verifyPool: pool });
    await app.initChain(genesisDoc({ bnb: [[alice, 1000n * BNB], [bob, 1000n * BNB]] }));
    const mempool = new Mempool(app, { size: 100_000, max_txs_bytes: 1 << 30, max_txs_per_sender: 100_000, max_recheck: 100_000, min_fee: 0, cache_size: 100 });
    const admission = new Admission(app, mempool);
    mempool.update(1, []); // an empty block: clients get the floor
    let pool0 = 0;
    const fill = async (n: number, k: Key, source: string) => {
      const txs = Array.from({ length: n }, (_, i) => tx(k, pool0 + i));
      return admission.admit(txs, source);
    };
    const first = await fill(mempool.clientCapacity, alice, '10.0.0.1');
    assert.ok(first.every((r) => r.code === 0));
    pool0 = first.length;
    const jobs = pool.jobs;
    const [over] = await fill(1, alice, '10.0.0.1');
    assert.match(over!.log, /mempool is full/);
    assert.equal(pool.jobs, jobs, 'refused before its signature check');
    const [relayed] = await fill(1, alice, 'peer:12D3KooWpeer');
    assert.equal(relayed!.code, 0, 'a peer\'s relayed tx still gets in (refusing it would leave a gap)');
  });

  it('verifies each signature once, on the pool: checkTx and deliverTx verify nothing', async () => {
    const { app, verifier, pool, admission } = await setup();
    const txs = [tx(alice, 0), tx(alice, 1), tx(bob, 0)];
    const res = await admission.admit(txs);
    assert.deepEqual(res.map((r) => r.code), [0, 0, 0]);
    assert.equal(pool.jobs, 3);
    assert.equal(pool.batches, 1);
    assert.equal(verifier.calls, 0);
    // preverify of already-known txs (the block's, before execution) sends nothing to the pool
    await app.preverify(txs);
    assert.equal(pool.jobs, 3);
    const block = app.finalizeBlock({ height: 1, timeMs: Date.parse('2024-01-01T00:00:01Z'), proposerAddress: new Uint8Array(20), txs, lastCommitVotes: [], misbehavior: [], hash: '' });
    assert.deepEqual(block.txResults.map((r) => r.code), [0, 0, 0]);
    await app.commit();
    assert.equal(verifier.calls, 0);
  });

  it('a bad signature fails checkTx with the same error as an inline verification, without verifying again', async () => {
    const { app, verifier, admission, mempool } = await setup();
    const bad = badSig(alice, 0);
    const [r] = await admission.admit([bad]);
    assert.notEqual(r!.code, 0);
    assert.equal(verifier.calls, 0, 'the known-bad verdict is reused');
    assert.equal(mempool.size, 0);
    const direct = new DexApp({ store: memoryStateStore(), verifier: countingVerifier() });
    await direct.initChain(genesisDoc({ bnb: [[alice, 1000n * BNB], [bob, 1000n * BNB]] }));
    const d = direct.checkTx(bad, 'new');
    assert.equal(r!.code, d.code);
    assert.equal(r!.log, d.log);
    assert.equal(mempool.rejected(r!.hash)?.code, r!.code);
    // and a proposal carrying it fails the same way in the block, still without a verify
    const block = app.finalizeBlock({ height: 1, timeMs: Date.parse('2024-01-01T00:00:01Z'), proposerAddress: new Uint8Array(20), txs: [bad], lastCommitVotes: [], misbehavior: [], hash: '' });
    assert.equal(block.txResults[0]!.log, d.log);
    assert.equal(verifier.calls, 0);
  });

  it('a high-S signature is refused with the canonical-signature error, before the pool', async () => {
    const { admission, pool } = await setup();
    const hs = highS(alice.priv, send(alice, carol, 1n), { accountNumber: 0, sequence: 0 });
    const [r] = await admission.admit([hs]);
    assert.match(r!.log, /not canonical/);
    assert.equal(pool.jobs, 0);
  });

  it('batches verify concurrently but enter the mempool in arrival order (sequence order kept)', async () => {
    const { pool, admission, mempool } = await setup();
    let release!: () => void;
    pool.hold = new Promise<void>((r) => (release = r));
    const first = admission.admit([tx(alice, 0)]);
    const second = admission.admit([tx(alice, 1)]); // verified first, must wait for the first
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(mempool.size, 0);
    release();
    const [a, b] = await Promise.all([first, second]);
    assert.equal(a![0]!.code, 0);
    assert.equal(b![0]!.code, 0, b![0]!.log);
    assert.equal(mempool.size, 2);
  });

  it('submit answers after the cheap checks; a bad signature is dropped later and reported', async () => {
    const { admission, mempool } = await setup();
    const good = tx(alice, 0);
    const bad = badSig(bob, 0);
    const now = admission.submit([good, bad, new Uint8Array([1, 2, 3])]);
    assert.equal(now[0]!.code, 0);
    assert.equal(now[1]!.code, 0, 'the signature is not checked yet');
    assert.notEqual(now[2]!.code, 0, 'undecodable bytes are refused at once');
    assert.match(admission.submit([good])[0]!.log, /already in the mempool/);
    await admission.idle();
    assert.equal(mempool.size, 1);
    assert.ok(mempool.has(txHashHex(good)));
    const why = mempool.rejected(txHashHex(bad));
    assert.ok(why && why.code !== 0);
    assert.match(why.log, /signature verification failed/);
    assert.equal(admission.pending, 0);
  });

  it('one source may not have more than its budget in flight; others still get in', async () => {
    const { admission } = await setup();
    const flood = [1, 2, 3, 4, 5].map((n) => badSig(alice, n));
    const r = admission.submit(flood, '10.0.0.1');
    assert.deepEqual(r.map((x) => x.code === 0), [true, true, true, false, false]);
    assert.match(r[3]!.log, /slow down/);
    const other = admission.submit([tx(bob, 0)], '10.0.0.2');
    assert.equal(other[0]!.code, 0);
    await admission.idle();
    assert.equal(admission.submit([badSig(alice, 9)], '10.0.0.1')[0]!.code, 0, 'budget returns once checked');
    await admission.idle();
  });

  it('a peer has its own larger budget (a refused relayed tx would leave a sequence gap), and refusals are counted by origin and code', async () => {
    const { app, mempool } = await setup();
    const admission = new Admission(app, mempool, { maxPendingPerSource: 2, maxPendingPerPeer: 4 });
    const relayed = [0, 1, 2, 3, 4].map((n) => tx(alice, n));
    const fromPeer = admission.submit(relayed, 'peer:12D3KooWpeer');
    assert.deepEqual(fromPeer.map((x) => x.code === 0), [true, true, true, true, false]);
    assert.match(fromPeer[4]!.log, /limit 4/);
    const fromClient = admission.submit([1, 2, 3].map((n) => tx(bob, n)), '10.0.0.1');
    assert.deepEqual(fromClient.map((x) => x.code === 0), [true, true, false]);
    await admission.idle();
    const counts = [...admission.refusals.values()].map((r) => `${r.origin} ${r.code} ${r.count}`).sort();
    // bob's txs 1 and 2 got in for checking and then failed on their sequence (bob's 0 never came)
    const rate = fromPeer[4]!.code;
    const seq = mempool.rejected(fromClient[0]!.hash)!.code;
    assert.deepEqual(counts, [`client ${rate} 1`, `client ${seq} 2`, `peer ${rate} 1`].sort());
    assert.equal(mempool.size, 4);
  });
});

describe('mempool rejected-tx memory', () => {
  it('remembers refusals (not duplicates) and forgets a hash once accepted', async () => {
    const { app, mempool } = await setup();
    const t = tx(alice, 1); // sequence gap: refused now
    const r = mempool.add(t);
    assert.notEqual(r.code, 0);
    assert.equal(mempool.rejected(r.hash)?.log, r.log);
    assert.equal(mempool.add(tx(alice, 0)).code, 0);
    mempool.add(tx(alice, 0)); // duplicate: not recorded
    assert.equal(mempool.rejected(txHashHex(tx(alice, 0))), undefined);
    assert.equal(mempool.add(t).code, 0);
    assert.equal(mempool.rejected(r.hash), undefined);
    void app;
  });
});
