/** Check-state overlay (model-checked against a plain map) and the signature cache. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { memoryStateStore } from '../../../src/state/index.js';
import { Overlay } from '../../../src/app/overlay.js';
import { SigCache } from '../../../src/app/sigcache.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('app: Overlay', () => {
  it('reads, writes, deletes and iterates like the merged map (fast-check model)', async () => {
    const key = fc.uint8Array({ minLength: 1, maxLength: 3, max: 3 });
    const op = fc.oneof(
      fc.record({ k: fc.constant('set' as const), key, v: fc.uint8Array({ minLength: 1, maxLength: 2 }) }),
      fc.record({ k: fc.constant('del' as const), key }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 15 }), fc.array(op, { maxLength: 15 }), fc.boolean(), fc.uint8Array({ maxLength: 1, max: 3 }), async (base, top, reverse, prefix) => {
        const store = memoryStateStore();
        const model = new Map<string, string>();
        for (const o of base) {
          if (o.k === 'set') {
            store.working().set(o.key, o.v);
            model.set(hex(o.key), hex(o.v));
          } else {
            store.working().delete(o.key);
            model.delete(hex(o.key));
          }
        }
        await store.commit(1);
        const ov = new Overlay(store.committed());
        const inner = new Overlay(ov);
        for (const o of top) {
          if (o.k === 'set') {
            inner.set(o.key, o.v);
            model.set(hex(o.key), hex(o.v));
          } else {
            inner.delete(o.key);
            model.delete(hex(o.key));
          }
        }
        inner.write(); // fold into the middle overlay
        const want = [...model.entries()].filter(([k]) => k.startsWith(hex(prefix))).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        if (reverse) want.reverse();
        const got = [...ov.iterate(prefix, { reverse })].map(([k, v]) => [hex(k), hex(v)]);
        assert.deepEqual(got, want);
        for (const [k, v] of model) assert.equal(hex(ov.get(Buffer.from(k, 'hex'))!), v);
        assert.deepEqual([...ov.iterate(prefix, { reverse, limit: 2 })].length, Math.min(2, want.length));
      }),
      { numRuns: 200 },
    );
  });
});

describe('app: SigCache', () => {
  it('is a bounded LRU', () => {
    const c = new SigCache(2);
    c.markVerified('A');
    c.markVerified('B');
    assert.ok(c.has('A')); // A becomes most recent
    c.markVerified('C'); // evicts B
    assert.deepEqual([c.has('A'), c.has('B'), c.has('C'), c.size], [true, false, true, 2]);
  });
});
