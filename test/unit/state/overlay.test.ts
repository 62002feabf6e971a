import assert from 'node:assert/strict';
import { memoryStateStore, utf8 } from '../../../src/state/index.js';
import { ChainError } from '../../../src/errors.js';
import { k, v, s, entries } from './helpers.js';

describe('state/overlay', () => {
  it('working view reads its writes and hides deletes', async () => {
    const st = memoryStateStore();
    const w = st.working();
    w.set(k('a'), v('1'));
    w.set(k('b'), v('2'));
    await st.commit(1);
    w.delete(k('a'));
    w.set(k('c'), v('3'));
    assert.equal(w.get(k('a')), undefined);
    assert.equal(w.has(k('a')), false);
    assert.equal(s(w.get(k('b'))), '2');
    assert.equal(s(st.committed().get(k('a'))), '1');
    assert.equal(st.committed().get(k('c')), undefined);
    assert.deepEqual(entries(w), [['b', '2'], ['c', '3']]);
    assert.deepEqual(entries(st.committed()), [['a', '1'], ['b', '2']]);
  });

  it('nested caches fold into their parent on write and vanish when dropped', () => {
    const st = memoryStateStore();
    const w = st.working();
    w.set(k('x'), v('0'));
    const tx = st.cache();
    tx.set(k('x'), v('1'));
    const inner = st.cache(tx);
    inner.set(k('y'), v('2'));
    inner.delete(k('x'));
    assert.equal(tx.get(k('y')), undefined);
    assert.equal(s(tx.get(k('x'))), '1');
    assert.equal(inner.get(k('x')), undefined);
    assert.equal(inner.size, 2);
    inner.write();
    assert.equal(inner.size, 0);
    assert.equal(tx.get(k('x')), undefined);
    assert.equal(s(tx.get(k('y'))), '2');
    assert.equal(s(w.get(k('x'))), '0');
    const dropped = st.cache();
    dropped.set(k('z'), v('9'));
    dropped.discard();
    tx.write();
    assert.equal(w.get(k('x')), undefined);
    assert.equal(s(w.get(k('y'))), '2');
    assert.equal(w.get(k('z')), undefined);
  });

  it('iterates merged overlays in order, reverse, from start, with limit', async () => {
    const st = memoryStateStore();
    const w = st.working();
    for (const key of ['p/1', 'p/3', 'p/5', 'q/1', 'o/9']) w.set(k(key), v('c'));
    await st.commit(1);
    w.set(k('p/2'), v('w'));
    w.delete(k('p/3'));
    const c = st.cache();
    c.set(k('p/4'), v('t'));
    c.set(k('p/5'), v('t'));
    c.delete(k('p/2'));
    assert.deepEqual(entries(c, 'p/'), [['p/1', 'c'], ['p/4', 't'], ['p/5', 't']]);
    assert.deepEqual(entries(c, 'p/', { reverse: true }), [['p/5', 't'], ['p/4', 't'], ['p/1', 'c']]);
    assert.deepEqual(entries(c, 'p/', { start: 'p/2' }), [['p/4', 't'], ['p/5', 't']]);
    assert.deepEqual(entries(c, 'p/', { start: 'p/4', reverse: true }), [['p/4', 't'], ['p/1', 'c']]);
    assert.deepEqual(entries(c, 'p/', { start: 'p/3', reverse: true }), [['p/1', 'c']]);
    assert.deepEqual(entries(c, 'p/', { limit: 2 }), [['p/1', 'c'], ['p/4', 't']]);
    assert.deepEqual(entries(c, 'p/', { limit: 0 }), []);
    assert.deepEqual(entries(c, 'p/', { start: 'a' }), entries(c, 'p/'));
    assert.deepEqual(entries(c, 'p/', { start: 'z' }), []);
    assert.deepEqual(entries(c, 'p/', { start: 'z', reverse: true }), entries(c, 'p/', { reverse: true }));
    assert.deepEqual(entries(c, 'p/', { start: 'a', reverse: true }), []);
    assert.deepEqual(entries(w, 'p/'), [['p/1', 'c'], ['p/2', 'w'], ['p/5', 'c']]);
    assert.deepEqual(
      entries(c).map((e) => e[0]),
      ['o/9', 'p/1', 'p/4', 'p/5', 'q/1'],
    );
  });

  it('handles prefix 0xff… (no upper bound) and binary keys', () => {
    const st = memoryStateStore();
    const w = st.working();
    w.set(Uint8Array.of(0xff, 0xff, 1), v('a'));
    w.set(Uint8Array.of(0xff, 0xfe), v('b'));
    w.set(Uint8Array.of(0xff), v('c'));
    const got = [...w.iterate(Uint8Array.of(0xff, 0xff))].map(([key]) => [...key]);
    assert.deepEqual(got, [[0xff, 0xff, 1]]);
    assert.equal([...w.iterate(Uint8Array.of(0xff))].length, 3);
  });

  it('allows deleting and inserting while iterating', async () => {
    const st = memoryStateStore();
    const w = st.working();
    for (let i = 0; i < 50; i++) w.set(k(`o/${String(i).padStart(3, '0')}`), v(String(i)));
    await st.commit(1);
    const c = st.cache();
    const seen: string[] = [];
    for (const [key, val] of c.iterate(k('o/'))) {
      const name = s(key)!;
      seen.push(name);
      const i = Number(s(val));
      c.delete(key);
      if (i % 2 === 0) c.delete(k(`o/${String(i + 1).padStart(3, '0')}`)); // delete the next one ahead of the cursor
      if (i === 10) c.set(k('o/0105'), v('new')); // insert ahead of the cursor
    }
    const expected: string[] = [];
    for (let i = 0; i < 50; i += 2) {
      expected.push(`o/${String(i).padStart(3, '0')}`);
      if (i === 10) expected.push('o/0105');
    }
    assert.deepEqual(seen.sort(), expected.sort());
    assert.deepEqual(entries(c, 'o/'), []);
  });

  it('guard rails: wrong types, sizes, stale caches', async () => {
    const st = memoryStateStore({ maxKeyBytes: 8, maxValueBytes: 16 });
    const w = st.working();
    assert.throws(() => w.set('a' as unknown as Uint8Array, v('1')), TypeError);
    assert.throws(() => w.set(k('a'), 'x' as unknown as Uint8Array), TypeError);
    assert.throws(() => w.set(k('a'), undefined as unknown as Uint8Array), TypeError);
    assert.throws(() => w.get(42 as unknown as Uint8Array), TypeError);
    assert.throws(() => w.set(k('123456789'), v('1')), ChainError);
    assert.throws(() => w.set(k('a'), new Uint8Array(17)), ChainError);
    assert.throws(() => w.set(new Uint8Array(0), v('1')), ChainError);
    const c = st.cache();
    c.set(k('a'), v('1'));
    await st.commit(1);
    assert.throws(() => c.write(), /committed or rolled back/);
    assert.throws(() => c.get(k('a')), /committed or rolled back/);
    assert.equal(st.committed().get(k('a')), undefined);
    const c2 = st.cache();
    st.rollback();
    assert.throws(() => c2.set(k('a'), v('1')), /committed or rolled back/);
    assert.throws(() => st.cache(st.committed() as never), TypeError);
    await assert.rejects(st.commit(1), /above the last committed height/);
  });

  it('refuses writes to the working view while a commit is in flight', async () => {
    const st = memoryStateStore();
    const w = st.working();
    w.set(k('a'), v('1'));
    const p = st.commit(1);
    assert.throws(() => w.set(k('b'), v('2')), /commit is in flight/);
    await p;
    w.set(k('b'), v('2'));
    assert.equal(s(w.get(k('a'))), '1');
  });

  it('copies keys and values on set', () => {
    const st = memoryStateStore();
    const w = st.working();
    const key = utf8('key');
    const val = utf8('val');
    w.set(key, val);
    key[0] = 0;
    val[0] = 0;
    assert.equal(s(w.get(utf8('key'))), 'val');
  });
});

describe('state/overlay with Buffer inputs', () => {
  it('does not alias a Buffer key or prefix', () => {
    const st = memoryStateStore();
    const key = Buffer.from('abc');
    st.working().set(key, Buffer.from('v'));
    key[0] = 0x7a;
    assert.equal(s(st.working().get(utf8('abc'))), 'v');
    const prefix = Buffer.from([1, 2]);
    [...st.working().iterate(prefix)];
    assert.deepEqual([...prefix], [1, 2]);
  });
});
