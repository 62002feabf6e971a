/**
 * Hashing and byte helpers shared by every layer. SHA-256 goes through node:crypto (OpenSSL,
 * several times faster than a JS implementation for the many small inputs a block carries);
 * RIPEMD-160 comes from @noble/hashes because OpenSSL 3 ships it only in the legacy provider,
 * which a stock Node build may not load.
 */
import * as nodeCrypto from 'node:crypto';
import { ripemd160 as nobleRipemd160 } from '@noble/hashes/legacy.js';

type OneShot = (algorithm: string, data: Uint8Array, encoding: 'latin1' | 'hex') => string;
/**
 * node:crypto's one-shot `hash` (Node ≥ 20.12) skips the Hash object: with a latin1 string out
 * and back it costs ~0.6 µs for a tx-sized input against ~2.5 µs for createHash (Merkle trees
 * of blocks, results and state hash thousands of leaves per block).
 */
const oneShot = (nodeCrypto as unknown as { hash?: OneShot }).hash;

export function sha256(b: Uint8Array): Uint8Array {
  const d = oneShot ? Buffer.from(oneShot('sha256', b, 'latin1'), 'latin1') : nodeCrypto.createHash('sha256').update(b).digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** SHA-256 as UPPERCASE hex (how tx hashes are written everywhere). */
export function sha256HexUpper(b: Uint8Array): string {
  return (oneShot ? oneShot('sha256', b, 'hex') : nodeCrypto.createHash('sha256').update(b).digest('hex')).toUpperCase();
}

/** SHA-256 as a 32-char latin1 string (one char per byte): no Buffer per digest for callers that write it into a larger buffer. */
export function sha256Latin1(b: Uint8Array): string {
  return oneShot ? oneShot('sha256', b, 'latin1') : nodeCrypto.createHash('sha256').update(b).digest('binary');
}

export function ripemd160(b: Uint8Array): Uint8Array {
  return nobleRipemd160(b);
}

/** Account address: RIPEMD160(SHA256(33-byte compressed secp256k1 key)), spec §D.3. */
export function addressFromPubKey(pub33: Uint8Array): Uint8Array {
  if (pub33.length !== 33) throw new Error(`addressFromPubKey: expected 33-byte compressed key, got ${pub33.length}`);
  return ripemd160(sha256(pub33));
}

/** Validator consensus address: first 20 bytes of SHA256(ed25519 pubkey) (tmhash.SumTruncated). */
export function consensusAddress(edPub32: Uint8Array): Uint8Array {
  if (edPub32.length !== 32) throw new Error(`consensusAddress: expected 32-byte ed25519 key, got ${edPub32.length}`);
  return sha256(edPub32).slice(0, 20);
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

const HEX_RE = /^[0-9a-fA-F]*$/;

/**
 * Strict hex decode: Buffer.from(s, 'hex') silently stops at the first bad pair, which would
 * let a malformed address or signature decode to something shorter instead of failing.
 */
export function fromHex(s: string): Uint8Array {
  if (typeof s !== 'string') throw new TypeError('fromHex: expected a string');
  if (s.length % 2 !== 0) throw new Error(`fromHex: odd-length hex string (${s.length} chars)`);
  if (!HEX_RE.test(s)) throw new Error('fromHex: invalid hex character');
  const buf = Buffer.from(s, 'hex');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic byte order (Go's bytes.Compare); shorter prefix sorts first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
