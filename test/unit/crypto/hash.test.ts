import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { sha256, ripemd160, addressFromPubKey, consensusAddress, toHex, fromHex, bytesEqual, compareBytes } from '../../../src/crypto/hash.js';
import { loadSdkVectors } from './vectors.js';

describe('crypto/hash', () => {
  const V = loadSdkVectors();

  it('sha256 / ripemd160 known answers', () => {
    assert.equal(toHex(sha256(new Uint8Array())), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(toHex(ripemd160(new TextEncoder().encode('abc'))), '8eb208f7e05d987a9b044a8e98c6b087f15a0bfc');
  });

  it('sign_bytes_sha256 of every vector', () => {
    for (const v of V.vectors) assert.equal(toHex(sha256(new TextEncoder().encode(v.sign_bytes))), v.sign_bytes_sha256, v.name);
  });

  it('address = RIPEMD160(SHA256(pub)) matches the sender address (client-api §4.4)', () => {
    const pub = fromHex(V.keys.sender!.pubkey_compressed_hex!);
    assert.equal(toHex(addressFromPubKey(pub)), 'b6561dcc104130059a7c08f48c64610c1f6f9064');
    for (const v of V.vectors) assert.equal(toHex(addressFromPubKey(fromHex(v.pubkey_compressed_hex))), V.keys.sender!.address_hex);
    assert.throws(() => addressFromPubKey(new Uint8Array(65)));
  });

  it('consensusAddress = SHA256(pub)[0:20]', () => {
    const pub = new Uint8Array(32).fill(9);
    assert.equal(toHex(consensusAddress(pub)), createHash('sha256').update(pub).digest('hex').slice(0, 40));
    assert.throws(() => consensusAddress(new Uint8Array(33)));
  });

  it('fromHex is strict', () => {
    assert.deepEqual(fromHex('00ffAB'), new Uint8Array([0, 255, 171]));
    assert.deepEqual(fromHex(''), new Uint8Array());
    assert.throws(() => fromHex('abc'), /odd/);
    assert.throws(() => fromHex('zz'), /invalid/);
    assert.throws(() => fromHex('0x00'), /invalid/);
  });

  it('hex round trip, bytesEqual and compareBytes agree with Buffer.compare', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        assert.deepEqual(fromHex(toHex(a)), a);
        assert.equal(compareBytes(a, b), Buffer.compare(Buffer.from(a), Buffer.from(b)));
        assert.equal(bytesEqual(a, b), Buffer.from(a).equals(Buffer.from(b)));
        assert.equal(compareBytes(a, a), 0);
      }),
    );
  });
});
