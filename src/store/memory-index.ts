/**
 * A side index in memory (tests, tools that replay blocks without a block store): the same
 * reads as the block store's, over a map kept sorted on demand.
 */
import { compareBytes } from '../state/bytes.js';
import type { IndexRange, IndexReader, IndexWriter } from './types.js';

const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');

export class MemoryIndex implements IndexReader {
  private readonly map = new Map<string, [Uint8Array, Uint8Array]>();
  private sorted: [Uint8Array, Uint8Array][] | undefined;

  /** Runs a block's writes (all of them, or none if `write` throws). */
  async apply(write: (w: IndexWriter) => void | Promise<void>): Promise<void> {
    const ops: [Uint8Array, Uint8Array | undefined][] = [];
    await write({ put: (k, v) => void ops.push([k.slice(), v.slice()]), del: (k) => void ops.push([k.slice(), undefined]) });
    for (const [k, v] of ops) {
      if (v) this.map.set(latin1(k), [k, v]);
      else this.map.delete(latin1(k));
    }
    this.sorted = undefined;
  }

  get size(): number {
    return this.map.size;
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.map.get(latin1(key))?.[1];
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return keys.map((k) => this.map.get(latin1(k))?.[1]);
  }

  async *range(r: IndexRange): AsyncIterable<[Uint8Array, Uint8Array]> {
    this.sorted ??= [...this.map.values()].sort((a, b) => compareBytes(a[0], b[0]));
    const inRange = this.sorted.filter(([k]) => (!r.gte || compareBytes(k, r.gte) >= 0) && (!r.lt || compareBytes(k, r.lt) < 0));
    if (r.reverse) inRange.reverse();
    const n = r.limit ?? inRange.length;
    for (let i = 0; i < Math.min(n, inRange.length); i++) yield inRange[i]!;
  }
}
