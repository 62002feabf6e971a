/**
 * The buffer mechanism shared by the binary record writers (the block store's `BytesWriter`,
 * the DEX store's record writer): records are written back to back into one buffer and handed
 * out as views of it, so a block's thousands of records cost a few large allocations instead of
 * one or more each. A record handed out is never written again. Growth allocates a new buffer
 * and moves only the unfinished record; the finished ones keep the old buffer alive through
 * their views. Subclasses add their formats (field widths, string lengths, alignment) and say
 * what to allocate when the buffer is full.
 */
export abstract class RecordBuffer<B extends Uint8Array = Uint8Array> {
  buf: B;
  /** Start of the record being written. */
  start = 0;
  /** Write position. */
  pos = 0;

  constructor(buf: B) {
    this.buf = buf;
  }

  /** A new buffer able to hold `need` bytes (the unfinished record plus the next write). */
  protected abstract grown(need: number): B;

  /** Makes room for `n` more bytes at `pos`. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  /** Moves the unfinished record to the start of a new buffer (subclasses re-derive their views of `buf`). */
  protected grow(n: number): void {
    const len = this.pos - this.start;
    const next = this.grown(len + n);
    next.set(this.buf.subarray(this.start, this.pos));
    this.buf = next;
    this.start = 0;
    this.pos = len;
  }

  /** The record written since `start` (a view into the buffer, never written again). */
  view(): Uint8Array {
    return this.buf.subarray(this.start, this.pos);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}
