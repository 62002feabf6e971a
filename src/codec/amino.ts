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

interface Key {
  field: number;
  wire: number;
  size: number;
}

/**
 * Strict field reader. Fields must be read in increasing field order; a read of an absent field
 * returns the zero value; `finish()` demands that nothing is left.
 */
export class AminoReader {
  private readonly r: protobuf.Reader;
  private lastField = 0;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.r = protobuf.Reader.create(buf.subarray(0, end));
    this.r.pos = start;
  }

  get pos(): number {
    return this.r.pos;
  }

  get done(): boolean {
    return this.r.pos >= this.r.len;
  }

  get remaining(): number {
    return this.r.len - this.r.pos;
  }

  /** Reads a canonical (minimal) uvarint at `pos` and returns [value, size]. */
  private varintAt(pos: number): [bigint, number] {
    const buf = this.r.buf;
    let v = 0n;
    let shift = 0n;
    for (let i = 0; ; i++) {
      if (pos + i >= this.r.len) decodeError(`truncated varint at offset ${pos}`);
      if (i >= 9) decodeError(`varint at offset ${pos} overflows int64`);
      const b = buf[pos + i]!;
      v |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (b < 0x80) {
        if (b === 0 && i > 0) decodeError(`non-minimal varint at offset ${pos}`);
        if (v > INT64_MAX) decodeError(`varint at offset ${pos} overflows int64`);
        return [v, i + 1];
      }
    }
  }

  rawUvarint(): bigint {
    const [v, n] = this.varintAt(this.r.pos);
    this.r.pos += n;
    return v;
  }

  /** Bytes of the given length from the current position. */
  rawBytes(n: number): Uint8Array {
    if (n > this.remaining) decodeError(`length ${n} at offset ${this.r.pos} overruns the ${this.remaining} bytes left`);
    const out = this.r.buf.slice(this.r.pos, this.r.pos + n);
    this.r.pos += n;
    return out;
  }

  private peekKey(): Key | undefined {
    if (this.done) return undefined;
    const [k, size] = this.varintAt(this.r.pos);
    const wire = Number(k & 7n);
    const fieldBig = k >> 3n;
    if (fieldBig < 1n || fieldBig > BigInt(MAX_FIELD)) decodeError(`invalid field number ${fieldBig} at offset ${this.r.pos}`);
    return { field: Number(fieldBig), wire, size };
  }

  /** Consumes the key of `field` if it is next; false if the field is absent. */
  private take(field: number, wire: number): boolean {
    const k = this.peekKey();
    if (!k || k.field > field) return false;
    if (k.field < field) {
      decodeError(k.field <= this.lastField ? `field ${k.field} out of order or repeated` : `unknown field ${k.field}`);
    }
    if (k.wire !== wire) decodeError(`field ${field}: wire type ${k.wire}, expected ${wire}`);
    this.r.pos += k.size;
    this.lastField = field;
    return true;
  }

  private lengthDelimited(field: number): Uint8Array {
    const n = this.rawUvarint();
    if (n > BigInt(this.remaining)) decodeError(`field ${field}: length ${n} overruns the ${this.remaining} bytes left`);
    return this.rawBytes(Number(n));
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

  string(field: number): string {
    const b = this.bytes(field);
    if (b.length === 0) return '';
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
    const b = this.lengthDelimited(field);
    const inner = new AminoReader(b);
    const v = fn(inner);
    inner.finish();
    return v;
  }

  repeated<T>(field: number, fn: (r: AminoReader) => T): T[] {
    const out: T[] = [];
    while (this.take(field, WireType.Bytes)) out.push(this.sub(field, fn));
    return out;
  }

  /** Repeated raw bytes elements (each may be empty only if the caller allows it). */
  repeatedBytes(field: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    while (this.take(field, WireType.Bytes)) out.push(this.lengthDelimited(field));
    return out;
  }

  finish(): void {
    const k = this.peekKey();
    if (!k) return;
    decodeError(k.field <= this.lastField ? `field ${k.field} out of order or repeated` : `unknown field ${k.field}`);
  }
}
