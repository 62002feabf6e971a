import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GuardedSigner, INITIAL_SIGNER_STATE } from '../../../src/consensus/signer.js';
import { SLOT_BYTES, SignerStateFile, encodeSlot, loadSignerState, saveSignerState } from '../../../src/node/signer-state-file.js';
import type { SignerStateData } from '../../../src/consensus/signer.js';
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

  const st = (height: number, round: number, step: number, fill = height): SignerStateData => ({
    height,
    round,
    step,
    signBytes: new Uint8Array(40).fill(fill & 0xff),
    signature: new Uint8Array(64).fill((fill + 1) & 0xff),
  });

  it('reads the JSON format of earlier versions and replaces it on the first save', () => {
    mkdirSync(join(dir, 'data'), { recursive: true });
    const sig = Buffer.alloc(64, 5);
    const sb = Buffer.from('0A0B0C', 'hex');
    writeFileSync(path, JSON.stringify({ height: '12', round: 3, step: 2, signature: sig.toString('base64'), signbytes: sb.toString('hex').toUpperCase() }, null, 2));
    const want = { height: 12, round: 3, step: 2, signature: new Uint8Array(sig), signBytes: new Uint8Array(sb) };
    assert.deepEqual(loadSignerState(path), want);
    const f = SignerStateFile.open(path);
    assert.deepEqual(f.state, want);
    f.save(st(12, 3, 3));
    f.close();
    assert.equal(statSync(path).size, 2 * SLOT_BYTES);
    assert.ok(!existsSync(`${path}.tmp`));
    assert.deepEqual(loadSignerState(path), st(12, 3, 3));
  });

  it('alternates slots in place; a reopened file continues from the newest slot', () => {
    let f = SignerStateFile.open(path);
    for (let h = 1; h <= 5; h++) f.save(st(h, 0, 2));
    f.close();
    assert.deepEqual(loadSignerState(path), st(5, 0, 2));
    f = SignerStateFile.open(path);
    f.save(st(6, 1, 1));
    f.save(st(6, 1, 2));
    f.close();
    assert.deepEqual(loadSignerState(path), st(6, 1, 2));
    const raw = readFileSync(path);
    // 7 saves: seq 0..6, the newest (6) in slot 0, the one before (5) in slot 1.
    assert.deepEqual(raw.subarray(0, SLOT_BYTES), encodeSlot(6, st(6, 1, 2)));
    assert.deepEqual(raw.subarray(SLOT_BYTES), encodeSlot(5, st(6, 1, 1)));
  });

  it('a torn newest slot falls back to the previous save; both damaged is refused', () => {
    saveSignerState(path, st(1, 0, 1));
    saveSignerState(path, st(1, 0, 2)); // slot 1, newest
    const raw = readFileSync(path);
    const torn = Buffer.from(raw);
    torn[SLOT_BYTES + 20] ^= 0xff;
    writeFileSync(path, torn);
    assert.deepEqual(loadSignerState(path), st(1, 0, 1));
    const both = Buffer.from(torn);
    both[5] ^= 0x01;
    writeFileSync(path, both);
    assert.throws(() => loadSignerState(path), /corrupt: no slot passes its checksum/);
    writeFileSync(path, raw.subarray(0, SLOT_BYTES + 100));
    assert.throws(() => loadSignerState(path), /damaged/);
    // An engine must not start from such a file either.
    assert.throws(() => SignerStateFile.open(path), /damaged/);
  });

  it('a crash at any byte of a save leaves the previous or the new state, never less (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(1000), fc.nat(3), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 6 }), fc.nat(SLOT_BYTES), fc.nat(255), (saves, cut, junk) => {
        rmSync(path, { force: true });
        let h = 0;
        const states = saves.map(([dh, r, s]) => st((h += dh + 1), r, s));
        for (const s of states) saveSignerState(path, s);
        const prev = states[states.length - 1]!;
        // The next save is torn after `cut` bytes; the rest of its slot holds junk.
        const next = st(h + 1, 0, 1, junk);
        const raw = readFileSync(path);
        const slot = states.length % 2;
        const img = encodeSlot(states.length, next);
        const torn = Buffer.from(raw);
        img.copy(torn, slot * SLOT_BYTES, 0, cut);
        torn.fill(junk, slot * SLOT_BYTES + cut, (slot + 1) * SLOT_BYTES);
        writeFileSync(path, torn);
        const got = loadSignerState(path);
        assert.ok(got.height === prev.height || got.height === next.height, `loaded height ${got.height}`);
        assert.deepEqual(got, got.height === next.height ? next : prev);
        if (cut < SLOT_BYTES - 4) assert.deepEqual(got, prev);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses to persist a record that does not fit a slot (the signature is then not released)', () => {
    const f = SignerStateFile.open(path);
    assert.throws(() => f.save({ ...st(1, 0, 1), signBytes: new Uint8Array(SLOT_BYTES) }), /exceed a slot/);
    f.close();
    assert.deepEqual(loadSignerState(path), INITIAL_SIGNER_STATE);
  });
});
