import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeBlock,
  decodeCommit,
  decodeProposal,
  decodeVote,
  encodeBlock,
  encodeCommit,
  encodeProposal,
  encodeVote,
  headerHash,
  merkleRoot,
  proposalSignBytes,
  txsHash,
  validateBlockBasic,
  voteSignBytes,
} from '../../../src/consensus/block.js';
import { sha256 } from '../../../src/consensus/crypto-adapter.js';
import { CommitFlag, VoteType, type Commit, type Vote } from '../../../src/consensus/types.js';
import { isChainError } from '../../../src/errors.js';
import { CHAIN, key, makeBlock, makeSet, signedProposal, signedVote } from './helpers.js';

const k0 = key(0);
const set = makeSet([k0, key(1)], [1, 1]);

describe('consensus/block encoding', () => {
  it('vote, proposal, commit and block round-trip byte-exactly', () => {
    const block = makeBlock(3, k0.address, [new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array([9])], 1234);
    const vote = signedVote(k0, set, VoteType.Precommit, 3, 2, { hash: headerHash(block.header) });
    const nilVote = signedVote(k0, set, VoteType.Prevote, 3, 0, { hash: new Uint8Array(0) });
    const commit: Commit = {
      height: 3,
      round: 2,
      blockId: vote.blockId,
      signatures: [
        { flag: CommitFlag.Commit, validatorAddress: k0.address, timeMs: 5, signature: vote.signature },
        { flag: CommitFlag.Absent, validatorAddress: new Uint8Array(0), timeMs: 0, signature: new Uint8Array(0) },
      ],
    };
    const full = { ...block, lastCommit: commit, evidence: [{ voteA: nilVote, voteB: vote, totalVotingPower: 2n, validatorPower: 1n, timeMs: 7 }] };
    assert.deepEqual(decodeVote(encodeVote(vote)), vote);
    assert.deepEqual(decodeVote(encodeVote(nilVote)), nilVote);
    const prop = signedProposal(k0, 3, 2, 1, block);
    assert.deepEqual(decodeProposal(encodeProposal(prop)), prop);
    assert.deepEqual(decodeProposal(encodeProposal({ ...prop, polRound: -1 })), { ...prop, polRound: -1 });
    assert.deepEqual(decodeCommit(encodeCommit(commit)), commit);
    const b2 = decodeBlock(encodeBlock(full));
    assert.deepEqual(b2, full);
    assert.deepEqual(encodeBlock(b2), encodeBlock(full));
  });

  it('garbage input fails with a ChainError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        for (const f of [decodeBlock, decodeVote, decodeProposal, decodeCommit]) {
          try {
            f(bytes);
          } catch (e) {
            assert.ok(isChainError(e), `non-ChainError: ${String(e)}`);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('mutated encodings are rejected or decode to a value that re-encodes identically', () => {
    const vote = signedVote(k0, set, VoteType.Prevote, 1, 0, { hash: new Uint8Array(32).fill(3) });
    const bytes = encodeVote(vote);
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (pos, x) => {
        const m = bytes.slice();
        m[pos] = m[pos]! ^ x;
        let v: Vote;
        try {
          v = decodeVote(m);
        } catch (e) {
          assert.ok(isChainError(e));
          return;
        }
        assert.deepEqual(encodeVote(v), m);
      }),
    );
  });

  it('rejects trailing bytes, non-canonical varints and truncation', () => {
    const vote = signedVote(k0, set, VoteType.Prevote, 1, 0, { hash: new Uint8Array(0) });
    const bytes = encodeVote(vote);
    assert.throws(() => decodeVote(new Uint8Array([...bytes, 0])), isChainError);
    assert.throws(() => decodeVote(bytes.subarray(0, bytes.length - 1)), isChainError);
    // type field written as a two-byte varint (0x81 0x00 = 1): same value, other bytes
    const nonCanonical = new Uint8Array([bytes[0]!, 0x81, 0x00, ...bytes.subarray(2)]);
    assert.throws(() => decodeVote(nonCanonical), /non-canonical|malformed/);
    assert.throws(() => decodeBlock(new Uint8Array([0xff, 0xff, 0xff])), isChainError);
  });

  it('sign bytes are domain separated by chain, type, height, round and block', () => {
    const base = { type: VoteType.Prevote, height: 5, round: 1, blockId: { hash: new Uint8Array(32) } } as const;
    const ref = voteSignBytes(CHAIN, base);
    assert.notDeepEqual(voteSignBytes('other', base), ref);
    assert.notDeepEqual(voteSignBytes(CHAIN, { ...base, type: VoteType.Precommit }), ref);
    assert.notDeepEqual(voteSignBytes(CHAIN, { ...base, height: 6 }), ref);
    assert.notDeepEqual(voteSignBytes(CHAIN, { ...base, round: 2 }), ref);
    assert.notDeepEqual(voteSignBytes(CHAIN, { ...base, blockId: { hash: new Uint8Array(0) } }), ref);
    assert.notDeepEqual(proposalSignBytes(CHAIN, { height: 5, round: 1, polRound: -1, blockId: base.blockId }), ref);
  });

  it('merkle root follows RFC 6962 and txsHash hashes the txs first', () => {
    const leaf = (b: Uint8Array): Uint8Array => sha256(new Uint8Array([0, ...b]));
    const node = (l: Uint8Array, r: Uint8Array): Uint8Array => sha256(new Uint8Array([1, ...l, ...r]));
    const a = new Uint8Array([1]);
    const b = new Uint8Array([2]);
    const c = new Uint8Array([3]);
    assert.deepEqual(merkleRoot([]), sha256(new Uint8Array(0)));
    assert.deepEqual(merkleRoot([a]), leaf(a));
    assert.deepEqual(merkleRoot([a, b, c]), node(node(leaf(a), leaf(b)), leaf(c)));
    assert.deepEqual(txsHash([a]), leaf(sha256(a)));
  });

  it('validateBlockBasic checks data hash, height and chain', () => {
    const block = makeBlock(1, k0.address, [new Uint8Array([1])]);
    assert.equal(validateBlockBasic(block, CHAIN, 1), undefined);
    assert.match(validateBlockBasic(block, CHAIN, 2)!, /height/);
    assert.match(validateBlockBasic(block, 'x', 1)!, /chain/);
    assert.match(validateBlockBasic({ ...block, txs: [] }, CHAIN, 1)!, /data hash/);
  });
});
