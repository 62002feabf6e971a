/**
 * Growable byte writer for building a whole block's batch in a few large buffers: records and keys
 * are written back to back and handed to LevelDB as subarrays, so a 5,000-tx block costs a handful
 * of allocations instead of several per tx (the mechanism is `RecordBuffer`'s). This format:
 * big-endian u32 lengths, u64 heights, f64 times, records unaligned, each opened by `begin`.
 */

import { RecordBuffer } from './record-buffer.js';

/** Node's internal fast paths (stable since Node 0.x; used because `Buffer#write` parses its arguments on every call). */
type FastBuffer = Buffer & {
  utf8Write(s: string, offset: number, length?: number): number;
};

export class BytesWriter extends RecordBuffer<FastBuffer> {
  constructor(capacity: number) {
    super(Buffer.allocUnsafe(Math.max(64, capacity)) as FastBuffer);
  }

  protected override grown(need: number): FastBuffer {
    return Buffer.allocUnsafe(Math.max(this.buf.length * 2, need + 64)) as FastBuffer;
  }

  /** Starts a record at the current position. */
  begin(): void {
    this.start = this.pos;
  }

  /** The record written since `begin` (a view into the writer's buffer, never reused). */
  end(): Uint8Array {
    return this.view();
  }

  u32(v: number): void {
    this.ensure(4);
    const b = this.buf;
    let p = this.pos;
    b[p++] = v >>> 24;
    b[p++] = (v >>> 16) & 0xff;
    b[p++] = (v >>> 8) & 0xff;
    b[p++] = v & 0xff;
    this.pos = p;
  }

  /** A safe non-negative integer as 8 bytes big-endian (heights: byte order = numeric order). */
  u64(v: number): void {
    this.u32(Math.floor(v / 0x1_0000_0000));
    this.u32(v >>> 0);
  }

  /** A safe integer (may be negative: block times before 1970 are not ours to reject). */
  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  /** u32 length ‖ bytes. */
  lenBytes(b: Uint8Array): void {
    this.u32(b.length);
    this.bytes(b);
  }

  /** u32 byte length ‖ UTF-8 (lone surrogates become U+FFFD, as with any UTF-8 encoder). */
  str(s: string): void {
    const n = s.length;
    this.ensure(4 + n * 3);
    const b = this.buf;
    const at = this.pos + 4;
    let len: number;
    if (n < 48) {
      // Short ASCII strings (event keys, addresses, amounts) are cheaper copied here than via a native call.
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        b[at + i] = c;
      }
      len = i === n ? n : b.utf8Write(s, at);
    } else {
      len = b.utf8Write(s, at);
    }
    const p = this.pos;
    b[p] = len >>> 24;
    b[p + 1] = (len >>> 16) & 0xff;
    b[p + 2] = (len >>> 8) & 0xff;
    b[p + 3] = len & 0xff;
    this.pos = at + len;
  }
}

/** Sequential reader over one record (throws RangeError on truncated input). */
export class BytesReader {
  private pos = 0;
  private readonly buf: Buffer;

  constructor(b: Uint8Array) {
    this.buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length);
  }

  private need(n: number): number {
    const p = this.pos;
    if (p + n > this.buf.length) throw new RangeError('block store record is truncated');
    this.pos = p + n;
    return p;
  }

  u32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }

  u64(): number {
    const hi = this.u32();
    return hi * 0x1_0000_0000 + this.u32();
  }

  f64(): number {
    return this.buf.readDoubleBE(this.need(8));
  }

  /** A copy (callers keep it past the LevelDB buffer's life). */
  bytes(n: number): Uint8Array {
    const p = this.need(n);
    return new Uint8Array(this.buf.subarray(p, p + n));
  }

  lenBytes(): Uint8Array {
    return this.bytes(this.u32());
  }

  str(): string {
    const n = this.u32();
    const p = this.need(n);
    return this.buf.toString('utf8', p, p + n);
  }

  get done(): boolean {
    return this.pos === this.buf.length;
  }
}
