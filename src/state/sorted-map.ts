/**
 * An ordered map keyed by bytes: a two-level B-tree (an array of sorted leaf chunks, each chunk
 * a sorted array). Lookup is two binary searches; an insert shifts at most one chunk
 * (≤ MAX_CHUNK entries); a seek to a prefix costs O(log n), so a prefix scan touches only the
 * keys it returns. For millions of keys this beats a deeper tree in JS because the chunks are
 * plain arrays (cache friendly, no per-node objects).
 *
 * Iterators tolerate mutation of the map between steps: when the map changed since the last step
 * they re-seek just past the last key they yielded, so deletes/inserts during a scan are safe.
 */
import { compareBytes } from './bytes.js';

const MAX_CHUNK = 512;
const LOAD_CHUNK = 256;

interface Chunk<V> {
  keys: Uint8Array[];
  vals: V[];
}

export interface RangeOpts {
  /** Inclusive lower bound. */
  gte?: Uint8Array;
  /** Exclusive upper bound. */
  lt?: Uint8Array;
  /** Inclusive upper bound (used for reverse scans starting at a key). */
  lte?: Uint8Array;
  reverse?: boolean;
}

export class SortedMap<V> {
  private chunks: Chunk<V>[] = [];
  private count = 0;
  /** Bumped on every structural or value change; iterators compare it to re-seek. */
  mod = 0;

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.chunks = [];
    this.count = 0;
    this.mod++;
  }

  /** Index of the chunk that would hold `key` (the last chunk whose first key ≤ key, or 0). */
  private chunkFor(key: Uint8Array): number {
    const cs = this.chunks;
    let lo = 0;
    let hi = cs.length - 1;
    if (hi <= 0) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (compareBytes(cs[mid].keys[0], key) <= 0) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** First index in `keys` with keys[i] >= key. */
  private static lowerBound(keys: Uint8Array[], key: Uint8Array): number {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareBytes(keys[mid], key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(key: Uint8Array): V | undefined {
    if (this.count === 0) return undefined;
    const c = this.chunks[this.chunkFor(key)];
    const i = SortedMap.lowerBound(c.keys, key);
    if (i < c.keys.length && compareBytes(c.keys[i], key) === 0) return c.vals[i];
    return undefined;
  }

  has(key: Uint8Array): boolean {
    if (this.count === 0) return false;
    const c = this.chunks[this.chunkFor(key)];
    const i = SortedMap.lowerBound(c.keys, key);
    return i < c.keys.length && compareBytes(c.keys[i], key) === 0;
  }

  set(key: Uint8Array, val: V): void {
    this.mod++;
    if (this.count === 0) {
      this.chunks.push({ keys: [key], vals: [val] });
      this.count = 1;
      return;
    }
    const ci = this.chunkFor(key);
    const c = this.chunks[ci];
    const i = SortedMap.lowerBound(c.keys, key);
    if (i < c.keys.length && compareBytes(c.keys[i], key) === 0) {
      c.vals[i] = val;
      return;
    }
    c.keys.splice(i, 0, key);
    c.vals.splice(i, 0, val);
    this.count++;
    if (c.keys.length > MAX_CHUNK) {
      const half = c.keys.length >> 1;
      const right: Chunk<V> = { keys: c.keys.splice(half), vals: c.vals.splice(half) };
      this.chunks.splice(ci + 1, 0, right);
    }
  }

  delete(key: Uint8Array): boolean {
    if (this.count === 0) return false;
    const ci = this.chunkFor(key);
    const c = this.chunks[ci];
    const i = SortedMap.lowerBound(c.keys, key);
    if (i >= c.keys.length || compareBytes(c.keys[i], key) !== 0) return false;
    this.mod++;
    c.keys.splice(i, 1);
    c.vals.splice(i, 1);
    this.count--;
    if (c.keys.length === 0) this.chunks.splice(ci, 1);
    return true;
  }

  /** Bulk load: appends a key greater than every key present (e.g. from a sorted DB scan). */
  appendSorted(key: Uint8Array, val: V): void {
    const last = this.chunks[this.chunks.length - 1];
    if (last && compareBytes(last.keys[last.keys.length - 1], key) >= 0) {
      throw new Error('appendSorted: keys must be strictly ascending');
    }
    if (!last || last.keys.length >= LOAD_CHUNK) this.chunks.push({ keys: [key], vals: [val] });
    else {
      last.keys.push(key);
      last.vals.push(val);
    }
    this.count++;
    this.mod++;
  }

  /**
   * Position of the first entry ≥ key (forward) or the last entry ≤ key / < key (reverse),
   * as [chunk, index]; chunk === -1 or === chunks.length means "none".
   */
  private seekForward(key: Uint8Array | undefined, strictlyAfter: boolean): [number, number] {
    if (this.count === 0) return [0, 0];
    if (!key) return [0, 0];
    let ci = this.chunkFor(key);
    const c = this.chunks[ci];
    let i = SortedMap.lowerBound(c.keys, key);
    if (strictlyAfter && i < c.keys.length && compareBytes(c.keys[i], key) === 0) i++;
    if (i >= c.keys.length) {
      ci++;
      i = 0;
    }
    return [ci, i];
  }

  private seekReverse(key: Uint8Array | undefined, inclusive: boolean): [number, number] {
    if (this.count === 0) return [-1, 0];
    if (!key) {
      const last = this.chunks.length - 1;
      return [last, this.chunks[last].keys.length - 1];
    }
    let ci = this.chunkFor(key);
    const c = this.chunks[ci];
    let i = SortedMap.lowerBound(c.keys, key); // first ≥ key
    if (inclusive && i < c.keys.length && compareBytes(c.keys[i], key) === 0) return [ci, i];
    i--;
    if (i < 0) {
      ci--;
      if (ci < 0) return [-1, 0];
      i = this.chunks[ci].keys.length - 1;
    }
    return [ci, i];
  }

  /** Entries within the range, ascending or descending. */
  *range(opts: RangeOpts = {}): Generator<[Uint8Array, V]> {
    if (opts.reverse) yield* this.rangeReverse(opts);
    else yield* this.rangeForward(opts);
  }

  private *rangeForward(opts: RangeOpts): Generator<[Uint8Array, V]> {
    const { gte, lt, lte } = opts;
    let [ci, i] = this.seekForward(gte, false);
    let mod = this.mod;
    for (;;) {
      const c = this.chunks[ci];
      if (!c) return;
      if (i >= c.keys.length) {
        ci++;
        i = 0;
        continue;
      }
      const k = c.keys[i];
      if (lt && compareBytes(k, lt) >= 0) return;
      if (lte && compareBytes(k, lte) > 0) return;
      yield [k, c.vals[i]];
      if (mod !== this.mod) {
        [ci, i] = this.seekForward(k, true);
        mod = this.mod;
      } else i++;
    }
  }

  private *rangeReverse(opts: RangeOpts): Generator<[Uint8Array, V]> {
    const { gte, lt, lte } = opts;
    let ci: number;
    let i: number;
    if (lte && (!lt || compareBytes(lte, lt) < 0)) [ci, i] = this.seekReverse(lte, true);
    else [ci, i] = this.seekReverse(lt, false);
    let mod = this.mod;
    for (;;) {
      if (ci < 0) return;
      const c = this.chunks[ci];
      if (!c) return;
      if (i < 0) {
        ci--;
        if (ci < 0) return;
        i = this.chunks[ci].keys.length - 1;
        continue;
      }
      const k = c.keys[i];
      if (gte && compareBytes(k, gte) < 0) return;
      yield [k, c.vals[i]];
      if (mod !== this.mod) {
        [ci, i] = this.seekReverse(k, false);
        mod = this.mod;
      } else i--;
    }
  }
}
