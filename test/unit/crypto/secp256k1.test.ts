import assert from 'node:assert/strict';
import fc from 'fast-check';
import { randomPrivateKey, publicKeyFromPrivate, signHash, isLowS, SECP256K1_N } from '../../../src/crypto/secp256k1.js';
import {
  nobleVerifier,
  nodeVerifier,
  nativeVerifier,
  createVerifier,
  availableBackends,
  compactToDer,
  type SignatureVerifier,
} from '../../../src/crypto/verifier.js';
import { sha256, toHex, fromHex } from '../../../src/crypto/hash.js';
import { loadSdkVectors, highS, bigToBytes32 } from './vectors.js';

describe('crypto/secp256k1 + verifier', () => {
  const V = loadSdkVectors();
  const native = nativeVerifier();
  const backends: SignatureVerifier[] = [nobleVerifier(), nodeVerifier(), ...(native ? [native] : [])];

  it('the native addon loads on this host', () => {
    assert.ok(native, 'secp256k1 native binding did not load');
    assert.deepEqual(availableBackends(), ['native', 'node', 'noble']);
    assert.equal(createVerifier().backend, 'native');
    assert.equal(createVerifier('node').backend, 'node');
    assert.equal(createVerifier('noble').backend, 'noble');
  });

  it('publicKeyFromPrivate and signHash reproduce the SDK vectors byte for byte', () => {
    const priv = fromHex(V.keys.sender!.private_key);
    assert.equal(toHex(publicKeyFromPrivate(priv)), V.keys.sender!.pubkey_compressed_hex);
    for (const v of V.vectors) {
      const sig = signHash(fromHex(v.sign_bytes_sha256), priv);
      assert.equal(toHex(sig), v.signature_hex, v.name);
      assert.ok(isLowS(sig));
    }
  });

  for (const b of ['noble', 'node', 'native'] as const) {
    describe(`backend ${b}`, () => {
      const v = (): SignatureVerifier => backends.find((x) => x.backend === b)!;

      it('accepts every vector signature', () => {
        for (const t of V.vectors) {
          assert.equal(v().verify(fromHex(t.signature_hex), fromHex(t.sign_bytes_sha256), fromHex(t.pubkey_compressed_hex)), true, t.name);
        }
      });

      it('rejects high-S twins, flipped bits, wrong digest and wrong key', () => {
        const other = publicKeyFromPrivate(fromHex(V.keys.recipient1!.private_key));
        for (const t of V.vectors) {
          const sig = fromHex(t.signature_hex);
          const h = fromHex(t.sign_bytes_sha256);
          const pub = fromHex(t.pubkey_compressed_hex);
          assert.equal(v().verify(highS(sig), h, pub), false, `${t.name} high-S`);
          for (const bit of [0, 100, 263, 511]) {
            const f = new Uint8Array(sig);
            f[bit >> 3]! ^= 1 << (bit & 7);
            assert.equal(v().verify(f, h, pub), false, `${t.name} bit ${bit}`);
          }
          const h2 = new Uint8Array(h);
          h2[31]! ^= 1;
          assert.equal(v().verify(sig, h2, pub), false);
          assert.equal(v().verify(sig, h, other), false);
        }
      });

      it('returns false (never throws) on malformed input', () => {
        const t = V.vectors[0]!;
        const sig = fromHex(t.signature_hex);
        const h = fromHex(t.sign_bytes_sha256);
        const pub = fromHex(t.pubkey_compressed_hex);
        const uncompressed = fromHex('04' + '11'.repeat(64));
        const notOnCurve = new Uint8Array(pub);
        notOnCurve[0] = 0x02;
        notOnCurve[32] = notOnCurve[32]! ^ 0x55;
        const zeroSig = new Uint8Array(64);
        const rIsN = new Uint8Array(sig);
        rIsN.set(bigToBytes32(SECP256K1_N), 0);
        const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
          [sig.subarray(0, 63), h, pub],
          [new Uint8Array(65), h, pub],
          [sig, h.subarray(0, 31), pub],
          [sig, h, pub.subarray(0, 32)],
          [sig, h, uncompressed],
          [sig, h, new Uint8Array(33)],
          [sig, h, fromHex('05' + toHex(pub.subarray(1)))],
          [sig, h, fromHex('02' + 'ff'.repeat(32))],
          [zeroSig, h, pub],
          [rIsN, h, pub],
          [sig, h, notOnCurve],
        ];
        for (const [s, hh, p] of cases) assert.equal(v().verify(s, hh, p), false);
        assert.equal(v().verify(null as unknown as Uint8Array, h, pub), false);
      });
    });
  }

  it('all backends agree on random keys, digests and corruptions (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(511), fc.boolean(), (seed, msg, bit, corrupt) => {
        const priv = sha256(seed); // valid scalar with overwhelming probability
        const pub = publicKeyFromPrivate(priv);
        const h = sha256(msg);
        let sig = signHash(h, priv);
        if (corrupt) {
          sig = new Uint8Array(sig);
          sig[bit >> 3]! ^= 1 << (bit & 7);
        }
        const results = backends.map((b) => b.verify(sig, h, pub));
        assert.ok(results.every((r) => r === results[0]), `disagreement ${results}`);
        if (!corrupt) assert.equal(results[0], true);
        assert.ok(backends.every((b) => !b.verify(highS(signHash(h, priv)), h, pub)));
      }),
      { numRuns: 60 },
    );
  });

  it('node verifyMessage (OpenSSL hashes the message) agrees', () => {
    const nv = nodeVerifier();
    for (const t of V.vectors) {
      const msg = new TextEncoder().encode(t.sign_bytes);
      assert.equal(nv.verifyMessage(fromHex(t.signature_hex), msg, fromHex(t.pubkey_compressed_hex)), true);
      assert.equal(nv.verifyMessage(highS(fromHex(t.signature_hex)), msg, fromHex(t.pubkey_compressed_hex)), false);
    }
  });

  it('compactToDer encodes minimal positive integers', () => {
    const sig = new Uint8Array(64);
    sig[31] = 1;
    sig[32] = 0x80;
    assert.equal(toHex(compactToDer(sig)), '3026020101022100' + '80' + '00'.repeat(31));
  });

  it('randomPrivateKey gives distinct valid keys', () => {
    const a = randomPrivateKey();
    const b = randomPrivateKey();
    assert.equal(a.length, 32);
    assert.notDeepEqual(a, b);
    assert.equal(publicKeyFromPrivate(a).length, 33);
  });
});
