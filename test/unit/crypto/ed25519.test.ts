import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  ed25519Generate,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  ed25519NobleVerify,
  ed25519NobleSign,
} from '../../../src/crypto/ed25519.js';
import { toHex, fromHex } from '../../../src/crypto/hash.js';

describe('crypto/ed25519', () => {
  it('RFC 8032 test 1 (empty message)', () => {
    const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    const pub = ed25519PublicKey(seed);
    assert.equal(toHex(pub), 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const sig = ed25519Sign(new Uint8Array(), seed);
    assert.equal(
      toHex(sig),
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
    assert.ok(ed25519Verify(sig, new Uint8Array(), pub));
    // Tendermint's 64-byte form (seed ‖ pub) is accepted too
    assert.deepEqual(ed25519PublicKey(new Uint8Array([...seed, ...pub])), pub);
  });

  it('node and noble produce the same keys and signatures and agree on verification (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 200 }), fc.nat(511), (seed, msg, bit) => {
        const pub = ed25519PublicKey(seed);
        assert.deepEqual(pub, ed25519.getPublicKey(seed));
        const sig = ed25519Sign(msg, seed);
        assert.deepEqual(sig, ed25519NobleSign(msg, seed));
        assert.equal(ed25519Verify(sig, msg, pub), true);
        assert.equal(ed25519NobleVerify(sig, msg, pub), true);
        const bad = new Uint8Array(sig);
        bad[bit >> 3]! ^= 1 << (bit & 7);
        assert.equal(ed25519Verify(bad, msg, pub), false);
        assert.equal(ed25519NobleVerify(bad, msg, pub), false);
      }),
      { numRuns: 100 },
    );
  });

  it('both reject non-canonical S (S + L) and malformed input without throwing', () => {
    const { priv, pub } = ed25519Generate();
    const msg = new TextEncoder().encode('vote');
    const sig = ed25519Sign(msg, priv);
    // S' = S + L: same point equation, rejected by RFC 8032 strict verification (malleability)
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i]!);
    const s2 = s + L;
    const mall = new Uint8Array(sig);
    for (let i = 0; i < 32; i++) mall[32 + i] = Number((s2 >> BigInt(8 * i)) & 0xffn);
    assert.equal(ed25519Verify(mall, msg, pub), false);
    assert.equal(ed25519NobleVerify(mall, msg, pub), false);
    assert.equal(ed25519Verify(sig.subarray(0, 63), msg, pub), false);
    assert.equal(ed25519Verify(sig, msg, pub.subarray(0, 31)), false);
    const badPub = new Uint8Array(32).fill(0xff);
    assert.equal(ed25519Verify(sig, msg, badPub), ed25519NobleVerify(sig, msg, badPub));
    assert.equal(ed25519Verify(sig, msg, badPub), false);
  });

  it('generate gives a 32-byte seed and matching key', () => {
    const { priv, pub } = ed25519Generate();
    assert.equal(priv.length, 32);
    assert.deepEqual(pub, ed25519PublicKey(priv));
    assert.throws(() => ed25519Sign(new Uint8Array(), new Uint8Array(31)), /32-byte/);
  });
});
