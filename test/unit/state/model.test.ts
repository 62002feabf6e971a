import assert from 'node:assert/strict';
import fc from 'fast-check';
import { memoryStateStore, compareBytes, toHex, fromHex, startsWith } from '../../../src/state/index.js';
import type { KVReader, KVWriter, CacheKV } from '../../../src/state/index.js';

/** Small alphabet (with bytes ≥ 0x80 to check unsigned order) so keys collide and share prefixes. */
const byteArb = fc.constantFrom(0, 1, 0x7f, 0x80, 0xff);
const keyArb = fc.array(byteArb, { minLength: 1, maxLength: 3 }).map((a) => Uint8Array.from(a));
const valArb = fc.uint8Array({ minLength: 0, maxLength: 4 });

type Op =
  | { t: 'set'; key: Uint8Array; val: Uint8Array }
  | { t: 'del'; key: Uint8Array }
  | { t: 'push' }
  | { t: 'write' }
  | { t: 'drop' }
  | { t: 'commit' }
  | { t: 'iter'; prefix: Uint8Array; reverse: boolean; start?: Uint8Array; limit?: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('set' as const), key: keyArb, val: valArb }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('del' as const), key: keyArb }) },
  { weight: 1, arbitrary: fc.constant({ t: 'push' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'write' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'drop' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'commit' as const }) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        t: fc.constant('iter' as const),
        prefix: fc.array(byteArb, { maxLength: 2 }).map((a) => Uint8Array.from(a)),
        reverse: fc.boolean(),
        start: keyArb,
        limit: fc.nat(6),
      },
      { requiredKeys: ['t', 'prefix', 'reverse'] },
    ),
  },
);

type Model = Map<string, Uint8Array>;

function modelIter(m: Model, prefix: Uint8Array, reverse: boolean, start?: Uint8Array, limit?: number): [string, string][] {
  let keys = [...m.keys()].map(fromHex).filter((key) => startsWith(key, prefix));
  keys.sort(compareBytes);
  if (reverse) keys.reverse();
  if (start) keys = keys.filter((key) => (reverse ? compareBytes(key, start) <= 0 : compareBytes(key, start) >= 0));
  if (limit !== undefined) keys = keys.slice(0, limit);
  return keys.map((key) => [toHex(key), toHex(m.get(toHex(key))!)]);
}

function viewIter(view: KVReader, prefix: Uint8Array, reverse: boolean, start?: Uint8Array, limit?: number): [string, string][] {
  return [...view.iterate(prefix, { reverse, start, limit })].map(([key, val]) => [toHex(key), toHex(val)]);
}

describe('state/model (fast-check)', () => {
  it('random op sequences with nested caches match a Map model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 120 }), async (ops) => {
        const st = memoryStateStore();
        // stack[0] = working view; models[i] = the full view state at level i
        const stack: KVWriter[] = [st.working()];
        const models: Model[] = [new Map()];
        let committedModel: Model = new Map();
        let height = 0;
        for (const op of ops) {
          const top = stack[stack.length - 1];
          const model = models[models.length - 1];
          switch (op.t) {
            case 'set':
              top.set(op.key, op.val);
              model.set(toHex(op.key), op.val);
              break;
            case 'del':
              top.delete(op.key);
              model.delete(toHex(op.key));
              break;
            case 'push':
              stack.push(st.cache(top));
              models.push(new Map(model));
              break;
            case 'write':
              if (stack.length > 1) {
                (stack.pop() as CacheKV).write();
                models.pop();
                models[models.length - 1] = model;
              }
              break;
            case 'drop':
              if (stack.length > 1) {
                stack.pop();
                models.pop();
              }
              break;
            case 'commit':
              stack.length = 1;
              models.length = 1;
              await st.commit(++height);
              committedModel = new Map(models[0]);
              break;
            case 'iter':
              assert.deepEqual(viewIter(top, op.prefix, op.reverse, op.start, op.limit), modelIter(model, op.prefix, op.reverse, op.start, op.limit));
              break;
          }
          const m = models[models.length - 1];
          const t = stack[stack.length - 1];
          for (const key of [Uint8Array.of(0), Uint8Array.of(1, 0x80), Uint8Array.of(0xff, 0xff, 0x7f)]) {
            assert.equal(t.get(key) === undefined ? undefined : toHex(t.get(key)!), m.has(toHex(key)) ? toHex(m.get(toHex(key))!) : undefined);
          }
        }
        assert.deepEqual(viewIter(stack[stack.length - 1], new Uint8Array(0), false), modelIter(models[models.length - 1], new Uint8Array(0), false));
        assert.deepEqual(viewIter(st.committed(), new Uint8Array(0), true), modelIter(committedModel, new Uint8Array(0), true));
      }),
      { numRuns: 300 },
    );
  });

  it('the app hash depends only on the final contents', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(keyArb, fc.option(valArb, { nil: undefined })), { maxLength: 60 }), fc.nat(), async (writes, split) => {
        const a = memoryStateStore();
        const final = new Map<string, Uint8Array>();
        // a: several blocks
        const cut = writes.length === 0 ? 0 : split % writes.length;
        let h = 0;
        for (const [i, [key, val]] of writes.entries()) {
          if (val === undefined) a.working().delete(key);
          else a.working().set(key, val);
          if (val === undefined) final.delete(toHex(key));
          else final.set(toHex(key), val);
          if (i === cut) await a.commit(++h);
        }
        await a.commit(++h);
        // b: final contents in one block, shuffled order
        const b = memoryStateStore();
        for (const [hex, val] of [...final.entries()].reverse()) b.working().set(fromHex(hex), val);
        await b.commit(1);
        assert.deepEqual(a.appHash, b.appHash);
      }),
      { numRuns: 200 },
    );
  });
});
