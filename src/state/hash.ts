/**
 * SHA256 for the state Merkle structure. Node's one-shot `crypto.hash` with a 'latin1' string
 * result is ~3x faster than any Buffer-returning API for short inputs: a Buffer result is an
 * off-heap allocation per hash, which dominates the cost and the GC. Internally hashes travel as
 * 32-char binary strings (see keys.ts); `sha256` gives a plain Uint8Array.
 */
import crypto from 'node:crypto';
import { strToBytes, writeStr } from './keys.js';

type OneShot = (alg: string, data: Uint8Array, enc: string) => string;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/** SHA256 of bytes as a 32-char binary string. */
export const sha256Str: (data: Uint8Array) => string = oneShot
  ? (data) => oneShot('sha256', data, 'latin1')
  : (data) => crypto.createHash('sha256').update(data).digest().toString('latin1');

/** Reusable input buffer: building hash inputs here avoids an allocation per hash. */
let scratch = new Uint8Array(8192);
export function scratchFor(n: number): Uint8Array {
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
  return scratch;
}

/** SHA256 of a binary string's bytes. */
export function sha256OfStr(s: string): string {
  const buf = scratchFor(s.length);
  writeStr(s, buf, 0);
  return sha256Str(buf.subarray(0, s.length));
}

export function sha256(data: Uint8Array): Uint8Array {
  return strToBytes(sha256Str(data));
}
