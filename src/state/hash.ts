/**
 * SHA256 for the state Merkle structure. Node's one-shot `crypto.hash` with a 'latin1' string
 * result is ~3x faster than any Buffer-returning API for short inputs: a Buffer result is an
 * off-heap allocation per hash, which dominates the cost and the GC. Internally hashes travel as
 * 32-char latin1 strings and are copied into packed arrays; `sha256` gives a plain Uint8Array.
 */
import crypto from 'node:crypto';

type OneShot = (alg: string, data: Uint8Array, enc: string) => string;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/** SHA256 as a 32-char latin1 string (char i = byte i). */
export const sha256Str: (data: Uint8Array) => string = oneShot
  ? (data) => oneShot('sha256', data, 'latin1')
  : (data) => crypto.createHash('sha256').update(data).digest().toString('latin1');

/** Copies a latin1 hash string into `out` at `off`. */
export function writeStr(s: string, out: Uint8Array, off: number): void {
  for (let i = 0; i < s.length; i++) out[off + i] = s.charCodeAt(i);
}

export function strToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  writeStr(s, out, 0);
  return out;
}

export function sha256(data: Uint8Array): Uint8Array {
  return strToBytes(sha256Str(data));
}
