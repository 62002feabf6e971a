import assert from 'node:assert/strict';
import { ValidatorSet } from '../../../src/consensus/validator-set.js';
import type { Validator } from '../../../src/consensus/types.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const v = (addr: Uint8Array, power: number, prio = 0): Validator => ({
  address: addr,
  pubKey: new Uint8Array(32),
  votingPower: BigInt(power),
  proposerPriority: BigInt(prio),
});

describe('consensus/validator-set proposer selection (CometBFT vectors)', () => {
  it('TestProposerSelection1: foo 1000, bar 300, baz 330 → the documented 99-step order', () => {
    const set = ValidatorSet.create([v(enc('foo'), 1000), v(enc('bar'), 300), v(enc('baz'), 330)]);
    const got: string[] = [];
    for (let i = 0; i < 99; i++) {
      got.push(dec(set.getProposer()!.address));
      set.incrementProposerPriority(1);
    }
    const expected =
      'foo baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo foo bar' +
      ' foo foo baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo foo bar' +
      ' foo baz foo foo bar foo baz foo foo bar foo baz foo foo foo baz bar foo foo foo baz' +
      ' foo bar foo foo baz foo bar foo foo baz foo bar foo foo baz foo bar foo foo baz foo' +
      ' foo bar foo baz foo foo bar foo baz foo foo bar foo baz foo foo';
    assert.equal(got.join(' '), expected);
  });

  const a = (n: number): Uint8Array => {
    const b = new Uint8Array(20);
    b[19] = n;
    return b;
  };

  it('TestProposerSelection2: equal power goes in address order; 400 vs 100s; 401 proposes twice', () => {
    let set = ValidatorSet.create([v(a(0), 100), v(a(1), 100), v(a(2), 100)]);
    for (let i = 0; i < 15; i++) {
      assert.equal(set.getProposer()!.address[19], i % 3);
      set.incrementProposerPriority(1);
    }
    set = ValidatorSet.create([v(a(0), 100), v(a(1), 100), v(a(2), 400)]);
    assert.equal(set.getProposer()!.address[19], 2);
    set.incrementProposerPriority(1);
    assert.equal(set.getProposer()!.address[19], 0);
    set = ValidatorSet.create([v(a(0), 100), v(a(1), 100), v(a(2), 401)]);
    assert.equal(set.getProposer()!.address[19], 2);
    set.incrementProposerPriority(1);
    assert.equal(set.getProposer()!.address[19], 2);
    set.incrementProposerPriority(1);
    assert.equal(set.getProposer()!.address[19], 0);
  });

  it('proposes proportionally to power (4,5,3 over 120 rounds → 40,50,30)', () => {
    const set = ValidatorSet.create([v(a(0), 4), v(a(1), 5), v(a(2), 3)]);
    const count = [0, 0, 0];
    for (let i = 0; i < 120; i++) {
      count[set.getProposer()!.address[19]!]!++;
      set.incrementProposerPriority(1);
    }
    assert.deepEqual(count, [40, 50, 30]);
  });

  it('powers 1,2,3: the well-known order over one cycle', () => {
    // Worked by hand from the algorithm: priorities after each step (p1,p2,p3):
    // (1,2,-3) p3 · (2,-2,0) p2 · (3,0,3)→tie, lower address p1 → (-3,0,3) · (-2,2,0) p3 ·
    // (-1,-2,3) p2 · (0,0,0) p3. Each validator proposes power-many times per 6 rounds.
    const set = ValidatorSet.create([v(a(1), 1), v(a(2), 2), v(a(3), 3)]);
    const got: number[] = [];
    for (let i = 0; i < 6; i++) {
      got.push(set.getProposer()!.address[19]!);
      set.incrementProposerPriority(1);
    }
    assert.deepEqual(got, [3, 2, 1, 3, 2, 3]);
  });

  it('TestAveragingInIncrementProposerPriorityWithVotingPower: exact priorities (10,1,1)', () => {
    const base = (): ValidatorSet => ValidatorSet.fromState([v(new Uint8Array([0]), 10), v(new Uint8Array([1]), 1), v(new Uint8Array([2]), 1)]);
    const total = 12;
    const cases: [number, number[], number][] = [
      [1, [10 - total, 1, 1], 0],
      [2, [2 * (10 - total), 2, 2], 0],
      [3, [3 * (10 - total), 3, 3], 0],
      [4, [4 * (10 - total), 4, 4], 0],
      [5, [4 * (10 - total) + 10, 5 - total, 5], 1],
      [6, [6 * 10 - 5 * total, 6 - total, 6], 0],
      [7, [7 * 10 - 6 * total, 7 - total, 7], 0],
      [8, [8 * 10 - 7 * total, 8 - total, 8], 0],
      [9, [9 * 10 - 7 * total, 9 - total, 9 - total], 2],
      [10, [10 * 10 - 8 * total, 10 - total, 10 - total], 0],
      [11, [11 * 10 - 9 * total, 11 - total, 11 - total], 0],
    ];
    for (const [times, prios, proposer] of cases) {
      const s = base();
      s.incrementProposerPriority(times);
      assert.equal(s.getProposer()!.address[0], proposer, `times=${times}`);
      assert.deepEqual(s.validators.map((x) => Number(x.proposerPriority)), prios, `times=${times}`);
    }
  });

  it('averaging: priorities are centred (floored average) before incrementing', () => {
    const s = ValidatorSet.fromState([v(enc('a'), 1, 100), v(enc('b'), 1, -10), v(enc('c'), 1, 1)]);
    // fromState sorts by power then address; equal powers → a, b, c
    s.rescalePriorities(1n << 40n);
    const c = s.copy();
    c.incrementProposerPriority(1);
    const sum = c.validators.reduce((acc, x) => acc + x.proposerPriority, 0n);
    assert.ok(sum >= -3n && sum <= 3n);
    // negative average floors like Go's big.Int Div
    const n = ValidatorSet.fromState([v(enc('a'), 1, -1), v(enc('b'), 1, 0)]);
    n.incrementProposerPriority(1);
    // avg = floor(-1/2) = -1 → priorities 0, 1 then +1 each → 1, 2; b (2) proposes → 2-2 = 0
    assert.deepEqual(n.validators.map((x) => x.proposerPriority), [1n, 0n]);
  });

  it('rescales when the spread exceeds 2*total', () => {
    const s = ValidatorSet.fromState([v(enc('a'), 1, 1000), v(enc('b'), 1, -1000)]);
    s.rescalePriorities(4n);
    // diff 2000, ratio ceil(2000/4)=500 → 2, -2
    assert.deepEqual(s.validators.map((x) => x.proposerPriority), [2n, -2n]);
  });

  it('index order is power desc then address; update adds (at -1.125 total), changes and removes', () => {
    const s = ValidatorSet.create([v(a(3), 10), v(a(1), 10), v(a(2), 30)]);
    assert.deepEqual(s.validators.map((x) => x.address[19]), [2, 1, 3]);
    assert.equal(s.totalVotingPower(), 50n);
    const h0 = s.hash();
    s.update([{ address: a(4), pubKey: new Uint8Array(32), votingPower: 50n }, { address: a(1), pubKey: new Uint8Array(32), votingPower: 0n }]);
    assert.deepEqual(s.validators.map((x) => x.address[19]), [4, 2, 3]);
    assert.equal(s.totalVotingPower(), 90n);
    assert.notDeepEqual(s.hash(), h0);
    // the newcomer starts well behind the others
    const newcomer = s.getByAddress(a(4))!.validator;
    for (const x of s.validators) if (x !== s.validators[0]) assert.ok(newcomer.proposerPriority <= x.proposerPriority);
    assert.throws(() => s.update([{ address: a(9), pubKey: new Uint8Array(32), votingPower: 0n }]), /unknown validator/);
    assert.throws(() => s.update([{ address: a(2), pubKey: new Uint8Array(32), votingPower: -1n }]), /negative/);
    assert.throws(
      () => s.update([{ address: a(2), pubKey: new Uint8Array(32), votingPower: 0n }, { address: a(3), pubKey: new Uint8Array(32), votingPower: 0n }, { address: a(4), pubKey: new Uint8Array(32), votingPower: 0n }]),
      /empty/,
    );
    assert.equal(s.size, 3, 'failed update leaves the set untouched');
  });

  it('hash ignores priorities and input order', () => {
    const x = ValidatorSet.create([v(a(1), 5), v(a(2), 7)]);
    const y = ValidatorSet.create([v(a(2), 7), v(a(1), 5)]);
    y.incrementProposerPriority(3);
    assert.deepEqual(x.hash(), y.hash());
  });

  it('copy is independent', () => {
    const x = ValidatorSet.create([v(a(1), 5), v(a(2), 7)]);
    const c = x.copy();
    c.incrementProposerPriority(5);
    assert.notDeepEqual(
      x.validators.map((q) => q.proposerPriority),
      c.validators.map((q) => q.proposerPriority),
    );
  });
});
