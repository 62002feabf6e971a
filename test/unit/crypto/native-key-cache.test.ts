/**
 * The native verifier checks against cached uncompressed keys: same verdicts as noble (which
 * parses the compressed key itself) on the first call and on cached calls, and the cache itself
 * is bounded, FIFO and exact.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { nativeVerifier, nobleVerifier, UncompressedKeyCache, NATIVE_KEY_CACHE_SIZE } from '../../../src/crypto/verifier.js';
import { publicKeyFromPrivate, signHash } from '../../../src/crypto/secp256k1.js';
import { sha256 } from '../../../src/crypto/hash.js';

const enc = new TextEncoder();
const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const P = 2n ** 256n - 2n ** 32n - 977n;

describe('crypto/verifier: native verify through cached uncompressed keys', () => {
  const native = nativeVerifier();
  const noble = nobleVerifier();
  const privs = Array.from({ length: 8 }, (_, i) => sha256(enc.encode(`cache-key-${i}`)));
  const pubs = privs.map(publicKeyFromPrivate);

  it('UncompressedKeyCache: exact contents, FIFO eviction at capacity, a miss leaves out untouched', () => {
    const c = new UncompressedKeyCache(3);
    const forms = pubs.map((p) => secp256k1.Point.fromBytes(p).toBytes(false));
    const out = new Uint8Array(65).fill(0xaa);
    assert.equal(c.load(latin1(pubs[0]!), out), false);
    assert.ok(out.every((b) => b === 0xaa));
    for (let i = 0; i < 3; i++) c.store(latin1(pubs[i]!), forms[i]!);
    assert.equal(c.size, 3);
    for (let i = 0; i < 3; i++) {
      assert.equal(c.load(latin1(pubs[i]!), out), true);
      assert.deepEqual(out, forms[i]);
    }
    c.store(latin1(pubs[3]!), forms[3]!); // evicts 0, the oldest
    assert.equal(c.size, 3);
    assert.equal(c.load(latin1(pubs[0]!), out), false);
    c.store(latin1(pubs[4]!), forms[4]!); // evicts 1
    c.store(latin1(pubs[5]!), forms[5]!); // evicts 2
    c.store(latin1(pubs[6]!), forms[6]!); // evicts 3 (the ring wrapped)
    for (const [i, present] of [[1, false], [2, false], [3, false], [4, true], [5, true], [6, true]] as const) {
      assert.equal(c.load(latin1(pubs[i]!), out), present, `key ${i}`);
      if (present) assert.deepEqual(out, forms[i]);
    }
    assert.throws(() => c.store('x', new Uint8Array(33)), /65 bytes/);
    assert.throws(() => new UncompressedKeyCache(0), /positive integer/);
    assert.ok(NATIVE_KEY_CACHE_SIZE >= 1024);
  });

  it('UncompressedKeyCache keeps contents across slab growth and wrap-around', () => {
    const cap = 2500;
    const c = new UncompressedKeyCache(cap);
    const form = (i: number): Uint8Array => {
      const b = new Uint8Array(65);
      for (let j = 0; j < 65; j++) b[j] = (i * 31 + j * 7) & 0xff;
      b[0] = 4;
      return b;
    };
    const total = 3 * cap + 17;
    for (let i = 0; i < total; i++) c.store(`k${i}`, form(i));
    assert.equal(c.size, cap);
    const out = new Uint8Array(65);
    for (let i = 0; i < total; i++) {
      const present = i >= total - cap;
      assert.equal(c.load(`k${i}`, out), present, `k${i}`);
      if (present) assert.deepEqual(out, form(i));
    }
  });

  it('verdicts equal noble on valid, tampered, wrong-key and unparsable-key inputs, first call and cached', function () {
    if (!native) this.skip();
    const notOnCurve = (p: Uint8Array): Uint8Array => {
      const q = new Uint8Array(p);
      q[32] = q[32]! ^ 0x55;
      return q;
    };
    const xAboveP = new Uint8Array(33);
    xAboveP[0] = 0x02;
    xAboveP.set(Buffer.from((P + 1n).toString(16), 'hex'), 1);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: privs.length - 1 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.constantFrom('good', 'flipSig', 'flipHash', 'otherKey', 'notOnCurve', 'xAboveP', 'badPrefix', 'freshKey'),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (k, hash, mode, fresh) => {
          const sig = signHash(hash, privs[k]!);
          let pub = pubs[k]!;
          let h = hash;
          let s = sig;
          switch (mode) {
            case 'flipSig':
              s = new Uint8Array(sig);
              s[5] = s[5]! ^ 1;
              break;
            case 'flipHash':
              h = new Uint8Array(hash);
              h[0] = h[0]! ^ 0x80;
              break;
            case 'otherKey':
              pub = pubs[(k + 1) % pubs.length]!;
              break;
            case 'notOnCurve':
              pub = notOnCurve(pub);
              break;
            case 'xAboveP':
              pub = xAboveP;
              break;
            case 'badPrefix':
              pub = new Uint8Array(pub);
              pub[0] = 0x04;
              break;
            case 'freshKey': {
              // a key never seen before (the cache miss path), valid or not
              const q = new Uint8Array(33);
              q[0] = 0x02 | (fresh[0]! & 1);
              q.set(fresh, 1);
              pub = q;
              break;
            }
          }
          const want = noble.verify(s, h, pub);
          assert.equal(native!.verify(s, h, pub), want, `${mode} first`);
          assert.equal(native!.verify(s, h, pub), want, `${mode} cached`);
          if (mode === 'good') assert.equal(want, true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a view into a larger buffer and a Buffer key verify like a plain array (the cache key is the 33 bytes)', function () {
    if (!native) this.skip();
    const hash = sha256(enc.encode('views'));
    const sig = signHash(hash, privs[0]!);
    const big = new Uint8Array(100);
    big.set(pubs[0]!, 50);
    assert.equal(native!.verify(sig, hash, big.subarray(50, 83)), true);
    assert.equal(native!.verify(sig, hash, Buffer.from(pubs[0]!)), true);
    assert.equal(native!.verify(sig, hash, big.subarray(49, 82)), false);
    // a second native verifier shares the cache and gives the same verdicts
    const again = nativeVerifier()!;
    assert.equal(again.verify(sig, hash, pubs[0]!), true);
    assert.equal(again.verify(sig, hash, pubs[1]!), false);
  });
});
