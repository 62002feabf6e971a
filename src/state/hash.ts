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

/**
 * A reusable input buffer that hashes a slice of itself without allocating a view per call: the
 * views are cached per (offset, length), so staging a block hashes thousands of keys, values,
 * leaves and nodes with no allocation but the 32-char result string.
 */
export class HashScratch {
  buf: Uint8Array;
  /** views[off][len] = buf.subarray(off, off + len), for small offsets and lengths. */
  private views: Uint8Array[][] = [];

  constructor(size = 4096) {
    this.buf = new Uint8Array(size);
  }

  /** Makes room for n bytes (keeping the contents) and returns the buffer. */
  ensure(n: number): Uint8Array {
    if (this.buf.length < n) {
      const next = new Uint8Array(Math.max(n, this.buf.length * 2));
      next.set(this.buf);
      this.buf = next;
      this.views = [];
    }
    return this.buf;
  }

  /** SHA256 of buf[off, off + len) as a 32-char binary string. */
  hash(off: number, len: number): string {
    if (off > 7 || len > 4096) return sha256Str(this.buf.subarray(off, off + len));
    const row = this.views[off] ?? (this.views[off] = []);
    const v = row[len] ?? (row[len] = this.buf.subarray(off, off + len));
    return sha256Str(v);
  }
}
