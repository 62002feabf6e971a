import assert from 'node:assert/strict';
import { VoteSet } from '../../../src/consensus/vote-set.js';
import { CommitFlag, VoteType } from '../../../src/consensus/types.js';
import { CHAIN, key, makeSet, signedVote } from './helpers.js';

const keys = [0, 1, 2, 3].map(key);
const set = makeSet(keys, [1, 1, 1, 1]);
const B = { hash: new Uint8Array(32).fill(7) };
const C = { hash: new Uint8Array(32).fill(8) };
const NIL = { hash: new Uint8Array(0) };
const vote = (i: number, id = B, round = 0, type: 1 | 2 = VoteType.Prevote) => signedVote(keys[i]!, set, type, 1, round, id);

describe('consensus/vote-set', () => {
  it('+2/3 for a block needs more than 2/3 of the power; +1/3 any and +2/3 any', () => {
    const vs = new VoteSet(CHAIN, 1, 0, VoteType.Prevote, set);
    assert.equal(vs.addVote(vote(0)).status, 'added');
    assert.equal(vs.hasOneThirdAny(), false);
    assert.equal(vs.addVote(vote(1, NIL)).status, 'added');
    assert.equal(vs.hasOneThirdAny(), true);
    assert.equal(vs.hasTwoThirdsAny(), false);
    assert.equal(vs.addVote(vote(2)).status, 'added');
    assert.equal(vs.hasTwoThirdsAny(), true);
    assert.equal(vs.twoThirdsMajority(), undefined);
    assert.equal(vs.addVote(vote(3)).status, 'added');
    assert.deepEqual(vs.twoThirdsMajority(), B);
  });

  it('+2/3 for nil is reported as an empty block id', () => {
    const vs = new VoteSet(CHAIN, 1, 0, VoteType.Prevote, set);
    for (const i of [0, 1, 2]) vs.addVote(vote(i, NIL));
    assert.deepEqual(vs.twoThirdsMajority(), NIL);
  });

  it('rejects wrong height/round/type, unknown validators and bad signatures', () => {
    const vs = new VoteSet(CHAIN, 1, 0, VoteType.Prevote, set);
    assert.equal(vs.addVote(vote(0, B, 1)).status, 'invalid');
    assert.equal(vs.addVote(vote(0, B, 0, VoteType.Precommit)).status, 'invalid');
    assert.equal(vs.addVote({ ...vote(0), height: 2 }).status, 'invalid');
    const bad = vote(1);
    bad.signature = bad.signature.slice();
    bad.signature[0] ^= 1;
    assert.equal(vs.addVote(bad).status, 'invalid');
    const outsider = key(9);
    assert.equal(vs.addVote({ ...vote(2), validatorAddress: outsider.address }).status, 'invalid');
    assert.equal(vs.addVote({ ...vote(2), validatorIndex: 7 }).status, 'invalid');
    assert.equal(vs.allVotes().length, 0);
  });

  it('a conflicting vote yields evidence and is not counted; repeats are duplicates', () => {
    const vs = new VoteSet(CHAIN, 1, 0, VoteType.Prevote, set);
    vs.addVote(vote(0, B));
    assert.equal(vs.addVote(vote(0, B)).status, 'duplicate');
    const r = vs.addVote(vote(0, C), 99);
    assert.equal(r.status, 'conflict');
    if (r.status !== 'conflict') return;
    assert.deepEqual(r.evidence.voteA.blockId, B);
    assert.deepEqual(r.evidence.voteB.blockId, C);
    assert.equal(r.evidence.totalVotingPower, 4n);
    assert.equal(r.evidence.validatorPower, 1n);
    assert.equal(r.evidence.timeMs, 99);
    vs.addVote(vote(1, C));
    vs.addVote(vote(2, C));
    assert.equal(vs.twoThirdsMajority(), undefined, 'the equivocator counts once, for B');
  });

  it('makeCommit: Commit/Nil/Absent in set order', () => {
    const vs = new VoteSet(CHAIN, 1, 0, VoteType.Precommit, set);
    assert.throws(() => vs.makeCommit());
    for (const i of [0, 1, 2]) vs.addVote(vote(i, B, 0, VoteType.Precommit));
    vs.addVote(vote(3, NIL, 0, VoteType.Precommit));
    const c = vs.makeCommit();
    assert.equal(c.signatures.length, 4);
    const flags = c.signatures.map((s) => s.flag);
    assert.equal(flags.filter((f) => f === CommitFlag.Commit).length, 3);
    assert.equal(flags.filter((f) => f === CommitFlag.Nil).length, 1);
    set.verifyCommit(CHAIN, B, 1, c);
    assert.throws(() => set.verifyCommit(CHAIN, C, 1, c), /another block/);
    const forged = structuredClone(c);
    forged.signatures[0]!.signature[5] ^= 1;
    assert.throws(() => set.verifyCommit(CHAIN, B, 1, forged), /invalid signature/);
    const weak = structuredClone(c);
    weak.signatures[0] = { flag: CommitFlag.Absent, validatorAddress: new Uint8Array(0), timeMs: 0, signature: new Uint8Array(0) };
    weak.signatures[1] = { ...weak.signatures[0] };
    assert.throws(() => set.verifyCommit(CHAIN, B, 1, weak), /insufficient/);
  });
});

describe('consensus/vote-set claims (peer maj23)', () => {
  it('a conflicting vote counts for a claimed block, and makeCommit uses it', () => {
    const vs = new VoteSet(CHAIN, 1, 0, VoteType.Precommit, set);
    vs.addVote(vote(0, NIL, 0, VoteType.Precommit)); // the equivocator's other vote arrived first
    vs.addVote(vote(1, B, 0, VoteType.Precommit));
    vs.addVote(vote(2, B, 0, VoteType.Precommit));
    assert.equal(vs.twoThirdsMajority(), undefined);
    vs.claim(B);
    const r = vs.addVote(vote(0, B, 0, VoteType.Precommit));
    assert.equal(r.status, 'conflict', 'still reported as evidence');
    assert.deepEqual(vs.twoThirdsMajority(), B);
    const c = vs.makeCommit();
    set.verifyCommit(CHAIN, B, 1, c);
    assert.equal(c.signatures.filter((s) => s.flag === CommitFlag.Commit).length, 3);
  });
});
