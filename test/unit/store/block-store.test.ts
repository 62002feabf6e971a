import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openBlockStore, type BlockStore, type SaveBlockInput } from '../../../src/store/index.js';

const enc = new TextEncoder();
const hashOf = (h: number) => new Uint8Array(32).fill(h);
const txHash = (h: number, i: number) => `${h.toString(16).padStart(4, '0')}${i.toString(16).padStart(4, '0')}`.padEnd(64, 'a');

/** Block h has h % 4 txs; tx i touches "alice" when i is even, "bob" always, and a per-tx address. */
function block(h: number): SaveBlockInput {
  const n = h % 4;
  const txs: Uint8Array[] = [];
  const addresses: string[][] = [];
  const txHashes: string[] = [];
  for (let i = 0; i < n; i++) {
    txs.push(enc.encode(`tx-${h}-${i}`));
    addresses.push(i % 2 === 0 ? ['alice', 'bob', 'bob', `u${h}-${i}`] : ['bob', `u${h}-${i}`]);
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

describe('store/block store', () => {
  let dir: string;
  let bs: BlockStore;
  const N = 30;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dexchain-blocks-'));
    bs = await openBlockStore(dir);
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
    assert.equal(await bs.heightByHash(hashOf(200)), undefined);
    assert.equal(await bs.heightByHash('zz'), undefined);
    const info = await bs.blockInfo(11);
    assert.deepEqual(info, { height: 11, hash: hashOf(11), timeMs: 1_700_000_011_000, numTxs: 3 });
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
    assert.deepEqual((await bs.txsByHeight(11)).map((x) => x.index), [0, 1, 2]);
    assert.deepEqual(await bs.txsByHeight(12), []);
  });

  it('pages txs by address, newest first by default', async () => {
    // expected list of (height, index) for bob and alice
    const bob: [number, number][] = [];
    const alice: [number, number][] = [];
    for (let h = 1; h <= N; h++)
      for (let i = 0; i < h % 4; i++) {
        bob.push([h, i]);
        if (i % 2 === 0) alice.push([h, i]);
      }
    const pos = (r: { txs: { height: number; index: number }[] }) => r.txs.map((t) => [t.height, t.index]);

    const first = await bs.txsByAddress('bob', { limit: 5 });
    assert.equal(first.total, bob.length);
    assert.deepEqual(pos(first), [...bob].reverse().slice(0, 5));
    const second = await bs.txsByAddress('bob', { offset: 5, limit: 5 });
    assert.deepEqual(pos(second), [...bob].reverse().slice(5, 10));
    const asc = await bs.txsByAddress('alice', { reverse: false, offset: 2, limit: 3 });
    assert.equal(asc.total, alice.length);
    assert.deepEqual(pos(asc), alice.slice(2, 5));
    const ranged = await bs.txsByAddress('bob', { minHeight: 5, maxHeight: 10, limit: 100 });
    const inRange = bob.filter(([h]) => h >= 5 && h <= 10);
    assert.equal(ranged.total, inRange.length);
    assert.deepEqual(pos(ranged), [...inRange].reverse());
    const beyond = await bs.txsByAddress('bob', { offset: 1000 });
    assert.deepEqual(beyond, { txs: [], total: bob.length });
    assert.deepEqual(await bs.txsByAddress('nobody'), { txs: [], total: 0 });
    const one = await bs.txsByAddress('u7-2');
    assert.equal(one.total, 1);
    assert.equal(one.txs[0].hash, txHash(7, 2).toUpperCase());
  });

  it('rejects an already saved height and mismatched arrays', async () => {
    await assert.rejects(bs.save(block(3)), /already saved/);
    const bad = block(N + 1);
    bad.addresses.pop();
    await assert.rejects(bs.save(bad), /one entry per tx/);
    assert.equal(await bs.latestHeight(), N);
  });

  it('meta get/put and reopen keeps everything', async () => {
    await bs.putMeta('signer', Uint8Array.of(1, 2, 3));
    assert.deepEqual(await bs.getMeta('signer'), Uint8Array.of(1, 2, 3));
    assert.equal(await bs.getMeta('none'), undefined);
    await bs.close();
    bs = await openBlockStore(dir);
    assert.equal(await bs.latestHeight(), N);
    assert.equal(await bs.baseHeight(), 1);
    assert.deepEqual(await bs.getMeta('signer'), Uint8Array.of(1, 2, 3));
    assert.equal((await bs.txsByAddress('bob')).total > 0, true);
  });
});
