/**
 * Local crypto seam for consensus. `src/crypto/ed25519.ts` was not present when this module was
 * written (hashing comes from `src/crypto/hash.ts`); everything in `consensus/` imports hashing and ed25519 from here so
 * switching to the shared module is a one-file change.
 * node:crypto is used because its ed25519 is several times faster than a JS implementation,
 * and consensus verifies every vote.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { sha256, consensusAddress } from '../crypto/hash.js';

export { sha256, consensusAddress };

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function privKeyObject(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new Error('ed25519 private key must be a 32-byte seed');
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** Public-key objects are cached: building one costs more than a verification. */
const pubCache = new Map<string, KeyObject>();
function pubKeyObject(pub: Uint8Array): KeyObject {
  const k = Buffer.from(pub).toString('hex');
  let o = pubCache.get(k);
  if (!o) {
    o = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, pub]), format: 'der', type: 'spki' });
    if (pubCache.size > 10_000) pubCache.clear();
    pubCache.set(k, o);
  }
  return o;
}

export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  const der = createPublicKey(privKeyObject(seed)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - 32));
}

export function ed25519Sign(seed: Uint8Array, msg: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, msg, privKeyObject(seed)));
}

/** A signing function holding the parsed key (building a KeyObject costs more than signing). */
export function ed25519Signer(seed: Uint8Array): (msg: Uint8Array) => Uint8Array {
  const key = privKeyObject(seed);
  return (msg) => new Uint8Array(sign(null, msg, key));
}

export function ed25519Verify(pubKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (pubKey.length !== 32 || sig.length !== 64) return false;
  try {
    return verify(null, msg, pubKeyObject(pubKey), sig);
  } catch {
    return false;
  }
}

/** Signature check seam: the node may pass a batching or caching verifier. */
export type SigVerifier = (pubKey: Uint8Array, msg: Uint8Array, sig: Uint8Array) => boolean;

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic byte order (Go's bytes.Compare). */
export function bytesCompare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
