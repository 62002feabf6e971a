import assert from 'node:assert/strict';
import { CLIENT_BLOCKS, CLIENT_FLOOR, Mempool, RECENT_BLOCKS, txHash, type TxChecker } from '../../../src/mempool/mempool.js';
import type { CheckTxResult } from '../../../src/app/abci.js';

/** A checker that accepts txs whose first byte is not 0xff; byte 1 = sender id, byte 2 = fee. */
class FakeChecker implements TxChecker {
  invalid = new Set<string>();
  calls = 0;
  checkTx(tx: Uint8Array): CheckTxResult {
    this.calls++;
    const hash = txHash(tx);
    const bad = tx[0] === 0xff || this.invalid.has(hash);
    return { code: bad ? 65540 : 0, log: bad ? 'unauthorized' : '', data: new Uint8Array(), events: [], hash, fee: BigInt(tx[2] ?? 0), sender: new Uint8Array(20).fill(tx[1] ?? 0) };
  }
}

const cfg = { size: 5, max_txs_bytes: 1000, max_txs_per_sender: 3, max_recheck: 100, min_fee: 0, cache_size: 10 };
const tx = (sender: number, n: number, fee = 1, len = 8): Uint8Array => {
  const b = new Uint8Array(len);
  b[0] = n;
  b[1] = sender;
  b[2] = fee;
  return b;
};

describe('mempool', () => {
  it('admits valid txs in arrival order and refuses duplicates', () => {
    const m = new Mempool(new FakeChecker(), cfg);
    assert.equal(m.add(tx(1, 1)).code, 0);
    assert.equal(m.add(tx(2, 2)).code, 0);
    const dup = m.add(tx(1, 1));
    assert.notEqual(dup.code, 0);
    assert.match(dup.log, /already in the mempool/);
    assert.deepEqual(m.reap(1000, 10).map((t) => t[0]), [1, 2]);
  });

  it('refuses a sender over its limit before checkTx when the app names the sender (no check-state change)', () => {
    class Named extends FakeChecker {
      senderOf(t: Uint8Array): string {
        return Buffer.from(new Uint8Array(20).fill(t[1] ?? 0)).toString('hex');
      }
    }
    const c = new Named();
    const m = new Mempool(c, cfg);
    for (let i = 1; i <= 3; i++) assert.equal(m.add(tx(7, i)).code, 0);
    const calls = c.calls;
    const over = m.add(tx(7, 4));
    assert.match(over.log, /limit is 3/);
    assert.equal(c.calls, calls, 'checkTx must not run for a tx refused by the per-sender limit');
    assert.equal(m.add(tx(8, 5)).code, 0, 'other senders are unaffected');
  });

  it('rejects invalid txs without holding them', () => {
    const m = new Mempool(new FakeChecker(), cfg);
    const r = m.add(tx(1, 0xff));
    assert.notEqual(r.code, 0);
    assert.equal(m.size, 0);
    assert.equal(m.sizeBytes, 0);
  });

  it('enforces count, bytes, per-sender and minimum fee limits', () => {
    const m = new Mempool(new FakeChecker(), cfg);
    for (let i = 1; i <= 3; i++) assert.equal(m.add(tx(7, i)).code, 0);
    const over = m.add(tx(7, 4));
    assert.notEqual(over.code, 0);
    assert.match(over.log, /limit/);
    assert.equal(m.add(tx(8, 5)).code, 0);
    assert.equal(m.add(tx(9, 6)).code, 0);
    assert.match(m.add(tx(10, 7)).log, /full/);
    const small = new Mempool(new FakeChecker(), { ...cfg, max_txs_bytes: 20 });
    assert.equal(small.add(tx(1, 1, 1, 16)).code, 0);
    assert.match(small.add(tx(2, 2, 1, 16)).log, /full/);
    const paid = new Mempool(new FakeChecker(), { ...cfg, min_fee: 5 });
    assert.match(paid.add(tx(1, 1, 4)).log, /minimum/);
    assert.equal(paid.add(tx(1, 2, 5)).code, 0);
  });

  it('drops committed txs, refuses their replay, rechecks the rest and wakes waiters', async () => {
    const c = new FakeChecker();
    const m = new Mempool(c, cfg);
    const a = tx(1, 1), b = tx(2, 2), d = tx(3, 3);
    for (const t of [a, b, d]) m.add(t);
    const waitA = m.waitForCommit(txHash(a), 1000);
    const waitD = m.waitForCommit(txHash(d), 1000);
    c.invalid.add(txHash(d)); // the block made d invalid
    m.update(5, [{ hash: txHash(a), code: 0, log: '' }]);
    assert.deepEqual(await waitA, { height: 5, index: 0, code: 0, log: '' });
    assert.equal(await waitD, undefined);
    assert.equal(m.size, 1);
    assert.match(m.add(a).log, /already committed/);
  });

  it('bounds recheck work per commit: the pool holds at most max_recheck txs, all rechecked', () => {
    const c = new FakeChecker();
    const m = new Mempool(c, { ...cfg, size: 100, max_txs_per_sender: 100, max_recheck: 2 });
    const codes = Array.from({ length: 10 }, (_, i) => m.add(tx(1, i + 1)));
    assert.deepEqual(codes.map((r) => r.code === 0), [true, true, false, false, false, false, false, false, false, false]);
    assert.match(codes[2]!.log, /mempool is full/);
    assert.equal(m.capacity, 2);
    c.calls = 0;
    m.update(1, []);
    assert.equal(c.calls, 2);
  });

  it('takes clients\' txs up to two blocks\' worth of the last blocks (floor and capacity as bounds)', () => {
    const m = new Mempool(new FakeChecker(), { ...cfg, size: 40_000, max_recheck: 30_000 });
    assert.equal(m.clientCapacity, 30_000, 'no block seen yet: the whole pool');
    const commit = (h: number, n: number) => m.update(h, Array.from({ length: n }, (_, i) => ({ hash: `B${h}-${i}`, code: 0, log: '' })));
    commit(1, 0);
    assert.equal(m.clientCapacity, CLIENT_FLOOR, 'idle blocks: the floor');
    commit(2, 4000);
    commit(3, 6000);
    assert.equal(m.clientCapacity, Math.max(CLIENT_FLOOR, Math.ceil((CLIENT_BLOCKS * 10_000) / 3)));
    for (let h = 4; h < 4 + RECENT_BLOCKS; h++) commit(h, 9000);
    assert.equal(m.clientCapacity, CLIENT_BLOCKS * 9000, 'only the last blocks count');
    for (let h = 10; h < 10 + RECENT_BLOCKS; h++) commit(h, 20_000);
    assert.equal(m.clientCapacity, 30_000, 'never above the pool\'s capacity');
  });

  it('refuses a size or recheck budget below 1 at construction', () => {
    assert.throws(() => new Mempool(new FakeChecker(), { ...cfg, max_recheck: 0 }), /mempool\.max_recheck must be a whole number of at least 1/);
    assert.throws(() => new Mempool(new FakeChecker(), { ...cfg, size: 0 }), /mempool\.size/);
  });

  it('times out a waiter for a tx that never commits', async () => {
    const m = new Mempool(new FakeChecker(), cfg);
    m.add(tx(1, 1));
    assert.equal(await m.waitForCommit(txHash(tx(1, 1)), 20), undefined);
  });
});

describe('mempool priority', () => {
  it('reaps paying txs first (higher fee first) but keeps each sender in arrival order', () => {
    const m = new Mempool(new FakeChecker(), { ...cfg, size: 20, max_txs_per_sender: 10 });
    m.add(tx(1, 1, 0)); // sender 1: free, then paying
    m.add(tx(1, 2, 9));
    m.add(tx(2, 3, 5)); // sender 2: paying
    m.add(tx(3, 4, 0)); // sender 3: free
    m.add(tx(2, 5, 5));
    // sender 2's head (5) beats sender 1's free head; sender 1's paying tx waits behind its free one
    assert.deepEqual(m.reap(1000, 10).map((t) => t[0]), [3, 5, 1, 2, 4]);
    assert.deepEqual(m.reap(1000, 2).map((t) => t[0]), [3, 5]);
    // equal fees: plain arrival order
    const f = new Mempool(new FakeChecker(), { ...cfg, size: 20 });
    for (const [s, n] of [[4, 1], [5, 2], [4, 3]]) f.add(tx(s!, n!, 0));
    assert.deepEqual(f.reap(1000, 10).map((t) => t[0]), [1, 2, 3]);
  });

  it('hands out the hash of each reaped tx, in block order, on both reap paths', () => {
    const m = new Mempool(new FakeChecker(), { ...cfg, size: 20, max_txs_per_sender: 10 });
    for (const [s, n, fee] of [[1, 1, 0], [1, 2, 9], [2, 3, 5], [3, 4, 0]]) m.add(tx(s!, n!, fee!));
    const hashes: string[] = [];
    const txs = m.reap(1000, 3, hashes);
    assert.equal(txs.length, 3);
    assert.deepEqual(hashes, txs.map((t) => txHash(t)));
    const free = new Mempool(new FakeChecker(), { ...cfg, size: 20 });
    for (const [s, n] of [[4, 1], [5, 2]]) free.add(tx(s!, n!, 0));
    const h2: string[] = [];
    const freeTxs = free.reap(1000, 10, h2);
    assert.equal(freeTxs.length, 2);
    assert.deepEqual(freeTxs.map((t) => txHash(t)), h2);
  });
});

describe('mempool reap order (model)', () => {
  /** The rule, by brute force: among the senders' oldest pending txs, the highest fee, then the earliest. */
  function modelOrder(pool: { n: number; sender: number; fee: number }[]): number[] {
    const left = [...pool];
    const out: number[] = [];
    while (left.length > 0) {
      const heads = left.filter((t, i) => left.findIndex((u) => u.sender === t.sender) === i);
      heads.sort((a, b) => b.fee - a.fee || left.indexOf(a) - left.indexOf(b));
      out.push(heads[0]!.n);
      left.splice(left.indexOf(heads[0]!), 1);
    }
    return out;
  }

  it('matches the fee-then-arrival rule through adds, commits and reaps, with one fee value or many', async () => {
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(
        fc.array(fc.record({ sender: fc.integer({ min: 1, max: 4 }), fee: fc.constantFrom(0, 3, 3, 3, 7) }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 10 }),
        (adds, committedCount) => {
          const m = new Mempool(new FakeChecker(), { ...cfg, size: 100, max_txs_per_sender: 100, max_txs_bytes: 1 << 20 });
          const pool = adds.map((a, i) => ({ n: i + 1, ...a }));
          for (const t of pool) assert.equal(m.add(tx(t.sender, t.n, t.fee)).code, 0);
          // a block takes the first txs in reap order; the rest must still follow the rule
          const first = m.reap(1 << 20, committedCount);
          m.update(1, first.map((t) => ({ hash: txHash(t), code: 0, log: '' })));
          const gone = new Set(first.map((t) => t[0]));
          const rest = pool.filter((t) => !gone.has(t.n));
          assert.deepEqual(first.map((t) => t[0]), modelOrder(pool).slice(0, committedCount));
          assert.deepEqual(m.reap(1 << 20, 1000).map((t) => t[0]), modelOrder(rest));
        },
      ),
      { numRuns: 300 },
    );
  });
});
