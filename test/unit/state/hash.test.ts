import assert from 'node:assert/strict';
import { memoryStateStore, verifyProof, utf8, toHex, type StateProof } from '../../../src/state/index.js';
import { BucketTree } from '../../../src/state/merkle.js';
import { bytesToStr } from '../../../src/state/keys.js';
import { k, v } from './helpers.js';

/** Root built from scratch (bulk load) for a set of entries. */
function fullRoot(entries: [Uint8Array, Uint8Array][]): Uint8Array {
  const t = new BucketTree();
  const sorted = [...entries].sort((a, b) => Buffer.compare(a[0], b[0]));
  for (const [key, val] of sorted) t.loadLeaf(bytesToStr(key), bytesToStr(val));
  t.finishLoad();
  return t.root;
}

describe('state/app hash', () => {
  it('empty state hashes to 32 zero bytes', () => {
    assert.deepEqual(memoryStateStore().appHash, new Uint8Array(32));
  });

  it('same writes in a different order give the same hash; a different state a different hash', async () => {
    const writes: [string, string][] = [];
    for (let i = 0; i < 300; i++) writes.push([`key/${i}`, `v${i * 7}`]);
    const a = memoryStateStore();
    const b = memoryStateStore();
    for (const [key, val] of writes) a.working().set(k(key), v(val));
    for (const [key, val] of [...writes].reverse()) {
      const c = b.cache();
      c.set(k(key), v('tmp'));
      c.set(k(key), v(val));
      c.write();
    }
    b.working().set(k('extra'), v('x'));
    b.working().delete(k('extra'));
    const ha = await a.commit(1);
    const hb = await b.commit(1);
    assert.deepEqual(ha, hb);
    assert.notDeepEqual(ha, new Uint8Array(32));

    const c = memoryStateStore();
    for (const [key, val] of writes) c.working().set(k(key), v(val));
    c.working().set(k('key/5'), v('different'));
    assert.notDeepEqual(await c.commit(1), ha);
    const d = memoryStateStore();
    for (const [key, val] of writes.slice(1)) d.working().set(k(key), v(val));
    assert.notDeepEqual(await d.commit(1), ha);
  });

  it('incremental commits equal a full rebuild, and computeHash previews the commit', async () => {
    const st = memoryStateStore();
    const model = new Map<string, [Uint8Array, Uint8Array]>();
    let seed = 1;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let h = 1; h <= 8; h++) {
      for (let i = 0; i < 200; i++) {
        const key = k(`k${rnd(500)}`);
        if (rnd(4) === 0) {
          st.working().delete(key);
          model.delete(toHex(key));
        } else {
          const val = v(`h${h}i${i}`);
          st.working().set(key, val);
          model.set(toHex(key), [key, val]);
        }
      }
      const preview = st.computeHash();
      const root = await st.commit(h);
      assert.deepEqual(preview, root);
      assert.deepEqual(root, fullRoot([...model.values()]));
      assert.deepEqual(st.appHashAt(h), root);
    }
    assert.deepEqual(st.computeHash(), st.appHash, 'no pending writes: hash unchanged');
  });

  it('deleting everything returns to the empty hash', async () => {
    const st = memoryStateStore();
    for (let i = 0; i < 50; i++) st.working().set(k(`a${i}`), v('x'));
    await st.commit(1);
    for (let i = 0; i < 50; i++) st.working().delete(k(`a${i}`));
    assert.deepEqual(await st.commit(2), new Uint8Array(32));
  });

  it('keeps the hash of the last N heights', async () => {
    const st = memoryStateStore({ keepHashes: 3 });
    const roots: Uint8Array[] = [];
    for (let h = 1; h <= 6; h++) {
      st.working().set(k('h'), v(String(h)));
      roots[h] = await st.commit(h);
    }
    assert.equal(st.appHashAt(3), undefined);
    assert.deepEqual(st.appHashAt(4), roots[4]);
    assert.deepEqual(st.appHashAt(6), roots[6]);
  });

  describe('proofs', () => {
    let st: ReturnType<typeof memoryStateStore>;
    before(async () => {
      st = memoryStateStore();
      for (let i = 0; i < 2000; i++) st.working().set(k(`acc/${i}`), v(`balance-${i}`));
      await st.commit(1);
    });

    it('proves presence', () => {
      for (const name of ['acc/0', 'acc/777', 'acc/1999']) {
        const { value, proof, root } = st.proveCommitted(k(name));
        assert.ok(value);
        assert.deepEqual(root, st.appHash);
        const json = JSON.parse(JSON.stringify(proof));
        assert.equal(verifyProof(root, k(name), value, json), true);
        assert.equal(verifyProof(root, k(name), v('other'), json), false);
        assert.equal(verifyProof(root, k(name), undefined, json), false);
      }
    });

    it('proves absence', () => {
      const { value, proof, root } = st.proveCommitted(k('acc/nope'));
      assert.equal(value, undefined);
      assert.equal(verifyProof(root, k('acc/nope'), undefined, proof), true);
      assert.equal(verifyProof(root, k('acc/nope'), v('x'), proof), false);
      // a proof for another key does not prove this key absent
      const other = st.proveCommitted(k('acc/5')).proof;
      assert.equal(verifyProof(root, k('acc/nope'), undefined, other), (other as StateProof).bucket === (proof as StateProof).bucket);
    });

    it('fails when tampered', () => {
      const name = k('acc/42');
      const { value, proof, root } = st.proveCommitted(name);
      const p = proof as StateProof;
      const clone = (): StateProof => JSON.parse(JSON.stringify(p));
      const flipHex = (h: string) => (h[0] === '0' ? '1' : '0') + h.slice(1);

      const t1 = clone();
      t1.siblings[2][5] = flipHex(t1.siblings[2][5]);
      assert.equal(verifyProof(root, name, value, t1), false);

      const t2 = clone();
      const i = t2.leaves.findIndex(([kh]) => kh === toHex(name));
      t2.leaves[i][1] = flipHex(t2.leaves[i][1]);
      assert.equal(verifyProof(root, name, value, t2), false);

      // hiding the key to fake absence
      const t3 = clone();
      t3.leaves.splice(i, 1);
      assert.equal(verifyProof(root, name, undefined, t3), false);

      const t4 = clone();
      t4.leaves.reverse();
      if (t4.leaves.length > 1) assert.equal(verifyProof(root, name, value, t4), false);

      const badRoot = root.slice();
      badRoot[0] ^= 1;
      assert.equal(verifyProof(badRoot, name, value, p), false);
      assert.equal(verifyProof(root, name, value, {} as never), false);
      assert.equal(verifyProof(root, name, value, { bucket: p.bucket, leaves: 'x', siblings: [] } as never), false);
      assert.equal(verifyProof(root, name, value, { ...clone(), siblings: p.siblings.slice(1) }), false);
      assert.equal(verifyProof(root, name, value, p), true);
    });

    it('proof of the empty state', () => {
      const e = memoryStateStore();
      const { proof, root } = e.proveCommitted(utf8('x'));
      assert.equal(verifyProof(root, utf8('x'), undefined, proof), true);
    });
  });
});
