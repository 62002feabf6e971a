/**
 * The garbage cuts of issue 6: an Overlay keeps keys only as binary strings (start-bounded
 * iteration and write-out must still see the bytes), account keys come from a small shared
 * memo, and setAccount stores the caller's object (getAccount still hands out copies).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { memoryStateStore } from '../../../src/state/index.js';
import { Overlay } from '../../../src/app/overlay.js';
import { Bank } from '../../../src/modules/bank/keeper.js';
import { accountKey } from '../../../src/modules/bank/account.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('app: Overlay keys kept as strings', () => {
  it('iterates from a start key (both directions) and writes out to a store view like the model', async () => {
    const key = fc.uint8Array({ minLength: 1, maxLength: 3, max: 3 });
    const op = fc.oneof(
      fc.record({ k: fc.constant('set' as const), key, v: fc.uint8Array({ minLength: 1, maxLength: 2 }) }),
      fc.record({ k: fc.constant('del' as const), key }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 12 }), fc.array(op, { maxLength: 12 }), fc.boolean(), key, async (base, top, reverse, start) => {
        const store = memoryStateStore();
        const model = new Map<string, string>();
        for (const o of base) {
          if (o.k === 'set') store.working().set(o.key, o.v);
          else store.working().delete(o.key);
          if (o.k === 'set') model.set(hex(o.key), hex(o.v));
          else model.delete(hex(o.key));
        }
        await store.commit(1);
        const ov = new Overlay(store.working());
        for (const o of top) {
          const k = o.key.slice();
          if (o.k === 'set') ov.set(k, o.v);
          else ov.delete(k);
          k.fill(9); // the overlay must not depend on the caller's key buffer
          if (o.k === 'set') model.set(hex(o.key), hex(o.v));
          else model.delete(hex(o.key));
        }
        const s = hex(start);
        const want = [...model.entries()].filter(([k]) => (reverse ? k <= s : k >= s)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        if (reverse) want.reverse();
        const got = [...ov.iterate(new Uint8Array(0), { reverse, start })].map(([k, v]) => [hex(k), hex(v)]);
        assert.deepEqual(got, want);
        ov.write();
        assert.equal(ov.size, 0);
        const after = [...store.working().iterate(new Uint8Array(0))].map(([k, v]) => [hex(k), hex(v)]);
        assert.deepEqual(after, [...model.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      }),
      { numRuns: 150 },
    );
  });
});

describe('bank: account keys and ownership', () => {
  it('accountKey is acc/ ‖ address for any interleaving of addresses (memo included)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 40 }), (picks) => {
        const addrs = [...Array(7)].map((_, i) => new Uint8Array(20).fill(i + 1));
        for (const p of picks) {
          const a = addrs[p]!.slice();
          assert.equal(Buffer.from(accountKey(a)).toString('latin1'), 'acc/' + Buffer.from(a).toString('latin1'));
        }
      }),
    );
  });

  it('getAccount hands out copies; the stored object is the one set', () => {
    const store = memoryStateStore();
    const kv = store.working();
    const bank = new Bank();
    const addr = new Uint8Array(20).fill(7);
    bank.addCoins(kv, addr, [{ denom: 'BNB', amount: 5n }]);
    const a = bank.getAccount(kv, addr)!;
    a.sequence = 3n;
    assert.equal(bank.getAccount(kv, addr)!.sequence, 0n, 'a copy: changing it changes nothing until set');
    bank.setAccount(kv, a);
    const b = bank.getAccount(kv, addr)!;
    assert.equal(b.sequence, 3n);
    b.sequence = 9n;
    assert.equal(bank.getAccount(kv, addr)!.sequence, 3n);
  });
});
