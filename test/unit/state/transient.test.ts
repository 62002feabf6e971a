/**
 * Records that live only inside a block, against the plain definitions:
 *  - staging drops deletes of keys the committed state does not hold: the staged and committed
 *    roots and the committed contents equal those of a store that never saw those deletes, and
 *    a reopened LevelDB store rebuilds the same root;
 *  - `iterateDecoded` yields what `iterate` + `decode` yields, over nested overlays mixing
 *    bytes, records kept decoded and deletes; a record written as an object with the same codec
 *    comes back as that very object.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { iterateDecoded, memoryStateStore, openStateStore, utf8, type KVWriter, type ValueCodec } from '../../../src/state/index.js';
import type { StateStoreImpl } from '../../../src/state/index.js';
import { bytesToStr } from '../../../src/state/keys.js';
import { BucketTree } from '../../../src/state/merkle.js';
import { tempDir } from './helpers.js';

const key = (i: number): Uint8Array => utf8(`t/${i % 7}/${i}`);

type Op = { k: number; v: Uint8Array | null };
const opArb: fc.Arbitrary<Op> = fc.record({ k: fc.nat({ max: 60 }), v: fc.option(fc.uint8Array({ maxLength: 24 }), { freq: 3, nil: null }) });
/** One block: changes kept, and keys written then deleted again inside the block (or only deleted). */
const blockArb = fc.record({ ops: fc.array(opArb, { maxLength: 30 }), transient: fc.array(fc.nat({ max: 60 }), { maxLength: 20 }), viaCache: fc.boolean() });

function committedDump(st: StateStoreImpl): string[] {
  const out: string[] = [];
  for (const [k, v] of st.committed().iterate(new Uint8Array(0))) out.push(`${bytesToStr(k)}=${bytesToStr(v)}`);
  return out;
}

/** The committed contents a model map says there should be. */
function modelDump(model: Map<string, string>): string[] {
  return [...model].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k, v]) => `${k}=${v}`);
}

/**
 * Applies a block to two stores and a model: `plain` gets only its kept ops, `full` also the
 * in-block records.
 */
function apply(full: StateStoreImpl, plain: StateStoreImpl, b: { ops: Op[]; transient: number[]; viaCache: boolean }, model: Map<string, string>): void {
  const fw: KVWriter = b.viaCache ? full.cache() : full.working();
  const committed = full.committed();
  const plainW = plain.working();
  for (const op of b.ops) {
    for (const w of [fw, plainW]) {
      if (op.v === null) w.delete(key(op.k));
      else w.set(key(op.k), op.v);
    }
    if (op.v === null) model.delete(bytesToStr(key(op.k)));
    else model.set(bytesToStr(key(op.k)), bytesToStr(op.v));
  }
  // keys absent from the committed state and from this block's kept ops: written then deleted,
  // or deleted only (absent deletes); neither may change the hash or the committed contents
  const touched = new Set(b.ops.map((o) => o.k));
  for (const t of b.transient) {
    const k = utf8(`x/${t}`);
    if (committed.has(k) || touched.has(t)) continue;
    if (t % 2 === 0) fw.set(k, Uint8Array.of(t));
    fw.delete(k);
  }
  if (b.viaCache) (fw as ReturnType<StateStoreImpl['cache']>).write();
}

describe('state: records that live only inside a block', () => {
  it('deletes of absent keys change neither the staged nor the committed root, nor the contents', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(blockArb, { minLength: 1, maxLength: 6 }), async (blocks) => {
        const full = memoryStateStore();
        const plain = memoryStateStore();
        const model = new Map<string, string>();
        let h = 0;
        for (const b of blocks) {
          apply(full, plain, b, model);
          assert.deepEqual(full.computeHash(), plain.computeHash());
          h++;
          assert.deepEqual(await full.commit(h), await plain.commit(h));
          assert.deepEqual(committedDump(full), modelDump(model));
          assert.deepEqual(committedDump(plain), modelDump(model));
          // and the root is the one rebuilt from scratch from the committed contents
          const t = new BucketTree();
          for (const [k, v] of full.committed().iterate(new Uint8Array(0))) t.loadLeaf(bytesToStr(k), bytesToStr(v));
          t.finishLoad();
          assert.deepEqual(t.root, full.appHash);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a LevelDB store that dropped such deletes reopens to the same root and contents', async () => {
    const { dir, cleanup } = tempDir('transient');
    try {
      const plain = memoryStateStore();
      const model = new Map<string, string>();
      let st = await openStateStore(dir, { sync: false });
      const blocks = fc.sample(blockArb, { numRuns: 8, seed: 7 });
      for (let i = 0; i < blocks.length; i++) {
        apply(st, plain, blocks[i]!, model);
        await st.commit(i + 1);
        await plain.commit(i + 1);
      }
      await st.close();
      st = await openStateStore(dir, { sync: false });
      assert.deepEqual(st.appHash, plain.appHash);
      assert.deepEqual(committedDump(st), modelDump(model));
      await st.close();
    } finally {
      cleanup();
    }
  });
});

/** A record codec whose objects carry identity (for the same-object check). */
interface Rec {
  n: number;
}
const REC: ValueCodec<Rec> = {
  encode: (r) => Uint8Array.of(r.n >> 8, r.n & 0xff),
  decode: (b) => ({ n: (b[0]! << 8) | b[1]! }),
};
const OTHER: ValueCodec<Rec> = { encode: REC.encode, decode: REC.decode };

type W = { k: number; n: number; how: 'bytes' | 'decoded' | 'other' | 'delete' };
const wArb: fc.Arbitrary<W> = fc.record({
  k: fc.nat({ max: 40 }),
  n: fc.nat({ max: 65535 }),
  how: fc.constantFrom('bytes' as const, 'decoded' as const, 'other' as const, 'delete' as const),
});

describe('state: iterateDecoded', () => {
  it('equals iterate + decode over nested overlays; objects written with the codec come back as themselves', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(wArb, { maxLength: 30 }), fc.array(wArb, { maxLength: 30 }), fc.array(wArb, { maxLength: 30 }), async (base, work, tx) => {
        const st = memoryStateStore();
        const write = (w: KVWriter, ws: W[], objs: Map<string, Rec>) => {
          for (const x of ws) {
            const k = utf8(`r/${x.k}`);
            const id = bytesToStr(k);
            objs.delete(id);
            if (x.how === 'delete') w.delete(k);
            else if (x.how === 'bytes') w.set(k, REC.encode({ n: x.n }));
            else {
              const o = { n: x.n };
              w.setDecoded!(k, o, x.how === 'decoded' ? REC : OTHER);
              if (x.how === 'decoded') objs.set(id, o);
            }
          }
        };
        write(st.working(), base, new Map());
        await st.commit(1);
        const objs = new Map<string, Rec>();
        write(st.working(), work, objs);
        const cache = st.cache();
        write(cache, tx, objs);
        for (const view of [st.committed(), st.working(), cache]) {
          const plain = [...view.iterate(utf8('r/'))].map(([k, v]) => [bytesToStr(k), REC.decode(v).n] as const);
          const got = [...iterateDecoded(view, utf8('r/'), REC)];
          assert.deepEqual(
            got.map(([k, o]) => [bytesToStr(k), o.n] as const),
            plain,
          );
          if (view === cache) for (const [k, o] of got) if (objs.has(bytesToStr(k))) assert.equal(o, objs.get(bytesToStr(k)));
        }
        // the fallback for views without the method
        const bare = { get: cache.get.bind(cache), has: cache.has.bind(cache), iterate: cache.iterate.bind(cache) };
        assert.deepEqual(
          [...iterateDecoded(bare, utf8('r/'), REC)].map(([k, o]) => [bytesToStr(k), o.n]),
          [...cache.iterate(utf8('r/'))].map(([k, v]) => [bytesToStr(k), REC.decode(v).n]),
        );
      }),
      { numRuns: 200 },
    );
  });
});
