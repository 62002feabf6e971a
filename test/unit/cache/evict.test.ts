import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { makeRoom } from '../../../src/cache/evict.js';

describe('cache/evict makeRoom', () => {
  it('keeps a cache at or below capacity and always drops the oldest entries first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 2000 }), (cap, keys) => {
        const m = new Map<number, number>();
        const order: number[] = []; // model: insertion order of live keys
        for (const k of keys) {
          if (m.has(k)) continue;
          makeRoom(m, cap);
          m.set(k, k);
          order.push(k);
          assert.ok(m.size <= cap, `size ${m.size} over capacity ${cap}`);
          // the live keys are a suffix of the model's insertion order
          const live = [...m.keys()];
          assert.deepEqual(live, order.slice(order.length - live.length));
        }
      }),
    );
  });

  it('does nothing below capacity and works for Sets', () => {
    const s = new Set(['a', 'b']);
    makeRoom(s, 3);
    assert.deepEqual([...s], ['a', 'b']);
    makeRoom(s, 2);
    assert.deepEqual([...s], ['b']);
    const big = new Set(Array.from({ length: 1600 }, (_, i) => i));
    makeRoom(big, 1600);
    assert.equal(big.size, 1500); // a sixteenth at once
    assert.ok(!big.has(99) && big.has(100));
  });
});
