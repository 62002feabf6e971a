import assert from 'node:assert/strict';
import { ConsensusCore, type ConsensusAction } from '../../../src/consensus/state-machine.js';
import { GuardedSigner, INITIAL_SIGNER_STATE } from '../../../src/consensus/signer.js';
import { emptyCommit, headerHash } from '../../../src/consensus/block.js';
import { bytesEqual } from '../../../src/consensus/crypto-adapter.js';
import { VoteType, type Block, type BlockId, type Vote } from '../../../src/consensus/types.js';
import { CHAIN, key, makeBlock, makeSet, signedProposal, signedVote, type Key } from './helpers.js';

// Three heavy validators and us (power 1): we are never among the first proposers, and
// any two heavy validators plus us make +2/3 (21 of 31).
const keys = [0, 1, 2, 3].map(key);
const me = keys[3]!;
const set = makeSet(keys, [10, 10, 10, 1]);
const NIL: BlockId = { hash: new Uint8Array(0) };

function setup(opts: { observer?: boolean } = {}) {
  const signer = opts.observer ? undefined : new GuardedSigner(me.priv, INITIAL_SIGNER_STATE, () => {});
  const core = new ConsensusCore({ chainId: CHAIN, signer, timeouts: { commitMs: 0 } });
  const start = core.handle({ type: 'start', height: 1, lastCommit: emptyCommit(), state: { validators: set }, nowMs: 0 });
  const keyOf = (addr: Uint8Array): Key => keys.find((k) => bytesEqual(k.address, addr))!;
  const proposer = (r: number): Key => keyOf(core.proposerAddress(r)!);
  return { core, start, proposer };
}

const votesOut = (acts: ConsensusAction[], type: number): Vote[] =>
  acts.flatMap((a) => (a.type === 'broadcast_vote' && a.vote.type === type ? [a.vote] : []));
const hashOf = (b: Block): BlockId => ({ hash: headerHash(b.header) });

describe('consensus/state-machine', () => {
  it('happy path: prevote the proposal, lock on +2/3 prevotes, commit on +2/3 precommits', () => {
    const { core, start, proposer } = setup();
    assert.ok(start.some((a) => a.type === 'schedule_timeout' && a.step === 'propose' && a.durationMs === 3000));
    assert.ok(!bytesEqual(proposer(0).address, me.address));
    const block = makeBlock(1, proposer(0).address, [new Uint8Array([1])]);
    const acts = core.handle({ type: 'proposal', proposal: signedProposal(proposer(0), 1, 0, -1, block), block });
    const pv = votesOut(acts, VoteType.Prevote);
    assert.equal(pv.length, 1);
    assert.deepEqual(pv[0]!.blockId, hashOf(block));
    // the WAL entry for our vote comes before its broadcast
    const wi = acts.findIndex((a) => a.type === 'wal_write' && a.entry.kind === 'vote' && a.entry.own && a.sync);
    const bi = acts.findIndex((a) => a.type === 'broadcast_vote');
    assert.ok(wi >= 0 && wi < bi);
    let out: ConsensusAction[] = [];
    for (const k of keys.slice(0, 2)) out.push(...core.handle({ type: 'vote', vote: signedVote(k, set, VoteType.Prevote, 1, 0, hashOf(block)) }));
    assert.deepEqual(votesOut(out, VoteType.Precommit)[0]!.blockId, hashOf(block));
    assert.equal(core.roundState().lockedRound, 0);
    assert.equal(core.roundState().validRound, 0);
    out = [];
    for (const k of keys.slice(0, 2)) out.push(...core.handle({ type: 'vote', vote: signedVote(k, set, VoteType.Precommit, 1, 0, hashOf(block)) }));
    const commit = out.find((a) => a.type === 'commit');
    assert.ok(commit && commit.type === 'commit');
    assert.deepEqual(commit.block, block);
    set.verifyCommit(CHAIN, hashOf(block), 1, commit.commit);
  });

  it('locked on round 0: prevotes nil for another block in round 1, relocks when round 1 polkas that block', () => {
    const { core, proposer } = setup();
    const B = makeBlock(1, proposer(0).address, [new Uint8Array([1])]);
    core.handle({ type: 'proposal', proposal: signedProposal(proposer(0), 1, 0, -1, B), block: B });
    for (const k of keys.slice(0, 2)) core.handle({ type: 'vote', vote: signedVote(k, set, VoteType.Prevote, 1, 0, hashOf(B)) });
    assert.equal(core.roundState().lockedRound, 0);
    // nobody else precommits B: +2/3 precommits (any) then the precommit timeout → round 1
    let out: ConsensusAction[] = [];
    for (const k of keys.slice(0, 2)) out.push(...core.handle({ type: 'vote', vote: signedVote(k, set, VoteType.Precommit, 1, 0, NIL) }));
    assert.ok(out.some((a) => a.type === 'schedule_timeout' && a.step === 'precommit' && a.round === 0));
    out = core.handle({ type: 'timeout', height: 1, round: 0, step: 'precommit' });
    assert.equal(core.roundState().round, 1);
    assert.ok(out.some((a) => a.type === 'schedule_timeout' && a.step === 'propose' && a.durationMs === 3500), 'timeouts grow per round');
    // round 1: a different block C with no POL → we stay locked on B and prevote nil
    const C = makeBlock(1, proposer(1).address, [new Uint8Array([2])]);
    out = core.handle({ type: 'proposal', proposal: signedProposal(proposer(1), 1, 1, -1, C), block: C });
    assert.deepEqual(votesOut(out, VoteType.Prevote)[0]!.blockId, NIL);
    // the others prevote C in round 1: +2/3 prevotes for this round's proposal while we are in the
    // prevote step (L36) → lock on C at round 1 and precommit C, although we prevoted nil.
    out = [];
    for (const k of keys.slice(0, 3)) out.push(...core.handle({ type: 'vote', vote: signedVote(k, set, VoteType.Prevote, 1, 1, hashOf(C)) }));
    assert.deepEqual(votesOut(out, VoteType.Precommit)[0]!.blockId, hashOf(C));
    assert.equal(core.roundState().lockedRound, 1);
    assert.deepEqual(core.roundState().lockedBlockHash, hashOf(C).hash);
  });

  it('L55 skips to a round with +1/3 of the power; a lock from round 0 rejects a new block proposed without a POL', () => {
    const { core, proposer } = setup();
    const B = makeBlock(1, proposer(0).address, [new Uint8Array([1])]);
    const C = makeBlock(1, proposer(1).address, [new Uint8Array([2])]);
    core.handle({ type: 'proposal', proposal: signedProposal(proposer(0), 1, 0, -1, B), block: B });
    for (const k of keys.slice(0, 2)) core.handle({ type: 'vote', vote: signedVote(k, set, VoteType.Prevote, 1, 0, hashOf(B)) });
    assert.equal(core.roundState().lockedRound, 0);
    // we miss round 1 entirely; the others polka C in round 1 (we learn it late)
    for (const k of keys.slice(0, 3)) core.handle({ type: 'vote', vote: signedVote(k, set, VoteType.Prevote, 1, 1, hashOf(C)) });
    // +1/3 of round-2 messages → skip to round 2 (L55)
    core.handle({ type: 'vote', vote: signedVote(keys[0]!, set, VoteType.Prevote, 1, 2, NIL) });
    assert.equal(core.roundState().round, 1, 'one heavy validator (10 of 31) is not more than 1/3');
    core.handle({ type: 'vote', vote: signedVote(keys[1]!, set, VoteType.Prevote, 1, 2, NIL) });
    assert.equal(core.roundState().round, 2);
    // without a POL, a lock from round 0 keeps us on nil for C
    const noPol = core.handle({ type: 'proposal', proposal: signedProposal(proposer(2), 1, 2, -1, C), block: C });
    assert.deepEqual(votesOut(noPol, VoteType.Prevote)[0]?.blockId ?? NIL, NIL);
  });

  it('POL rule (L28) accepts the re-proposal when lockedRound <= polRound', () => {
    const { core, proposer } = setup();
    const B = makeBlock(1, proposer(0).address, [new Uint8Array([1])]);
    const C = makeBlock(1, proposer(1).address, [new Uint8Array([2])]);
    core.handle({ type: 'proposal', proposal: signedProposal(proposer(0), 1, 0, -1, B), block: B });
    for (const k of keys.slice(0, 2)) core.handle({ type: 'vote', vote: signedVote(k, set, VoteType.Prevote, 1, 0, hashOf(B)) });
    for (const k of keys.slice(0, 3)) core.handle({ type: 'vote', vote: signedVote(k, set, VoteType.Prevote, 1, 1, hashOf(C)) });
    for (const k of keys.slice(0, 2)) core.handle({ type: 'vote', vote: signedVote(k, set, VoteType.Prevote, 1, 2, NIL) });
    assert.equal(core.roundState().round, 2);
    const out = core.handle({ type: 'proposal', proposal: signedProposal(proposer(2), 1, 2, 1, C), block: C });
    assert.deepEqual(votesOut(out, VoteType.Prevote)[0]!.blockId, hashOf(C));
  });

  it('commits on +2/3 precommits of an earlier round (L49) and stale timeouts are dropped', () => {
    const { core, proposer } = setup();
    const B = makeBlock(1, proposer(0).address);
    core.handle({ type: 'timeout', height: 1, round: 0, step: 'propose' });
    core.handle({ type: 'timeout', height: 1, round: 0, step: 'prevote' });
    core.handle({ type: 'timeout', height: 1, round: 0, step: 'precommit' });
    assert.equal(core.roundState().round, 1);
    assert.deepEqual(core.handle({ type: 'timeout', height: 1, round: 0, step: 'precommit' }), []);
    assert.deepEqual(core.handle({ type: 'timeout', height: 7, round: 1, step: 'propose' }), []);
    core.handle({ type: 'proposal', proposal: signedProposal(proposer(0), 1, 0, -1, B), block: B });
    let out: ConsensusAction[] = [];
    for (const k of keys.slice(0, 3)) out.push(...core.handle({ type: 'vote', vote: signedVote(k, set, VoteType.Precommit, 1, 0, hashOf(B)) }));
    assert.ok(out.some((a) => a.type === 'commit'));
    out = core.handle({ type: 'vote', vote: signedVote(keys[0]!, set, VoteType.Prevote, 1, 3, NIL) });
    assert.deepEqual(out, [], 'nothing after the decision');
  });

  it('an observer follows and commits without signing', () => {
    const { core, proposer } = setup({ observer: true });
    const B = makeBlock(1, proposer(0).address);
    let out = core.handle({ type: 'proposal', proposal: signedProposal(proposer(0), 1, 0, -1, B), block: B });
    for (const k of keys.slice(0, 3)) out.push(...core.handle({ type: 'vote', vote: signedVote(k, set, VoteType.Precommit, 1, 0, hashOf(B)) }));
    assert.ok(!out.some((a) => a.type === 'broadcast_vote'));
    assert.ok(out.some((a) => a.type === 'commit'));
  });

  it('rejects proposals from the wrong proposer or with a mismatched block', () => {
    const { core, proposer } = setup();
    const B = makeBlock(1, proposer(0).address);
    const wrong = keys.find((k) => !bytesEqual(k.address, proposer(0).address))!;
    assert.deepEqual(votesOut(core.handle({ type: 'proposal', proposal: signedProposal(wrong, 1, 0, -1, B), block: B }), 1), []);
    const other = makeBlock(1, proposer(0).address, [new Uint8Array([9])]);
    assert.deepEqual(votesOut(core.handle({ type: 'proposal', proposal: signedProposal(proposer(0), 1, 0, -1, B), block: other }), 1), []);
    assert.equal(core.roundState().step, 'propose');
  });

  it('emits evidence for conflicting votes, once', () => {
    const { core } = setup();
    core.handle({ type: 'vote', vote: signedVote(keys[0]!, set, VoteType.Prevote, 1, 0, NIL) });
    const out = core.handle({ type: 'vote', vote: signedVote(keys[0]!, set, VoteType.Prevote, 1, 0, { hash: new Uint8Array(32).fill(4) }) });
    assert.equal(out.filter((a) => a.type === 'evidence').length, 1);
    const again = core.handle({ type: 'vote', vote: signedVote(keys[0]!, set, VoteType.Prevote, 1, 0, { hash: new Uint8Array(32).fill(5) }) });
    assert.equal(again.filter((a) => a.type === 'evidence').length, 0);
  });

  it('never throws on garbage events', () => {
    const { core } = setup();
    const junk: unknown[] = [
      { type: 'vote' },
      { type: 'vote', vote: { type: 9 } },
      { type: 'proposal', proposal: null, block: null },
      { type: 'timeout', height: 'x' },
      { type: 'start', height: -1 },
      { type: 'nope' },
      { type: 'commit_sync', block: {}, commit: {} },
    ];
    for (const j of junk) assert.doesNotThrow(() => core.handle(j as never));
  });

  it('buffers next-height messages and replays them on start', () => {
    const { core, proposer } = setup();
    const B = makeBlock(1, proposer(0).address);
    core.handle({ type: 'proposal', proposal: signedProposal(proposer(0), 1, 0, -1, B), block: B });
    const commitActs: ConsensusAction[] = [];
    for (const k of keys.slice(0, 3)) commitActs.push(...core.handle({ type: 'vote', vote: signedVote(k, set, VoteType.Precommit, 1, 0, hashOf(B)) }));
    const c = commitActs.find((a) => a.type === 'commit')!;
    assert.ok(c.type === 'commit');
    const set2 = set.copyIncrementProposerPriority(1);
    const p2 = keys.find((k) => bytesEqual(k.address, set2.getProposer()!.address))!;
    const B2 = makeBlock(2, p2.address, [], 2000, c.commit);
    core.handle({ type: 'proposal', proposal: signedProposal(p2, 2, 0, -1, B2), block: B2 });
    const out = core.handle({ type: 'start', height: 2, lastCommit: c.commit, state: { validators: set2 } });
    if (!bytesEqual(p2.address, me.address)) assert.deepEqual(votesOut(out, VoteType.Prevote)[0]!.blockId, hashOf(B2));
  });
});
