/**
 * Byte helpers for building state keys. Keys are compared as unsigned bytes, so numbers that must
 * sort (heights, sequence ids) are written big-endian with a fixed width.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Keys are built from short ASCII strings (symbols, order ids, prefixes) thousands of times per
 * block; a char loop beats a TextEncoder call for them. Anything else goes to the encoder.
 */
export function utf8(s: string): Uint8Array {
  const n = s.length;
  if (n > 64) return encoder.encode(s);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return encoder.encode(s);
    out[i] = c;
  }
  return out;
}

export function fromUtf8(b: Uint8Array): string {
  return decoder.decode(b);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Unsigned lexicographic order; a proper prefix sorts first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i];
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The smallest key greater than every key that starts with `prefix` (an exclusive upper bound),
 * or undefined when no such key exists (empty prefix or all 0xff).
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  let i = prefix.length - 1;
  while (i >= 0 && prefix[i] === 0xff) i--;
  if (i < 0) return undefined;
  const out = new Uint8Array(prefix.subarray(0, i + 1)); // a copy even for a Buffer (whose slice aliases)
  out[i]++;
  return out;
}

export function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}

const U64_MAX = (1n << 64n) - 1n;

/** 8-byte big-endian unsigned encoding, so numeric order equals byte order. */
export function bigintToBytes8BE(v: bigint | number): Uint8Array {
  const out = new Uint8Array(8);
  // a bigint within 2^53 goes through the number path: no bigint shifts
  writeU64BE(out, 0, typeof v === 'bigint' && v >= 0n && v <= 9007199254740991n ? Number(v) : v);
  return out;
}

/**
 * Writes `bigintToBytes8BE(v)` into `out` at `o` (same range errors): keys built in one buffer
 * need no 8-byte array per number. Two 32-bit halves by hand: no BigInt conversion for numbers,
 * no DataView per call (state keys are built this way thousands of times per block).
 */
export function writeU64BE(out: Uint8Array, o: number, v: bigint | number): void {
  let hi: number;
  let lo: number;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`value out of uint64 range: ${v}`);
    hi = Math.floor(v / 0x1_0000_0000);
    lo = v >>> 0;
  } else {
    if (v < 0n || v > U64_MAX) throw new RangeError(`value out of uint64 range: ${v}`);
    hi = Number(v >> 32n);
    lo = Number(v & 0xffff_ffffn);
  }
  out[o] = hi >>> 24;
  out[o + 1] = (hi >>> 16) & 0xff;
  out[o + 2] = (hi >>> 8) & 0xff;
  out[o + 3] = hi & 0xff;
  out[o + 4] = lo >>> 24;
  out[o + 5] = (lo >>> 16) & 0xff;
  out[o + 6] = (lo >>> 8) & 0xff;
  out[o + 7] = lo & 0xff;
}

/**
 * The inverse of `bigintToBytes8BE`, read byte by byte: a DataView over a small array (values read
 * from state up to 64 bytes live on the V8 heap) makes V8 move it off-heap first, which cost more
 * than the read. Through a double while exact.
 */
export function bytes8BEToBigint(b: Uint8Array): bigint {
  if (b.length !== 8) throw new RangeError(`expected 8 bytes, got ${b.length}`);
  const hi = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  const lo = ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0;
  return hi < 0x200000 ? BigInt(hi * 4294967296 + lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

/** Height (a safe integer) as 8 sortable bytes. */
export function heightToBytes(h: number): Uint8Array {
  if (!Number.isSafeInteger(h) || h < 0) throw new RangeError(`invalid height: ${h}`);
  return bigintToBytes8BE(BigInt(h));
}

export function bytesToHeight(b: Uint8Array): number {
  return Number(bytes8BEToBigint(b));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
}

export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new TypeError('invalid hex string');
  return new Uint8Array(Buffer.from(s, 'hex'));
}
