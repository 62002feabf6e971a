/**
 * Length-prefixed frames: a 4-byte big-endian length, then that many bytes. A fixed-width
 * prefix (rather than a varint) lets the reader reject an oversized frame after 4 bytes,
 * before buffering any of it.
 */

export class FrameError extends Error {
  constructor(readonly kind: 'oversized' | 'truncated', message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

export const FRAME_HEADER_BYTES = 4;

export function encodeFrame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length, false);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/** Push-based decoder: feed chunks as they arrive, get the complete frames back. */
export class FrameDecoder {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private need = -1;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes held that do not yet form a complete frame. */
  get pending(): number {
    return this.buffered;
  }

  /** @throws FrameError('oversized') as soon as a header announces too many bytes. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Uint8Array[] = [];
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < FRAME_HEADER_BYTES) break;
        const header = this.take(FRAME_HEADER_BYTES);
        const len = new DataView(header.buffer, header.byteOffset, 4).getUint32(0, false);
        if (len > this.maxFrameBytes) {
          throw new FrameError('oversized', `frame of ${len} bytes exceeds the limit of ${this.maxFrameBytes}`);
        }
        this.need = len;
      }
      if (this.buffered < this.need) break;
      frames.push(this.take(this.need));
      this.need = -1;
    }
    return frames;
  }

  /** Call at end of stream: leftover bytes mean the peer cut a frame short. */
  end(): void {
    if (this.buffered > 0 || this.need >= 0) {
      throw new FrameError('truncated', 'stream ended inside a frame');
    }
  }

  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const head = this.chunks[0]!;
      const k = Math.min(head.length, n - off);
      out.set(head.subarray(0, k), off);
      off += k;
      if (k === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(k);
    }
    this.buffered -= n;
    return out;
  }
}

/** A chunk as libp2p streams yield it (a Uint8Array or a Uint8ArrayList). */
export type Chunk = Uint8Array | { subarray(): Uint8Array };

function flatten(c: Chunk): Uint8Array {
  return c instanceof Uint8Array ? c : c.subarray();
}

/** Pull-based reader over a stream's async iterator: `next()` yields one frame or null at a clean end. */
export class FrameReader {
  private readonly it: AsyncIterator<Chunk>;
  private readonly decoder: FrameDecoder;
  private ready: Uint8Array[] = [];
  private done = false;

  constructor(source: AsyncIterable<Chunk>, maxFrameBytes: number) {
    this.it = source[Symbol.asyncIterator]();
    this.decoder = new FrameDecoder(maxFrameBytes);
  }

  async next(): Promise<Uint8Array | null> {
    for (;;) {
      const f = this.ready.shift();
      if (f !== undefined) return f;
      if (this.done) return null;
      const r = await this.it.next();
      if (r.done === true) {
        this.done = true;
        this.decoder.end();
        continue;
      }
      this.ready = this.decoder.push(flatten(r.value));
    }
  }
}
