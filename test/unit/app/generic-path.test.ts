/**
 * Fast paths of the generic tx path, each model-checked against its plain definition: the
 * check overlay's chained `get` / `has` (including records kept decoded), the fee pool's BNB
 * slot, and the discarding event sink of check-mode txs.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { memoryStateStore } from '../../../src/state/index.js';
import type { KVReader, ValueCodec } from '../../../src/state/types.js';
import { Overlay } from '../../../src/app/overlay.js';
import { FeePool } from '../../../src/app/fees.js';
import { DiscardingEventSink } from '../../../src/app/context.js';
import { FeeFor, type FeeForValue } from '../../../src/modules/params/fees.js';
import { INT64_MAX } from '../../../src/codec/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A record kept decoded: `{ n }` ↔ one byte. Counts encodes, which `has` must not need. */
let encodes = 0;
const CODEC: ValueCodec<{ n: number }> = {
  encode: (o) => {
    encodes++;
    return Uint8Array.of(o.n);
  },
  decode: (b) => ({ n: b[0]! }),
};

describe('app: Overlay get/has through a chain of overlays', () => {
  it('answers like the merged map, on the committed view and on the working view (fast-check model)', async () => {
    const key = fc.uint8Array({ minLength: 1, maxLength: 2, max: 3 });
    const op = fc.oneof(
      fc.record({ k: fc.constant('set' as const), key, v: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ k: fc.constant('obj' as const), key, v: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ k: fc.constant('del' as const), key }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 12 }), fc.array(op, { maxLength: 12 }), fc.array(op, { maxLength: 12 }), fc.boolean(), async (base, mid, top, committed) => {
        const store = memoryStateStore();
        const model = new Map<string, number>();
        const apply = (w: { set(k: Uint8Array, v: Uint8Array): void; delete(k: Uint8Array): void; setDecoded?<T>(k: Uint8Array, v: T, c: ValueCodec<T>): void }, ops: typeof base) => {
          for (const o of ops) {
            if (o.k === 'del') {
              w.delete(o.key);
              model.delete(hex(o.key));
            } else {
              if (o.k === 'obj' && w.setDecoded) w.setDecoded(o.key, { n: o.v }, CODEC);
              else w.set(o.key, Uint8Array.of(o.v));
              model.set(hex(o.key), o.v);
            }
          }
        };
        apply(store.working(), base);
        let under: KVReader = store.working();
        if (committed) {
          await store.commit(1);
          under = store.committed();
        }
        const m = new Overlay(under);
        const t = new Overlay(m);
        apply(m, mid);
        apply(t, top);
        const keys = new Set([...base, ...mid, ...top].map((o) => hex(o.key)));
        keys.add('ff');
        for (const k of keys) {
          const kb = Buffer.from(k, 'hex');
          const want = model.get(k);
          const before = encodes;
          assert.equal(t.has(kb), want !== undefined);
          // (the store's own working view may encode on has: only the overlays are held to it)
          if (committed) assert.equal(encodes, before, 'has encoded a record');
          const got = t.get(kb);
          assert.equal(got === undefined ? undefined : hex(got), want === undefined ? undefined : hex(Uint8Array.of(want)));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('app: FeePool', () => {
  /** The plain definition: every denom in one map. */
  class ModelPool {
    amounts = new Map<string, bigint>();
    forAll = false;
    add(coins: { denom: string; amount: bigint }[], feeFor: FeeForValue): void {
      if (feeFor === FeeFor.Free) return;
      for (const c of coins) {
        if (c.amount <= 0n) continue;
        const s = (this.amounts.get(c.denom) ?? 0n) + c.amount;
        if (s > INT64_MAX) throw new Error('overflow');
        this.amounts.set(c.denom, s);
        if (feeFor === FeeFor.All) this.forAll = true;
      }
    }
    coins() {
      return [...this.amounts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([denom, amount]) => ({ denom, amount }));
    }
  }

  it('adds, lists, resets and overflows like one map of all denoms (fast-check model)', () => {
    const coin = fc.record({ denom: fc.constantFrom('BNB', 'AAA-000', 'ZZZ-111', 'BNB-123'), amount: fc.oneof(fc.bigInt({ min: -2n, max: 1000n }), fc.constant(INT64_MAX)) });
    const op = fc.oneof(
      fc.record({ k: fc.constant('add' as const), coins: fc.array(coin, { maxLength: 3 }), feeFor: fc.constantFrom(FeeFor.Free, FeeFor.Proposer, FeeFor.All) }),
      fc.record({ k: fc.constant('reset' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 20 }), (ops) => {
        const p = new FeePool();
        let m = new ModelPool();
        for (const o of ops) {
          if (o.k === 'reset') {
            p.reset();
            m = new ModelPool();
          } else {
            let threw = false;
            try {
              m.add(o.coins, o.feeFor);
            } catch {
              threw = true;
            }
            if (threw) {
              assert.throws(() => p.add(o.coins, o.feeFor), /overflows int64/);
              return; // a throwing add leaves an unspecified partial sum (the tx is discarded)
            }
            p.add(o.coins, o.feeFor);
          }
          assert.deepEqual(p.coins(), m.coins());
          assert.equal(p.isEmpty, m.amounts.size === 0);
          assert.equal(p.feeFor, m.forAll ? FeeFor.All : FeeFor.Proposer);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('app: DiscardingEventSink', () => {
  it('emits nothing; direct pushes still land', () => {
    const s = new DiscardingEventSink();
    s.emit('x', { a: '1' });
    s.emit('y', [['b', '2']]);
    assert.deepEqual(s.events, []);
    s.events.push({ type: 'z', attributes: [] });
    assert.equal(s.events.length, 1);
  });
});
