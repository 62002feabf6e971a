/**
 * Internal key/value representation: "binary strings" (latin1, one char per byte). JS compares
 * strings by UTF-16 code unit, which for chars 0–255 is exactly unsigned byte order (a proper
 * prefix first), so sorting and searching use native string comparison. A string is one
 * pointer-free heap object (~16 B + length) where a small Uint8Array is two objects (~100 B): at
 * millions of keys this cuts memory ~3x and makes full GCs cheap. Bytes are converted at the API
 * boundary; every `get` hands out a fresh Uint8Array (callers may mutate it freely).
 */

export const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;

export function bytesToStr(b: Uint8Array): string {
  return latin1Slice.call(b, 0, b.length);
}

export function strToBytes(s: string): Uint8Array {
  const n = s.length;
  if (n <= 64) {
    // small typed arrays live on the V8 heap: cheaper than a native call
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  const b = Buffer.from(s, 'latin1'); // pooled allocation; expose a plain Uint8Array view
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

const latin1Write = (Buffer.prototype as unknown as { latin1Write: (this: Uint8Array, s: string, off: number, len: number) => number }).latin1Write;

/** Copies a binary string into `out` at `off` (a JS loop for short strings, native for long ones). */
export function writeStr(s: string, out: Uint8Array, off: number): void {
  const n = s.length;
  if (n > 64) {
    latin1Write.call(out, s, off, n);
    return;
  }
  for (let i = 0; i < n; i++) out[off + i] = s.charCodeAt(i);
}

export function strToHex(s: string): string {
  return Buffer.from(s, 'latin1').toString('hex');
}
