/**
 * decodeBlock checks canonical form without re-encoding the block. Two properties pin its
 * accept set to exactly the canonical encodings (what the former decode-then-re-encode-and-
 * compare accepted):
 *   1. every accepted input re-encodes to itself (nothing non-canonical gets through), and
 *   2. every canonical encoding is accepted and decodes to its value (nothing valid refused).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import pb from 'protobufjs/minimal.js';
import { decodeBlock, encodeBlock, encodeCommit, encodeEvidence, encodeHeader } from '../../../src/consensus/block.js';
import { CommitFlag, VoteType, type Block, type Commit, type DuplicateVoteEvidence } from '../../../src/consensus/types.js';
import { isChainError } from '../../../src/errors.js';
import { key, makeBlock, makeSet, signedVote } from './helpers.js';

const k0 = key(0);
const k1 = key(1);
const set = makeSet([k0, k1], [1, 1]);

function sampleBlock(txs: Uint8Array[], withEvidence: boolean, sigs: number): Block {
  const b = makeBlock(5, k0.address, txs, 4321);
  const v1 = signedVote(k0, set, VoteType.Prevote, 4, 0, { hash: new Uint8Array(32).fill(1) });
  const v2 = signedVote(k0, set, VoteType.Prevote, 4, 0, { hash: new Uint8Array(32).fill(2) });
  const evidence: DuplicateVoteEvidence[] = withEvidence ? [{ voteA: v1, voteB: v2, totalVotingPower: 2n, validatorPower: 1n, timeMs: 9 }] : [];
  const lastCommit: Commit = {
    height: 4,
    round: 1,
    blockId: { hash: new Uint8Array(32).fill(7) },
    signatures: Array.from({ length: sigs }, (_, i) =>
      i % 2 === 0
        ? { flag: CommitFlag.Commit, validatorAddress: (i % 4 === 0 ? k0 : k1).address, timeMs: 100 + i, signature: new Uint8Array(64).fill(i) }
        : { flag: CommitFlag.Absent, validatorAddress: new Uint8Array(0), timeMs: 0, signature: new Uint8Array(0) },
    ),
  };
  return { ...b, evidence, lastCommit };
}

const arbBlock = fc
  .tuple(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 12 }), fc.boolean(), fc.nat(4))
  .map(([txs, ev, sigs]) => sampleBlock(txs, ev, sigs));

/** Either a ChainError, or a value whose encoding is exactly `bytes`. */
function acceptsOnlyCanonical(bytes: Uint8Array): void {
  let b: Block;
  try {
    b = decodeBlock(bytes);
  } catch (e) {
    assert.ok(isChainError(e), `non-ChainError: ${String(e)}`);
    return;
  }
  assert.deepEqual(Buffer.from(encodeBlock(b)), Buffer.from(bytes), 'accepted a non-canonical encoding');
}

/** Offsets of the block envelope's tags (each followed by a length varint). */
function envelopeTags(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let p = 0;
  while (p < bytes.length) {
    out.push(p);
    p++;
    let len = 0;
    let mul = 1;
    for (;;) {
      const x = bytes[p++]!;
      len += (x & 0x7f) * mul;
      mul *= 128;
      if (x < 0x80) break;
    }
    p += len;
  }
  return out;
}

describe('decodeBlock (canonical form without re-encoding)', () => {
  it('decodes every canonical block to its value (large txs and multi-byte lengths included)', () => {
    fc.assert(
      fc.property(arbBlock, (b) => {
        const bytes = encodeBlock(b);
        assert.deepEqual(decodeBlock(bytes), b);
      }),
      { numRuns: 200 },
    );
    const big = sampleBlock([new Uint8Array(70_000).fill(3), new Uint8Array(200).fill(4), new Uint8Array(0)], true, 3);
    assert.deepEqual(decodeBlock(encodeBlock(big)), big);
    assert.deepEqual(decodeBlock(Buffer.from(encodeBlock(big))), big, 'a Buffer input decodes to the same plain arrays');
  });

  it('decoded txs do not alias the input buffer', () => {
    const b = sampleBlock([new Uint8Array([1, 2, 3])], false, 1);
    const bytes = encodeBlock(b);
    const d = decodeBlock(bytes);
    bytes.fill(0);
    assert.deepEqual(d.txs[0], new Uint8Array([1, 2, 3]));
  });

  it('byte flips are rejected or decode to a value that re-encodes identically', () => {
    fc.assert(
      fc.property(arbBlock, fc.nat(), fc.integer({ min: 1, max: 255 }), (b, at, x) => {
        const m = encodeBlock(b).slice();
        m[at % m.length] ^= x;
        acceptsOnlyCanonical(m);
      }),
      { numRuns: 400 },
    );
  });

  it('rejects overlong tags and lengths in the envelope (same values, other bytes)', () => {
    fc.assert(
      fc.property(arbBlock, fc.nat(), fc.boolean(), fc.integer({ min: 1, max: 3 }), (b, pick, onTag, extra) => {
        const bytes = encodeBlock(b);
        const tags = envelopeTags(bytes);
        const t = tags[pick % tags.length]!;
        // Pad the tag (or the length's last byte) with `extra` continuation bytes worth zero.
        let at = t;
        if (!onTag) {
          at = t + 1;
          while (bytes[at]! >= 0x80) at++;
        }
        const padded = [bytes[at]! | 0x80, ...Array<number>(extra - 1).fill(0x80), 0x00];
        const m = new Uint8Array([...bytes.subarray(0, at), ...padded, ...bytes.subarray(at + 1)]);
        assert.throws(() => decodeBlock(m), (e: unknown) => isChainError(e) && /non-canonical|expected field|too long/.test((e as Error).message));
      }),
      { numRuns: 300 },
    );
  });

  it('rejects fields out of order, unknown fields, missing parts, truncation and trailing bytes', () => {
    const b = sampleBlock([new Uint8Array([1]), new Uint8Array([2, 2])], true, 2);
    const bytes = encodeBlock(b);
    const tags = envelopeTags(bytes);
    const parts = tags.map((t, i) => bytes.subarray(t, tags[i + 1] ?? bytes.length));
    const join = (ps: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(ps));
    const [header, tx1, tx2, ev, commit] = parts as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    assert.deepEqual(decodeBlock(join([header, tx1, tx2, ev, commit])), b);
    for (const bad of [
      join([tx1, header, tx2, ev, commit]), // tx before the header
      join([header, tx1, ev, tx2, commit]), // tx after evidence
      join([header, tx1, tx2, commit, ev]), // evidence after the commit
      join([header, tx1, tx2, ev]), // no commit
      join([header, tx1, tx2, ev, commit, commit]), // a second commit
      join([header, header, tx1, tx2, ev, commit]), // a second header
      join([header, tx1, tx2, ev, commit, Uint8Array.of(0)]), // trailing byte
      join([header, Uint8Array.of(0x2a, 0), tx1, tx2, ev, commit]), // unknown field 5
      join([header, Uint8Array.of(0x10, 1), tx2, ev, commit]), // field 2 as a varint
      bytes.subarray(0, bytes.length - 1),
      bytes.subarray(0, 3),
      new Uint8Array(0),
    ]) {
      assert.throws(() => decodeBlock(bad), isChainError);
    }
    // A length varint of 6 bytes (value small) and one past the input.
    assert.throws(() => decodeBlock(Uint8Array.of(0x0a, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00)), isChainError);
    assert.throws(() => decodeBlock(Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f)), isChainError);
    assert.throws(() => decodeBlock('not bytes' as unknown as Uint8Array), isChainError);
  });

  it('still rejects a non-canonical header, evidence or commit inside a canonical envelope', () => {
    const b = sampleBlock([new Uint8Array([1])], true, 1);
    const canonicalEnvelope = (parts: [number, Uint8Array][]): Uint8Array => {
      const w = pb.Writer.create();
      for (const [tag, body] of parts) w.uint32(tag).bytes(body);
      return new Uint8Array(w.finish());
    };
    /** `msg` with the varint after its first (one-byte) tag padded by a zero continuation byte. */
    const overlongFirst = (msg: Uint8Array): Uint8Array => {
      let end = 1;
      while (msg[end]! >= 0x80) end++;
      return new Uint8Array([...msg.subarray(0, end), msg[end]! | 0x80, 0x00, ...msg.subarray(end + 1)]);
    };
    const header = encodeHeader(b.header);
    const tx = b.txs[0]!;
    const ev = encodeEvidence(b.evidence[0]!);
    const commit = encodeCommit(b.lastCommit);
    assert.deepEqual(canonicalEnvelope([[0x0a, header], [0x12, tx], [0x1a, ev], [0x22, commit]]), encodeBlock(b));
    // header: field 1 is the chain id (a length), evidence: field 1 is vote A's length, commit: field 1 is the height.
    for (const parts of [
      [[0x0a, overlongFirst(header)], [0x12, tx], [0x1a, ev], [0x22, commit]],
      [[0x0a, header], [0x12, tx], [0x1a, overlongFirst(ev)], [0x22, commit]],
      [[0x0a, header], [0x12, tx], [0x1a, ev], [0x22, overlongFirst(commit)]],
      [[0x0a, header], [0x12, tx], [0x1a, ev], [0x22, new Uint8Array([...commit, 0])]],
    ] as [number, Uint8Array][][]) {
      assert.throws(() => decodeBlock(canonicalEnvelope(parts)), isChainError);
    }
  });

  it('garbage never escapes as anything but a ChainError, nor decodes non-canonically', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), acceptsOnlyCanonical), { numRuns: 1000 });
  });
});
