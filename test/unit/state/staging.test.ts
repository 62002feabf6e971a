import assert from 'node:assert/strict';
import fc from 'fast-check';
import { memoryStateStore, openStateStore, verifyProof, bucketOf, utf8, toHex } from '../../../src/state/index.js';
import type { StateStoreImpl } from '../../../src/state/index.js';
import { BucketTree } from '../../../src/state/merkle.js';
import { SortedMap } from '../../../src/state/sorted-map.js';
import { bytesToStr } from '../../../src/state/keys.js';
import { tempDir } from './helpers.js';

/**
 * Keys crowded into a few buckets (found by grinding candidates), plus keys spread over many:
 * staging then merges into multi-leaf buckets (inserts, updates, deletes side by side), which
 * random keys alone almost never do below 10^5 keys.
 */
const POOL: Uint8Array[] = (() => {
  const byBucket = new Map<number, Uint8Array[]>();
  for (let i = 0; i < 240_000; i++) {
    const key = utf8(`g/${i}`);
    const b = bucketOf(key);
    if (b < 8) (byBucket.get(b) ?? byBucket.set(b, []).get(b)!).push(key);
  }
  const crowded = [...byBucket.values()].flat();
  const spread = Array.from({ length: 24 }, (_, i) => Uint8Array.of(0x80 + i, 0xff, i));
  return [...crowded, ...spread];
})();

type Change = { key: number; val: Uint8Array | null };
const changeArb: fc.Arbitrary<Change> = fc.record({
  key: fc.nat({ max: POOL.length - 1 }),
  val: fc.option(fc.uint8Array({ maxLength: 80 }), { freq: 4, nil: null }),
});
/** A block: changes, with a computeHash preview after some of them (the staged hash is cached and must be redone). */
const blockArb = fc.record({ changes: fc.array(changeArb, { maxLength: 40 }), previewAt: fc.nat({ max: 40 }) });

/** Root rebuilt from scratch (bulk load) from the committed contents. */
function rebuiltRoot(st: StateStoreImpl): Uint8Array {
  const t = new BucketTree();
  for (const [key, val] of st.committed().iterate(new Uint8Array(0))) t.loadLeaf(bytesToStr(key), bytesToStr(val));
  t.finishLoad();
  return t.root;
}

function applyBlock(st: StateStoreImpl, block: { changes: Change[]; previewAt: number }): void {
  block.changes.forEach((c, i) => {
    if (i === block.previewAt) st.computeHash();
    const key = POOL[c.key]!;
    if (c.val === null) st.working().delete(key);
    else st.working().set(key, c.val);
  });
}

describe('state/staged app hash', () => {
  it('the pool crowds keys into shared buckets', () => {
    assert.ok(POOL.length > 24 + 16, `pool of ${POOL.length}`);
  });

  it('staged root == commit root == root rebuilt from scratch, for random change sets with deletes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(blockArb, { minLength: 1, maxLength: 6 }), async (blocks) => {
        const st = memoryStateStore();
        let h = 0;
        for (const block of blocks) {
          applyBlock(st, block);
          const preview = st.computeHash();
          const root = await st.commit(++h);
          assert.deepEqual(preview, root);
          assert.deepEqual(root, rebuiltRoot(st));
        }
        // proofs over crowded buckets, present and absent keys
        for (const key of [POOL[0]!, POOL[1]!, POOL[POOL.length - 1]!]) {
          const { value, proof, root } = st.proveCommitted(key);
          assert.equal(verifyProof(root, key, value, JSON.parse(JSON.stringify(proof))), true);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('restart: reopening rebuilds the committed hash, and continues to stage from it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(blockArb, { minLength: 1, maxLength: 4 }), blockArb, async (blocks, next) => {
        const { dir, cleanup } = tempDir('state-staging');
        try {
          const st = await openStateStore(dir, { sync: false });
          let h = 0;
          for (const block of blocks) {
            applyBlock(st, block);
            await st.commit(++h);
          }
          const hash = st.appHash;
          await st.close();
          const re = await openStateStore(dir, { sync: false }); // throws if the rebuilt hash differs
          assert.deepEqual(re.appHash, hash);
          applyBlock(re, next);
          const root = await re.commit(++h);
          assert.deepEqual(root, rebuiltRoot(re));
          await re.close();
        } finally {
          cleanup();
        }
      }),
      { numRuns: 15 },
    );
  });

  it('SortedMap.applySorted matches one-by-one set/delete (chunk splits and removals)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 2000 }), { maxLength: 900 }),
        fc.array(fc.record({ k: fc.nat({ max: 2000 }), del: fc.boolean() }), { maxLength: 900 }),
        (initial, changes) => {
          const key = (n: number) => String.fromCharCode(n >> 8, n & 0xff);
          const a = new SortedMap<string>();
          const b = new SortedMap<string>();
          for (const n of initial) {
            a.set(key(n), `i${n}`);
            b.set(key(n), `i${n}`);
          }
          const uniq = new Map<string, string | null>();
          for (const c of changes) uniq.set(key(c.k), c.del ? null : `c${c.k}`);
          const keys = [...uniq.keys()].sort();
          const vals = keys.map((x) => uniq.get(x)!);
          a.applySorted(keys, vals);
          keys.forEach((x, i) => (vals[i] === null ? b.delete(x) : b.set(x, vals[i]!)));
          assert.deepEqual([...a.range()], [...b.range()]);
          assert.equal(a.size, b.size);
          for (const n of [0, 1000, 2000]) assert.equal(a.get(key(n)), b.get(key(n)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('hashes do not depend on the bucket a key shares with others', async () => {
    // the same crowded-bucket contents reached by different histories give one root
    const a = memoryStateStore();
    const b = memoryStateStore();
    for (const key of POOL) a.working().set(key, key);
    await a.commit(1);
    for (const key of [...POOL].reverse()) b.working().set(key, utf8('x'));
    await b.commit(1);
    for (const key of POOL) b.working().set(key, key);
    b.working().delete(utf8('absent'));
    assert.equal(toHex(await b.commit(2)), toHex(a.appHash));
  });
});
