/**
 * Crypto seam for consensus: everything in `consensus/` takes hashing and ed25519 from here, with
 * consensus' argument order (key first). Hashing and verification are the shared `src/crypto`
 * ones (node:crypto with a noble fallback, strict RFC 8032 on both paths); `ed25519Signer`
 * additionally keeps the parsed private key, because building a KeyObject costs more than the
 * signature and a validator signs every step.
 */
import { createPrivateKey, sign } from 'node:crypto';
import { sha256, sha256Latin1, sha256HexUpper, consensusAddress, toHex, bytesEqual, compareBytes } from '../crypto/hash.js';
import { ed25519PublicKey as sharedPublicKey, ed25519Sign as sharedSign, ed25519Verify as sharedVerify } from '../crypto/ed25519.js';

export { sha256, sha256Latin1, sha256HexUpper, consensusAddress, toHex, bytesEqual };

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  return sharedPublicKey(seed);
}

export function ed25519Sign(seed: Uint8Array, msg: Uint8Array): Uint8Array {
  return sharedSign(msg, seed);
}

/** Never throws; malformed keys or signatures are invalid. */
export function ed25519Verify(pubKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  return sharedVerify(sig, msg, pubKey);
}

/** A signing function holding the parsed key; falls back to the shared signer if OpenSSL refuses it. */
export function ed25519Signer(seed: Uint8Array): (msg: Uint8Array) => Uint8Array {
  if (seed.length !== 32) throw new Error('ed25519 private key must be a 32-byte seed');
  try {
    const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    return (msg) => new Uint8Array(sign(null, msg, key));
  } catch {
    return (msg) => sharedSign(msg, seed);
  }
}

/** Signature check seam: the node may pass a batching or caching verifier. */
export type SigVerifier = (pubKey: Uint8Array, msg: Uint8Array, sig: Uint8Array) => boolean;

/** Lexicographic byte order (Go's bytes.Compare). */
export function bytesCompare(a: Uint8Array, b: Uint8Array): number {
  return compareBytes(a, b);
}
