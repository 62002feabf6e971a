import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeEvidence } from '../../../src/consensus/block.js';
import { VoteType, type DuplicateVoteEvidence } from '../../../src/consensus/types.js';
import { EvidenceFile, decodeEvidenceFile, encodeEvidenceFile } from '../../../src/node/evidence-file.js';
import { EvidencePool, MAX_EVIDENCE_AGE_HEIGHTS } from '../../../src/node/evidence-pool.js';
import { key, makeSet, signedVote } from '../consensus/helpers.js';

function evidence(height: number, who = 0): DuplicateVoteEvidence {
  const keys = [key(1), key(2), key(3)];
  const set = makeSet(keys, [10, 10, 10]);
  const a = signedVote(keys[who]!, set, VoteType.Prevote, height, 0, { hash: new Uint8Array(32).fill(1) });
  const b = signedVote(keys[who]!, set, VoteType.Prevote, height, 0, { hash: new Uint8Array(32).fill(2) });
  return { voteA: a, voteB: b, totalVotingPower: 30n, validatorPower: 10n, timeMs: 1000 + height };
}

const same = (x: DuplicateVoteEvidence[], y: DuplicateVoteEvidence[]) =>
  assert.deepEqual(x.map((e) => Buffer.from(encodeEvidence(e)).toString('hex')), y.map((e) => Buffer.from(encodeEvidence(e)).toString('hex')));

describe('evidence file: pending evidence survives a restart', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'dexchain-evfile-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips a list byte for byte, the empty list included', () => {
    const evs = [evidence(5), evidence(6, 1), evidence(7, 2)];
    same(decodeEvidenceFile(encodeEvidenceFile(evs)), evs);
    assert.deepEqual(decodeEvidenceFile(encodeEvidenceFile([])), []);
  });

  it('rejects every single-byte corruption and every truncation', () => {
    const bytes = encodeEvidenceFile([evidence(5)]);
    for (let i = 0; i < bytes.length; i++) {
      const bad = Buffer.from(bytes);
      bad[i]! ^= 0x40;
      assert.throws(() => decodeEvidenceFile(bad), undefined, `flip at ${i}`);
    }
    for (let n = 0; n < bytes.length; n++) assert.throws(() => decodeEvidenceFile(bytes.subarray(0, n)), undefined, `cut at ${n}`);
  });

  it('a pool with the file as its sink gives its pending items back after a restart, minus committed ones', () => {
    const file = new EvidenceFile(join(dir, 'data', 'evidence.bin'));
    const pool = new EvidencePool(file, file.load().evidence);
    const [e1, e2, e3] = [evidence(5), evidence(6, 1), evidence(7, 2)];
    assert.ok(pool.add(e1) && pool.add(e2) && pool.add(e3));
    pool.markCommitted([e2]);
    const restarted = new EvidencePool(file, file.load().evidence);
    assert.equal(restarted.size, 2);
    same(restarted.pending(10), [e1, e3]);
  });

  it('expired items leave the file when the proposer prunes them', () => {
    const file = new EvidenceFile(join(dir, 'evidence.bin'));
    const pool = new EvidencePool(file);
    pool.add(evidence(5));
    pool.add(evidence(200, 1));
    assert.equal(pool.pending(5 + MAX_EVIDENCE_AGE_HEIGHTS + 1).length, 1);
    assert.equal(file.load().evidence.length, 1);
  });

  it('a damaged file is moved aside and the pool starts empty, with the reason', () => {
    const path = join(dir, 'evidence.bin');
    const file = new EvidenceFile(path);
    file.save([evidence(5)]);
    const bytes = readFileSync(path);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(path, bytes);
    const r = file.load();
    assert.deepEqual(r.evidence, []);
    assert.match(r.discarded ?? '', /checksum/);
    assert.ok(existsSync(path + '.bad') && !existsSync(path));
    assert.deepEqual(file.load(), { evidence: [] });
  });
});
