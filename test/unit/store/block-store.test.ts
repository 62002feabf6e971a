import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import fc from 'fast-check';
import { encodeAddress } from '../../../src/codec/address.js';
import { openBlockStore, BlockStoreFormatError, type BlockStore, type SaveBlockInput, type StoredTx } from '../../../src/store/index.js';

const enc = new TextEncoder();
const HRP = 'tbnb';
const hashOf = (h: number) => new Uint8Array(32).fill(h);
const txHash = (h: number, i: number) => `${h.toString(16).padStart(4, '0')}${i.toString(16).padStart(4, '0')}`.padEnd(64, 'a');
const raw = (tag: string) => {
  const a = new Uint8Array(20);
  enc.encodeInto(tag, a);
  return a;
};
const ALICE = raw('alice');
const BOB = raw('bob');
const alice = encodeAddress(ALICE, HRP);
const bob = encodeAddress(BOB, HRP);
const user = (h: number, i: number) => raw(`u${h}-${i}`);
const tmp = () => mkdtempSync(path.join(tmpdir(), 'dexchain-blocks-'));

/** Block h has h % 4 txs; tx i touches alice when i is even, bob always (twice), and a per-tx address. */
function block(h: number): SaveBlockInput {
  const n = h % 4;
  const txs: Uint8Array[] = [];
  const addresses: Uint8Array[][] = [];
  const txHashes: string[] = [];
  for (let i = 0; i < n; i++) {
    txs.push(enc.encode(`tx-${h}-${i}`));
    addresses.push(i % 2 === 0 ? [ALICE, BOB, raw('bob'), user(h, i)] : [BOB, user(h, i)]);
    txHashes.push(txHash(h, i));
  }
  return {
    height: h,
    hash: hashOf(h),
    timeMs: 1_700_000_000_000 + h * 1000,
    bytes: enc.encode(`block-${h}`),
    commitBytes: enc.encode(`commit-${h}`),
    results: txHashes.map((_, i) => ({
      code: i === 1 ? 65546 : 0,
      log: i === 1 ? 'insufficient' : '',
      data: Uint8Array.of(h, i),
      events: [{ type: 'transfer', attributes: [{ key: 'sender', value: 'alice' }] }],
    })),
    txHashes,
    addresses,
    txs,
  };
}

const pos = (r: { txs: { height: number; index: number }[] }) => r.txs.map((t) => [t.height, t.index]);

describe('store/block store', () => {
  let dir: string;
  let bs: BlockStore;
  const N = 30;
  // expected (height, index) lists of bob and alice
  const bobTxs: [number, number][] = [];
  const aliceTxs: [number, number][] = [];
  for (let h = 1; h <= N; h++)
    for (let i = 0; i < h % 4; i++) {
      bobTxs.push([h, i]);
      if (i % 2 === 0) aliceTxs.push([h, i]);
    }

  before(async () => {
    dir = tmp();
    bs = await openBlockStore(dir, { sync: false });
    assert.equal(await bs.latestHeight(), 0);
    assert.equal(await bs.baseHeight(), 0);
    await Promise.all(Array.from({ length: N }, (_, i) => bs.save(block(i + 1)))); // queued in order
  });

  after(async () => {
    await bs.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips blocks, commits and block info', async () => {
    assert.equal(await bs.latestHeight(), N);
    assert.equal(await bs.baseHeight(), 1);
    assert.deepEqual(await bs.loadBlockBytes(7), enc.encode('block-7'));
    assert.deepEqual(await bs.loadCommitBytes(7), enc.encode('commit-7'));
    assert.equal(await bs.loadBlockBytes(N + 1), undefined);
    assert.equal(await bs.loadBlockBytes(0), undefined);
    assert.equal(await bs.heightByHash(hashOf(9)), 9);
    assert.equal(await bs.heightByHash(Buffer.from(hashOf(9)).toString('hex')), 9);
    assert.equal(await bs.heightByHash(Buffer.from(hashOf(9)).toString('hex').toUpperCase()), 9);
    assert.equal(await bs.heightByHash(hashOf(200)), undefined);
    assert.equal(await bs.heightByHash('zz'), undefined);
    assert.equal(await bs.heightByHash(''), undefined);
    assert.deepEqual(await bs.blockInfo(11), { height: 11, hash: hashOf(11), timeMs: 1_700_000_011_000, numTxs: 3 });
    assert.deepEqual(await bs.blockInfo(12), { height: 12, hash: hashOf(12), timeMs: 1_700_000_012_000, numTxs: 0 });
    assert.equal(await bs.blockInfo(N + 1), undefined);
    assert.equal(await bs.blockInfo(-1), undefined);
  });

  it('loads a tx by hash, case-insensitively', async () => {
    const t = await bs.loadTx(txHash(11, 1));
    assert.ok(t);
    assert.equal(t.hash, txHash(11, 1).toUpperCase());
    assert.equal(t.height, 11);
    assert.equal(t.index, 1);
    assert.equal(t.timeMs, 1_700_000_011_000);
    assert.deepEqual(t.tx, enc.encode('tx-11-1'));
    assert.deepEqual(t.result, {
      code: 65546,
      log: 'insufficient',
      data: Uint8Array.of(11, 1),
      events: [{ type: 'transfer', attributes: [{ key: 'sender', value: 'alice' }] }],
    });
    assert.deepEqual(await bs.loadTx(txHash(11, 1).toUpperCase()), t);
    assert.equal(await bs.loadTx(txHash(12, 0)), undefined); // block 12 has no txs
    assert.equal(await bs.loadTx('zz'), undefined);
    assert.equal(await bs.loadTx(''), undefined);
    assert.deepEqual((await bs.txsByHeight(11)).map((x) => x.index), [0, 1, 2]);
    assert.deepEqual((await bs.txsByHeight(11))[1], t);
    assert.deepEqual(await bs.txsByHeight(12), []);
    assert.deepEqual(await bs.txsByHeight(N + 5), []);
  });

  it('pages txs by address, newest first by default', async () => {
    const first = await bs.txsByAddress(bob, { limit: 5 });
    assert.equal(first.total, bobTxs.length);
    assert.deepEqual(pos(first), [...bobTxs].reverse().slice(0, 5));
    const second = await bs.txsByAddress(bob, { offset: 5, limit: 5 });
    assert.deepEqual(pos(second), [...bobTxs].reverse().slice(5, 10));
    const asc = await bs.txsByAddress(alice, { reverse: false, offset: 2, limit: 3 });
    assert.equal(asc.total, aliceTxs.length);
    assert.deepEqual(pos(asc), aliceTxs.slice(2, 5));
    const ranged = await bs.txsByAddress(bob, { minHeight: 5, maxHeight: 10, limit: 100 });
    const inRange = bobTxs.filter(([h]) => h >= 5 && h <= 10);
    assert.equal(ranged.total, inRange.length);
    assert.deepEqual(pos(ranged), [...inRange].reverse());
    const rangedAsc = await bs.txsByAddress(bob, { minHeight: 5, maxHeight: 10, offset: 1, limit: 2, reverse: false });
    assert.equal(rangedAsc.total, inRange.length);
    assert.deepEqual(pos(rangedAsc), inRange.slice(1, 3));
    const fromH = await bs.txsByAddress(bob, { minHeight: 27 });
    assert.deepEqual(pos(fromH), [...bobTxs.filter(([h]) => h >= 27)].reverse());
    const toH = await bs.txsByAddress(bob, { maxHeight: 3, reverse: false });
    assert.deepEqual(pos(toH), bobTxs.filter(([h]) => h <= 3));
    assert.deepEqual(await bs.txsByAddress(bob, { minHeight: 10, maxHeight: 9 }), { txs: [], total: 0 });
    assert.deepEqual(await bs.txsByAddress(bob, { limit: 0 }), { txs: [], total: bobTxs.length });
    const beyond = await bs.txsByAddress(bob, { offset: 1000 });
    assert.deepEqual(beyond, { txs: [], total: bobTxs.length });
    assert.equal((await bs.txsByAddress(bob, { limit: 5000 })).txs.length, bobTxs.length); // capped at 1000, fewer here
    assert.deepEqual(await bs.txsByAddress(encodeAddress(raw('nobody'), HRP)), { txs: [], total: 0 });
    assert.deepEqual(await bs.txsByAddress('not-an-address'), { txs: [], total: 0 });
    const one = await bs.txsByAddress(encodeAddress(user(7, 2), HRP));
    assert.equal(one.total, 1);
    assert.equal(one.txs[0]!.hash, txHash(7, 2).toUpperCase());
    assert.deepEqual(one.txs[0]!.tx, enc.encode('tx-7-2'));
  });

  it('rejects an already saved height and malformed input', async () => {
    await assert.rejects(bs.save(block(3)), /already saved/);
    const bad = block(N + 1);
    bad.addresses.pop();
    await assert.rejects(bs.save(bad), /one entry per tx/);
    const badHash = block(N + 1);
    badHash.txHashes[0] = 'xyz';
    await assert.rejects(bs.save(badHash), /hex digits/);
    const badAddr = block(N + 1);
    badAddr.addresses[0] = [new Uint8Array(19)];
    await assert.rejects(bs.save(badAddr), /20 bytes/);
    assert.equal(await bs.latestHeight(), N);
    assert.equal(await bs.loadBlockBytes(N + 1), undefined);
  });

  it('meta get/put and reopen keeps everything, with a cold counter cache', async () => {
    await bs.putMeta('signer', Uint8Array.of(1, 2, 3));
    assert.deepEqual(await bs.getMeta('signer'), Uint8Array.of(1, 2, 3));
    assert.equal(await bs.getMeta('none'), undefined);
    const before = await bs.txsByAddress(bob, { limit: 1000 });
    await bs.close();
    bs = await openBlockStore(dir, { sync: false });
    assert.equal(await bs.latestHeight(), N);
    assert.equal(await bs.baseHeight(), 1);
    assert.deepEqual(await bs.getMeta('signer'), Uint8Array.of(1, 2, 3));
    assert.deepEqual(await bs.txsByAddress(bob, { limit: 1000 }), before);
    // counters continue from disk after the restart
    await bs.save(block(N + 3)); // 33 % 4 = 1 tx touching alice and bob
    assert.equal((await bs.txsByAddress(bob)).total, bobTxs.length + 1);
    assert.equal((await bs.txsByAddress(alice)).total, aliceTxs.length + 1);
    assert.equal(await bs.latestHeight(), N + 3);
  });
});

describe('store/block store contents', () => {
  it('round-trips unicode events, empty fields, and blocks without txs bytes', async () => {
    const dir = tmp();
    const bs = await openBlockStore(dir, { sync: false });
    try {
      const events = [
        { type: 'ünïcödé ✓', attributes: [{ key: '名前', value: '😀 emoji \u0000 nul' }, { key: '', value: '' }] },
        { type: 'empty', attributes: [] },
        { type: 'long', attributes: [{ key: 'k'.repeat(300), value: 'é'.repeat(5000) }] },
      ];
      await bs.save({
        height: 1,
        hash: hashOf(1),
        timeMs: 0,
        bytes: new Uint8Array(0),
        results: [
          { code: 0xffffffff, log: 'журнал', data: new Uint8Array(0), events },
          { code: 0, log: '', data: Uint8Array.of(0, 255), events: [] },
        ],
        txHashes: [txHash(1, 0), txHash(1, 1).toUpperCase()],
        addresses: [[], [ALICE]],
      });
      const t = await bs.loadTx(txHash(1, 0));
      assert.ok(t);
      assert.deepEqual(t.tx, new Uint8Array(0));
      assert.equal(t.timeMs, 0);
      assert.deepEqual(t.result, { code: 0xffffffff, log: 'журнал', data: new Uint8Array(0), events });
      assert.deepEqual((await bs.loadTx(txHash(1, 1)))?.result.data, Uint8Array.of(0, 255));
      assert.equal(await bs.loadCommitBytes(1), undefined);
      assert.deepEqual(await bs.loadBlockBytes(1), new Uint8Array(0));
      assert.deepEqual(pos(await bs.txsByAddress(alice)), [[1, 1]]);
      await bs.save({ height: 2, hash: hashOf(2), timeMs: 5, bytes: Uint8Array.of(9), results: [], txHashes: [], addresses: [] });
      assert.deepEqual(await bs.blockInfo(2), { height: 2, hash: hashOf(2), timeMs: 5, numTxs: 0 });
      assert.deepEqual(await bs.txsByHeight(2), []);
    } finally {
      await bs.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stores a 5,000-tx block and finds any tx in it', async () => {
    const dir = tmp();
    const bs = await openBlockStore(dir, { sync: false });
    try {
      const n = 5000;
      const senders = Array.from({ length: 50 }, (_, i) => raw(`s${i}`));
      const b: SaveBlockInput = {
        height: 1,
        hash: hashOf(1),
        timeMs: 42,
        bytes: new Uint8Array(1000),
        results: [],
        txHashes: [],
        addresses: [],
        txs: [],
      };
      for (let i = 0; i < n; i++) {
        b.txs!.push(enc.encode(`big-${i}`));
        b.txHashes.push(i.toString(16).padStart(64, '0'));
        b.addresses.push([senders[i % 50]!, raw(`r${i}`)]);
        b.results.push({ code: i % 7, log: `log ${i}`, data: new Uint8Array(0), events: [{ type: 'transfer', attributes: [{ key: 'amount', value: `${i}BNB` }] }] });
      }
      await bs.save(b);
      const t = await bs.loadTx((4321).toString(16).padStart(64, '0'));
      assert.equal(t?.index, 4321);
      assert.equal(t?.result.log, 'log 4321');
      assert.deepEqual(t?.tx, enc.encode('big-4321'));
      const all = await bs.txsByHeight(1);
      assert.equal(all.length, n);
      assert.deepEqual(all.map((x) => x.index), Array.from({ length: n }, (_, i) => i));
      const s7 = await bs.txsByAddress(encodeAddress(senders[7]!, HRP), { reverse: false, limit: 1000 });
      assert.equal(s7.total, n / 50);
      assert.deepEqual(s7.txs.map((x) => x.index), Array.from({ length: n / 50 }, (_, k) => 7 + 50 * k));
      const r = await bs.txsByAddress(encodeAddress(raw('r4999'), HRP));
      assert.deepEqual(pos(r), [[1, 4999]]);
      assert.equal((await bs.blockInfo(1))?.numTxs, n);
    } finally {
      await bs.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('store/block store format', () => {
  it('refuses a store written by the old layout, with a clear message', async () => {
    const dir = tmp();
    try {
      const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
      await db.open();
      // what the previous layout left: a latest height and no format version
      await db.put(Uint8Array.of(0x4d, ...enc.encode('latest')), Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 5));
      await db.close();
      await assert.rejects(openBlockStore(dir), (e: unknown) => {
        assert.ok(e instanceof BlockStoreFormatError);
        assert.match((e as Error).message, /older dexchain/);
        assert.match((e as Error).message, /unsafe-reset-all/);
        return true;
      });
      // the directory is not locked afterwards (the failed open closed it)
      const again = new ClassicLevel(dir);
      await again.open();
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stamps a fresh directory (and one holding only node meta) with the version', async () => {
    const dir = tmp();
    try {
      const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
      await db.open();
      await db.put(Uint8Array.of(0x4b, ...enc.encode('signer')), Uint8Array.of(7));
      await db.close();
      const bs = await openBlockStore(dir, { sync: false });
      assert.deepEqual(await bs.getMeta('signer'), Uint8Array.of(7));
      await bs.save(block(1));
      await bs.close();
      const bs2 = await openBlockStore(dir, { sync: false }); // the version key is there now
      assert.equal(await bs2.latestHeight(), 1);
      await bs2.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('store/block store property', () => {
  /** Queries must match a plain in-memory model over random blocks and address sets. */
  it('address, height and hash queries match a model', async () => {
    const pool = Array.from({ length: 6 }, (_, i) => raw(`p${i}`));
    const blockArb = fc.array(fc.array(fc.integer({ min: 0, max: pool.length - 1 }), { maxLength: 4 }), { maxLength: 6 });
    const queryArb = fc.record({
      who: fc.integer({ min: 0, max: pool.length - 1 }),
      offset: fc.integer({ min: 0, max: 12 }),
      limit: fc.integer({ min: 0, max: 12 }),
      reverse: fc.boolean(),
      minHeight: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
      maxHeight: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(blockArb, { minLength: 1, maxLength: 8 }),
        fc.array(queryArb, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 8 }),
        fc.constantFrom(0, 3, 1000),
        async (blocks, queries, reopenAt, cacheMax) => {
          const dir = tmp();
          let bs = await openBlockStore(dir, { sync: false, countCacheMax: cacheMax });
          const model: { h: number; i: number; hash: string; addrs: Set<number> }[] = [];
          try {
            for (let k = 0; k < blocks.length; k++) {
              const h = k + 1;
              if (k === reopenAt) {
                await bs.close();
                bs = await openBlockStore(dir, { sync: false, countCacheMax: cacheMax });
              }
              const txs = blocks[k]!;
              const txHashes = txs.map((_, i) => `${h.toString(16).padStart(2, '0')}${i.toString(16).padStart(2, '0')}`.padEnd(64, 'c'));
              txs.forEach((a, i) => model.push({ h, i, hash: txHashes[i]!.toUpperCase(), addrs: new Set(a) }));
              await bs.save({
                height: h,
                hash: hashOf(h),
                timeMs: h,
                bytes: Uint8Array.of(h),
                results: txs.map((_, i) => ({ code: i, log: `l${h}.${i}`, data: new Uint8Array(0), events: [] })),
                txHashes,
                addresses: txs.map((a) => a.map((x) => pool[x]!)),
                txs: txs.map((_, i) => Uint8Array.of(h, i)),
              });
            }
            for (const q of queries) {
              const filtered = q.minHeight !== undefined || q.maxHeight !== undefined;
              const mine = model.filter((t) => t.addrs.has(q.who) && (!filtered || (t.h >= (q.minHeight ?? 0) && (q.maxHeight === undefined || t.h <= q.maxHeight))));
              const ordered = q.reverse ? [...mine].reverse() : mine;
              const expected = ordered.slice(q.offset, q.offset + q.limit);
              const got = await bs.txsByAddress(encodeAddress(pool[q.who]!, HRP), q);
              assert.equal(got.total, mine.length);
              assert.deepEqual(pos(got), expected.map((t) => [t.h, t.i]));
              assert.deepEqual(got.txs.map((t) => t.hash), expected.map((t) => t.hash));
            }
            for (const t of model) {
              const s = (await bs.loadTx(t.hash)) as StoredTx;
              assert.deepEqual([s.height, s.index, s.result.log], [t.h, t.i, `l${t.h}.${t.i}`]);
            }
            for (let h = 1; h <= blocks.length; h++) {
              assert.deepEqual((await bs.txsByHeight(h)).map((t) => t.hash), model.filter((t) => t.h === h).map((t) => t.hash));
            }
          } finally {
            await bs.close();
            rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
