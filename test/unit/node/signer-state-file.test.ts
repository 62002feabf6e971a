import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GuardedSigner, INITIAL_SIGNER_STATE } from '../../../src/consensus/signer.js';
import { loadSignerState, saveSignerState } from '../../../src/node/signer-state-file.js';
import { VoteType, type Vote } from '../../../src/consensus/types.js';
import { sha256 } from '../../../src/crypto/hash.js';

const CHAIN = 'signer-test';
const priv = sha256(new TextEncoder().encode('validator-key'));

function vote(height: number, round: number, type: 1 | 2, fill: number, address: Uint8Array): Vote {
  return { type, height, round, blockId: { hash: new Uint8Array(32).fill(fill) }, timeMs: 1, validatorAddress: address, validatorIndex: 0, signature: new Uint8Array(0) };
}

describe('signer state file (priv_validator_state.json)', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dexchain-pvs-'));
    path = join(dir, 'data', 'priv_validator_state.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts blank when absent and round-trips what it saved', () => {
    assert.deepEqual(loadSignerState(path), INITIAL_SIGNER_STATE);
    const s = { height: 7, round: 2, step: 3, signBytes: new Uint8Array([1, 2, 3]), signature: new Uint8Array(64).fill(9) };
    saveSignerState(path, s);
    assert.deepEqual(loadSignerState(path), s);
  });

  it('refuses to double sign after a restart, but re-releases the identical signature', () => {
    let s1 = new GuardedSigner(priv, loadSignerState(path), (s) => saveSignerState(path, s));
    const a = vote(5, 0, VoteType.Prevote, 1, s1.address);
    const sigA = s1.signVote(CHAIN, a);
    // "restart": a new signer from the file only
    s1 = new GuardedSigner(priv, loadSignerState(path), (s) => saveSignerState(path, s));
    assert.throws(() => s1.signVote(CHAIN, vote(5, 0, VoteType.Prevote, 2, s1.address)), /double-sign guard/);
    assert.deepEqual(s1.signVote(CHAIN, a), sigA);
    assert.throws(() => s1.signVote(CHAIN, vote(4, 9, VoteType.Precommit, 1, s1.address)), /height regression/);
    // moving forward is fine and is persisted before the signature is returned
    s1.signVote(CHAIN, vote(5, 0, VoteType.Precommit, 1, s1.address));
    assert.equal(loadSignerState(path).step, 3);
  });

  it('does not release a signature when persisting fails', () => {
    const s = new GuardedSigner(priv, INITIAL_SIGNER_STATE, () => {
      throw new Error('disk full');
    });
    assert.throws(() => s.signVote(CHAIN, vote(1, 0, VoteType.Prevote, 1, s.address)), /disk full/);
  });

  it('refuses a corrupt state file instead of signing from scratch', () => {
    saveSignerState(path, INITIAL_SIGNER_STATE);
    writeFileSync(path, '{"height": ');
    assert.throws(() => loadSignerState(path), /cannot parse signer state/);
  });
});
