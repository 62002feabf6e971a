/**
 * The bottom-up Merkle root against a literal transcription of RFC 6962's recursive definition
 * (split at the largest power of two below n), for lists of every small length.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { merkleRoot } from '../../../src/consensus/block.js';

const h = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());

function recursiveRoot(l: Uint8Array[]): Uint8Array {
  if (l.length === 0) return h(new Uint8Array(0));
  if (l.length === 1) return h(Uint8Array.of(0, ...l[0]!));
  let k = 1;
  while (k * 2 < l.length) k *= 2;
  return h(Uint8Array.of(1, ...recursiveRoot(l.slice(0, k)), ...recursiveRoot(l.slice(k))));
}

describe('merkleRoot (bottom-up)', () => {
  it('equals the recursive RFC 6962 root for any list', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 70 }), (leaves) => {
        assert.deepEqual(Buffer.from(merkleRoot(leaves)), Buffer.from(recursiveRoot(leaves)));
      }),
      { numRuns: 500 },
    );
  });

  it('equals it when leaves repeat (runs of equal leaves and pairs reuse hashes)', () => {
    const few = fc.constantFrom(Uint8Array.of(0, 0, 0, 0), Uint8Array.of(0, 0, 0, 5), Uint8Array.of(), Uint8Array.of(1));
    fc.assert(
      fc.property(fc.array(few, { maxLength: 140 }), (leaves) => {
        assert.deepEqual(Buffer.from(merkleRoot(leaves)), Buffer.from(recursiveRoot(leaves)));
      }),
      { numRuns: 500 },
    );
  });
});
