import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GuardedSigner, INITIAL_SIGNER_STATE, SignerState, SignStep, type SignerStateData } from '../../../src/consensus/signer.js';
import { crc32, decodeWalEntry, decodeWalFrames, encodeWalEntry, entriesToReplay, type WalEntry } from '../../../src/consensus/wal.js';
import { VoteType, type Vote } from '../../../src/consensus/types.js';
import { CHAIN, key, makeBlock, makeSet, signedProposal, signedVote } from './helpers.js';

const k = key(0);
const set = makeSet([k], [1]);
const B = { hash: new Uint8Array(32).fill(1) };
const C = { hash: new Uint8Array(32).fill(2) };

describe('consensus/signer double-sign guard', () => {
  it('refuses regressions and conflicting bytes, reuses identical ones', () => {
    const g = new SignerState();
    const bytes = new Uint8Array([1]);
    assert.deepEqual(g.check(5, 0, SignStep.Prevote, bytes), { kind: 'sign' });
    g.record(5, 0, SignStep.Prevote, bytes, new Uint8Array([9]));
    assert.deepEqual(g.check(5, 0, SignStep.Prevote, bytes), { kind: 'reuse', signature: new Uint8Array([9]) });
    assert.throws(() => g.check(5, 0, SignStep.Prevote, new Uint8Array([2])), /conflicting/);
    assert.throws(() => g.check(5, 0, SignStep.Propose, bytes), /step regression/);
    assert.throws(() => g.check(4, 9, SignStep.Precommit, bytes), /height regression/);
    assert.deepEqual(g.check(5, 0, SignStep.Precommit, bytes), { kind: 'sign' });
    assert.deepEqual(g.check(5, 1, SignStep.Propose, bytes), { kind: 'sign' });
  });

  it('GuardedSigner persists before releasing and survives a restart from the persisted state', () => {
    let persisted: SignerStateData = INITIAL_SIGNER_STATE;
    const s1 = new GuardedSigner(k.priv, persisted, (s) => (persisted = s));
    const v: Vote = { ...signedVote(k, set, VoteType.Prevote, 3, 1, B), signature: new Uint8Array(0) };
    const sig = s1.signVote(CHAIN, v);
    assert.equal(persisted.height, 3);
    const s2 = new GuardedSigner(k.priv, persisted, (s) => (persisted = s));
    assert.deepEqual(s2.signVote(CHAIN, { ...v, timeMs: 999 }), sig, 'same vote re-signs identically');
    assert.throws(() => s2.signVote(CHAIN, { ...v, blockId: C }), /conflicting/);
    const failing = new GuardedSigner(k.priv, persisted, () => {
      throw new Error('disk full');
    });
    assert.throws(() => failing.signVote(CHAIN, { ...v, type: VoteType.Precommit }), /disk full/);
  });
});

describe('consensus/wal framing', () => {
  const block = makeBlock(2, k.address, [new Uint8Array([5])]);
  const entries: WalEntry[] = [
    { kind: 'end_height', height: 1 },
    { kind: 'proposal', own: true, proposal: signedProposal(k, 2, 0, -1, block), block },
    { kind: 'vote', own: false, vote: signedVote(k, set, VoteType.Prevote, 2, 0, B) },
    { kind: 'timeout', height: 2, round: 0, step: 'propose' },
  ];

  it('round-trips entries', () => {
    for (const e of entries) assert.deepEqual(decodeWalEntry(encodeWalEntry(e)), e);
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  });

  it('detects a torn or corrupt tail and reports where to truncate', () => {
    const frames = entries.map(encodeWalEntry);
    const all = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let off = 0;
    for (const f of frames) {
      all.set(f, off);
      off += f.length;
    }
    const good = decodeWalFrames(all);
    assert.equal(good.entries.length, 4);
    assert.equal(good.validLength, all.length);
    const lastStart = all.length - frames[3]!.length;
    fc.assert(
      fc.property(fc.integer({ min: lastStart + 1, max: all.length - 1 }), (cut) => {
        const r = decodeWalFrames(all.subarray(0, cut));
        assert.equal(r.entries.length, 3);
        assert.equal(r.validLength, lastStart);
        assert.ok(r.error);
      }),
    );
    const corrupt = all.slice();
    corrupt[lastStart + 10] ^= 0x40;
    assert.equal(decodeWalFrames(corrupt).entries.length, 3);
    assert.equal(decodeWalFrames(corrupt).validLength, lastStart);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (g) => void decodeWalFrames(g)));
  });

  it('entriesToReplay starts after the previous height marker', () => {
    const r = entriesToReplay([{ kind: 'vote', own: true, vote: signedVote(k, set, 1, 1, 0, B) }, ...entries], 2);
    assert.deepEqual(
      r.map((e) => e.kind),
      ['proposal', 'vote', 'timeout'],
    );
  });
});
