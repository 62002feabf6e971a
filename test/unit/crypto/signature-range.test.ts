/** The byte-wise range checks against the bigint definitions they replace. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SECP256K1_HALF_N, SECP256K1_N, bytesToBigInt, inSignatureRange, isLowS } from '../../../src/crypto/secp256k1.js';

const be32 = (v: bigint): Uint8Array => Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
const edge = [0n, 1n, 2n, SECP256K1_HALF_N - 1n, SECP256K1_HALF_N, SECP256K1_HALF_N + 1n, SECP256K1_N - 1n, SECP256K1_N, SECP256K1_N + 1n, (1n << 256n) - 1n];
const scalar = fc.oneof(fc.constantFrom(...edge), fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }));

describe('secp256k1 signature range checks (bytes)', () => {
  it('isLowS and inSignatureRange agree with the bigint definitions', () => {
    fc.assert(
      fc.property(scalar, scalar, (r, s) => {
        const sig = new Uint8Array(64);
        sig.set(be32(r), 0);
        sig.set(be32(s), 32);
        assert.equal(bytesToBigInt(sig.subarray(0, 32)), r);
        assert.equal(isLowS(sig), s >= 1n && s <= SECP256K1_HALF_N);
        assert.equal(inSignatureRange(sig), r >= 1n && r < SECP256K1_N && s >= 1n && s <= SECP256K1_HALF_N);
      }),
      { numRuns: 2000 },
    );
  });
  it('wrong lengths are out of range', () => {
    assert.equal(isLowS(new Uint8Array(63)), false);
    assert.equal(inSignatureRange(new Uint8Array(65)), false);
  });
});
