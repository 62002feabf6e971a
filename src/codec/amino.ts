/**
 * Amino binary (the proto3-compatible subset Binance Chain uses) on top of protobufjs's
 * Writer/Reader. Integers are plain (non-zigzag) varints, bytes/strings/structs are
 * length-delimited, repeated fields repeat their key, zero values are omitted.
 *
 * The reader is deliberately stricter than go-amino: it accepts only the canonical encoding
 * (fields in order, no unknown fields, no explicit zero values, minimal varints, no trailing
 * bytes, valid UTF-8). Go amino would skip unknown trailing fields; we refuse them so that
 * `decode ∘ encode` is the identity on every accepted input and a tx has exactly one hash.
 * No client (SDK, go-sdk, ledger) emits anything else.
 */
import protobuf from 'protobufjs/minimal.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { rootError } from '../errors.js';

export const WireType = { Varint: 0, Fixed64: 1, Bytes: 2, Fixed32: 5 } as const;
export const INT64_MAX = (1n << 63n) - 1n;
const MAX_FIELD = (1 << 29) - 1;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** The absent value of `sharedBytes` (zero length: nothing in it to change; frozen against properties). */
export const EMPTY_SHARED: Uint8Array = Object.freeze(new Uint8Array(0)) as Uint8Array;
/** Buffer's latin1 decoder applied to any Uint8Array range (for ASCII it is UTF-8 decoding). */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;

function decodeError(msg: string): never {
  throw rootError('txDecode', msg);
}

/** Amino's 4-byte type prefix: sha256(name), drop leading 0x00s, drop 3 disambiguation bytes, drop 0x00s, take 4. */
export function aminoPrefix(name: string): Uint8Array {
  const h = sha256(utf8Encoder.encode(name));
  let i = 0;
  while (h[i] === 0) i++;
  i += 3;
  while (h[i] === 0) i++;
  return h.slice(i, i + 4);
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
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

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Standalone uvarint (for length prefixes outside a message). */
export function encodeUvarint(v: bigint | number): Uint8Array {
  const w = new AminoWriter();
  w.rawUvarint(BigInt(v));
  return w.finish();
}

function checkInt64(v: bigint, what: string): void {
  if (v < 0n || v > INT64_MAX) throw rootError('overflow', `${what}: ${v} is outside 0..int64 max`);
}

/** Field-oriented writer. Every `field` method omits the zero value, as amino does. */
export class AminoWriter {
  private readonly w: protobuf.Writer = new protobuf.Writer();

  raw(b: Uint8Array): this {
    this.w.raw(b);
    return this;
  }

  rawUvarint(v: bigint): this {
    checkInt64(v, 'varint');
    if (v <= 0xffffffffn) this.w.uint32(Number(v));
    else this.w.uint64({ low: Number(v & 0xffffffffn) | 0, high: Number(v >> 32n) | 0, unsigned: true });
    return this;
  }

  private key(field: number, wire: number): void {
    this.w.uint32(((field << 3) | wire) >>> 0);
  }

  uvarint(field: number, v: bigint): this {
    checkInt64(v, `field ${field}`);
    if (v === 0n) return this;
    this.key(field, WireType.Varint);
    return this.rawUvarint(v);
  }

  /** Small unsigned ints (int8/uint8 enums in Go): same wire form as int64. */
  int(field: number, v: number): this {
    if (!Number.isSafeInteger(v)) throw rootError('overflow', `field ${field}: ${v} is not an integer`);
    return this.uvarint(field, BigInt(v));
  }

  bool(field: number, v: boolean): this {
    if (!v) return this;
    this.key(field, WireType.Varint);
    this.w.uint32(1);
    return this;
  }

  string(field: number, s: string): this {
    if (s === '') return this;
    return this.bytes(field, utf8Encoder.encode(s));
  }

  bytes(field: number, b: Uint8Array): this {
    if (b.length === 0) return this;
    this.key(field, WireType.Bytes);
    this.w.bytes(b);
    return this;
  }

  /** An embedded struct, always written (amino writes `key 00` for an empty element of a list). */
  struct(field: number, fn: (w: AminoWriter) => void): this {
    this.key(field, WireType.Bytes);
    this.w.fork();
    const inner = new AminoWriter();
    fn(inner);
    this.w.raw(inner.finish());
    this.w.ldelim();
    return this;
  }

  repeated<T>(field: number, items: readonly T[], fn: (w: AminoWriter, item: T) => void): this {
    for (const it of items) this.struct(field, (w) => fn(w, it));
    return this;
  }

  finish(): Uint8Array {
    // copy: protobufjs hands out views into a shared slab
    return new Uint8Array(this.w.finish());
  }
}

/**
 * Strict field reader. Fields must be read in increasing field order; a read of an absent field
 * returns the zero value; `finish()` demands that nothing is left.
 *
 * Hand-rolled over the byte array (no protobufjs Reader): varints are read as plain numbers
 * while they fit 49 bits (every key, length and count) and as bigint only beyond, and embedded
 * structs are read through a view of the parent's bytes, not a copy. Offsets in errors are
 * relative to the struct being read, as before.
 */
export class AminoReader {
  private readonly buf: Uint8Array;
  private p: number;
  /** Absolute end of the struct in `buf`; nothing at or past it is read. */
  private len: number;
  /** Absolute start of the struct in `buf`: positions and error offsets are relative to it. */
  private base: number;
  private lastField = 0;
  /** Size in bytes of the varint the last varintAt / numAt read. */
  private vsize = 0;

  constructor(buf: Uint8Array, start = 0, end = buf.length, base = 0) {
    // every read is bounded by `len`, so the buffer itself serves (no view to cut it at `end`)
    this.buf = buf;
    this.len = end;
    this.p = start;
    this.base = base;
  }

  /** A reader of the struct at buf[start, end), without a view of it (offsets count from `start`). */
  static within(buf: Uint8Array, start: number, end: number): AminoReader {
    return new AminoReader(buf, start, end, start);
  }

  get pos(): number {
    return this.p - this.base;
  }

  get done(): boolean {
    return this.p >= this.len;
  }

  get remaining(): number {
    return this.len - this.p;
  }

  /**
   * Reads a canonical (minimal) uvarint at `pos` as a number when it has ≤ 7 bytes (< 2^49),
   * else returns -1 and leaves the work to varintAt. Sets `vsize`.
   */
  private numAt(pos: number): number {
    const buf = this.buf;
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (pos + i >= this.len) decodeError(`truncated varint at offset ${pos - this.base}`);
      const b = buf[pos + i]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (b === 0 && i > 0) decodeError(`non-minimal varint at offset ${pos - this.base}`);
        this.vsize = i + 1;
        return v;
      }
      mul *= 128;
    }
    return -1;
  }

  /** Reads a canonical (minimal) uvarint at `pos`; sets `vsize`. */
  private varintAt(pos: number): bigint {
    const n = this.numAt(pos);
    if (n >= 0) return BigInt(n);
    const buf = this.buf;
    let v = 0n;
    let shift = 0n;
    for (let i = 0; ; i++) {
      if (pos + i >= this.len) decodeError(`truncated varint at offset ${pos - this.base}`);
      if (i >= 9) decodeError(`varint at offset ${pos - this.base} overflows int64`);
      const b = buf[pos + i]!;
      v |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (b < 0x80) {
        if (b === 0 && i > 0) decodeError(`non-minimal varint at offset ${pos - this.base}`);
        if (v > INT64_MAX) decodeError(`varint at offset ${pos - this.base} overflows int64`);
        this.vsize = i + 1;
        return v;
      }
    }
  }

  rawUvarint(): bigint {
    const v = this.varintAt(this.p);
    this.p += this.vsize;
    return v;
  }

  /** Bytes of the given length from the current position. */
  rawBytes(n: number): Uint8Array {
    if (n > this.remaining) decodeError(`length ${n} at offset ${this.p - this.base} overruns the ${this.remaining} bytes left`);
    const out = this.buf.slice(this.p, this.p + n);
    this.p += n;
    return out;
  }

  /** A view (no copy) of the next `n` bytes: for containers decoded at once, never kept. */
  rawView(n: number): Uint8Array {
    if (n > this.remaining) decodeError(`length ${n} at offset ${this.p - this.base} overruns the ${this.remaining} bytes left`);
    const out = this.buf.subarray(this.p, this.p + n);
    this.p += n;
    return out;
  }

  /** Like `repeatedBytes`, but views into the buffer (the caller decodes them at once). */
  repeatedViews(field: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    while (this.take(field, WireType.Bytes)) out.push(this.rawView(this.lengthOf(field)));
    return out;
  }

  /**
   * Each element of a repeated length-delimited field as a range of this buffer, handed to
   * `fn(buf, start, end)` (which must not keep `buf` beyond the call): no view per element.
   */
  repeatedRanges<T>(field: number, fn: (buf: Uint8Array, start: number, end: number) => T): T[] {
    // all elements are framed first, then decoded (so framing errors win, as with repeatedViews)
    if (!this.take(field, WireType.Bytes)) return [];
    const n0 = this.lengthOf(field);
    const s0 = this.p;
    this.p += n0;
    // one element (a tx's msg): no bounds list, and an exactly sized result
    if (!this.take(field, WireType.Bytes)) return [fn(this.buf, s0, s0 + n0)];
    const bounds: number[] = [s0, s0 + n0];
    do {
      const n = this.lengthOf(field);
      bounds.push(this.p, this.p + n);
      this.p += n;
    } while (this.take(field, WireType.Bytes));
    const out: T[] = [];
    for (let i = 0; i < bounds.length; i += 2) out.push(fn(this.buf, bounds[i]!, bounds[i + 1]!));
    return out;
  }

  /** Field number of the next key (0 when done); sets `kwire` and `ksize`. */
  private peekKey(): number {
    if (this.done) return 0;
    const pos = this.p;
    let k = this.numAt(pos);
    if (k < 0) {
      // a key beyond 2^49 can only be an invalid field number; report it as before
      const big = this.varintAt(pos);
      decodeError(`invalid field number ${big >> 3n} at offset ${pos - this.base}`);
    }
    const field = Math.floor(k / 8);
    if (field < 1 || field > MAX_FIELD) decodeError(`invalid field number ${field} at offset ${pos - this.base}`);
    this.kwire = k % 8;
    this.ksize = this.vsize;
    return field;
  }
  private kwire = 0;
  private ksize = 0;

  /** Consumes the key of `field` if it is next; false if the field is absent. */
  private take(field: number, wire: number): boolean {
    const f = this.peekKey();
    if (f === 0 || f > field) return false;
    if (f < field) {
      decodeError(f <= this.lastField ? `field ${f} out of order or repeated` : `unknown field ${f}`);
    }
    if (this.kwire !== wire) decodeError(`field ${field}: wire type ${this.kwire}, expected ${wire}`);
    this.p += this.ksize;
    this.lastField = field;
    return true;
  }

  /** Length of a length-delimited value, checked against what is left. */
  private lengthOf(field: number): number {
    const pos = this.p;
    let n = this.numAt(pos);
    if (n < 0) {
      const big = this.varintAt(pos);
      decodeError(`field ${field}: length ${big} overruns the ${this.remaining - this.vsize} bytes left`);
    }
    this.p += this.vsize;
    if (n > this.remaining) decodeError(`field ${field}: length ${n} overruns the ${this.remaining} bytes left`);
    return n;
  }

  private lengthDelimited(field: number): Uint8Array {
    return this.rawBytes(this.lengthOf(field));
  }

  uvarint(field: number): bigint {
    if (!this.take(field, WireType.Varint)) return 0n;
    const v = this.rawUvarint();
    if (v === 0n) decodeError(`field ${field}: zero value must be omitted`);
    return v;
  }

  int(field: number, max: number): number {
    const v = this.uvarint(field);
    if (v > BigInt(max)) decodeError(`field ${field}: ${v} exceeds ${max}`);
    return Number(v);
  }

  bool(field: number): boolean {
    if (!this.take(field, WireType.Varint)) return false;
    const v = this.rawUvarint();
    if (v !== 1n) decodeError(`field ${field}: invalid bool ${v}`);
    return true;
  }

  bytes(field: number): Uint8Array {
    if (!this.take(field, WireType.Bytes)) return new Uint8Array(0);
    const b = this.lengthDelimited(field);
    if (b.length === 0) decodeError(`field ${field}: empty value must be omitted`);
    return b;
  }

  /**
   * Like `bytes`, but a view into the buffer (no copy): for a value that is checked and then
   * copied or dropped at once, never kept.
   */
  bytesView(field: number): Uint8Array {
    if (!this.take(field, WireType.Bytes)) return new Uint8Array(0);
    const b = this.rawView(this.lengthOf(field));
    if (b.length === 0) decodeError(`field ${field}: empty value must be omitted`);
    return b;
  }

  /**
   * Like `bytes`, but a view sharing the buffer (no copy), and the one frozen empty array when
   * the field is absent. For the hot fields of a decoded tx (addresses, key, signature), which
   * live as long as the decoded tx and its bytes: a copy costs ~2.3× a view in garbage. The
   * value must be treated as read-only, and copied by whoever keeps it beyond the decoded tx
   * (the ante step copies a key it stores in an account).
   */
  sharedBytes(field: number): Uint8Array {
    if (!this.take(field, WireType.Bytes)) return EMPTY_SHARED;
    const b = this.rawView(this.lengthOf(field));
    if (b.length === 0) decodeError(`field ${field}: empty value must be omitted`);
    return b;
  }

  /**
   * Start in the buffer of the bytes of `field` (whose length is then `lastLength`), consumed;
   * -1 when absent (an empty value is refused as by `bytes`). For a caller that checks a wrapper
   * and keeps one view of what it wraps, without a view of the wrapper too.
   */
  bytesAt(field: number): number {
    if (!this.take(field, WireType.Bytes)) return -1;
    const n = this.lengthOf(field);
    if (n === 0) decodeError(`field ${field}: empty value must be omitted`);
    const start = this.p;
    this.p += n;
    this.lastLength = n;
    return start;
  }
  /** Length of the value the last `bytesAt` found. */
  lastLength = 0;

  /** The buffer this reader reads (positions from `bytesAt` index it). */
  get buffer(): Uint8Array {
    return this.buf;
  }

  string(field: number): string {
    if (!this.take(field, WireType.Bytes)) return '';
    const n = this.lengthOf(field);
    if (n === 0) decodeError(`field ${field}: empty value must be omitted`);
    const start = this.p;
    this.p += n;
    const buf = this.buf;
    if (n <= 64) {
      // short ASCII (denoms, symbols, memos): read in place, no view and no TextDecoder call
      let ascii = true;
      for (let i = start; i < start + n; i++) if (buf[i]! >= 0x80) { ascii = false; break; }
      if (ascii) return latin1Slice.call(buf, start, start + n);
    }
    const b = buf.subarray(start, start + n);
    try {
      return utf8Decoder.decode(b);
    } catch {
      return decodeError(`field ${field}: invalid UTF-8`);
    }
  }

  /** An optional embedded struct; the callback must consume it entirely. */
  struct<T>(field: number, fn: (r: AminoReader) => T): T | undefined {
    if (!this.take(field, WireType.Bytes)) return undefined;
    return this.sub(field, fn);
  }

  private sub<T>(field: number, fn: (r: AminoReader) => T): T {
    const n = this.lengthOf(field);
    // neither a copy, a view nor another reader: this reader narrows to the struct's bounds
    // (offsets relative to its start, field order restarting), runs `fn` on itself, and
    // widens back. `fn` reads only the reader it is given, as every struct decoder does.
    const start = this.p;
    const end = start + n;
    const outerLen = this.len;
    const outerBase = this.base;
    const outerField = this.lastField;
    this.len = end;
    this.base = start;
    this.lastField = 0;
    try {
      const v = fn(this);
      this.finish();
      return v;
    } finally {
      this.p = end;
      this.len = outerLen;
      this.base = outerBase;
      this.lastField = outerField;
    }
  }

  repeated<T>(field: number, fn: (r: AminoReader) => T): T[] {
    if (!this.take(field, WireType.Bytes)) return [];
    const first = this.sub(field, fn);
    // most lists hold one element (a coin, an input, a signature): an exactly sized array
    // instead of push's 16-slot backing store
    if (!this.take(field, WireType.Bytes)) return [first];
    const out: T[] = [first];
    do out.push(this.sub(field, fn));
    while (this.take(field, WireType.Bytes));
    return out;
  }

  /** Repeated raw bytes elements (each may be empty only if the caller allows it). */
  repeatedBytes(field: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    while (this.take(field, WireType.Bytes)) out.push(this.lengthDelimited(field));
    return out;
  }

  finish(): void {
    const f = this.peekKey();
    if (f === 0) return;
    decodeError(f <= this.lastField ? `field ${f} out of order or repeated` : `unknown field ${f}`);
  }
}
