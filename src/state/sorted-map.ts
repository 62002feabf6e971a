/**
 * An ordered map keyed by binary strings (see keys.ts; native string order = byte order): a
 * two-level B-tree, i.e. an array of sorted leaf chunks. Lookup is two binary searches; an insert
 * shifts at most one chunk (≤ MAX_CHUNK entries); a seek costs O(log n), so a prefix scan touches
 * only the keys it returns. For millions of keys this beats a deeper tree in JS because chunks are
 * plain arrays (cache friendly, no per-node objects).
 *
 * Iterators tolerate mutation between steps: when the map changed since the last step they
 * re-seek just past the last key they yielded.
 */

const MAX_CHUNK = 256;
const LOAD_CHUNK = 128;

interface Chunk<V> {
  keys: string[];
  vals: V[];
}

export interface RangeOpts {
  /** Inclusive lower bound. */
  gte?: string;
  /** Exclusive upper bound. */
  lt?: string;
  /** Inclusive upper bound. */
  lte?: string;
  reverse?: boolean;
}

/** First index with keys[i] >= key. */
function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SortedMap<V> {
  private chunks: Chunk<V>[] = [];
  private count = 0;
  /** Bumped on every change; iterators compare it to re-seek. */
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
  private chunkFor(key: string): number {
    const cs = this.chunks;
    let lo = 0;
    let hi = cs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cs[mid].keys[0] <= key) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  get(key: string): V | undefined {
    if (this.count === 0) return undefined;
    const c = this.chunks[this.chunkFor(key)];
    const i = lowerBound(c.keys, key);
    return i < c.keys.length && c.keys[i] === key ? c.vals[i] : undefined;
  }

  has(key: string): boolean {
    if (this.count === 0) return false;
    const c = this.chunks[this.chunkFor(key)];
    const i = lowerBound(c.keys, key);
    return i < c.keys.length && c.keys[i] === key;
  }

  set(key: string, val: V): void {
    this.mod++;
    if (this.count === 0) {
      this.chunks.push({ keys: [key], vals: [val] });
      this.count = 1;
      return;
    }
    const ci = this.chunkFor(key);
    const c = this.chunks[ci];
    const i = lowerBound(c.keys, key);
    if (i < c.keys.length && c.keys[i] === key) {
      c.vals[i] = val;
      return;
    }
    this.insertAt(ci, i, key, val);
  }

  /** Inserts a new key at position i of chunk ci (splitting the chunk when it grows too big). */
  private insertAt(ci: number, i: number, key: string, val: V): void {
    const c = this.chunks[ci]!;
    if (i === c.keys.length) {
      c.keys.push(key);
      c.vals.push(val);
    } else {
      c.keys.splice(i, 0, key);
      c.vals.splice(i, 0, val);
    }
    this.count++;
    if (c.keys.length > MAX_CHUNK) {
      const half = c.keys.length >> 1;
      this.chunks.splice(ci + 1, 0, { keys: c.keys.splice(half), vals: c.vals.splice(half) });
    }
  }

  delete(key: string): boolean {
    if (this.count === 0) return false;
    const ci = this.chunkFor(key);
    const c = this.chunks[ci];
    const i = lowerBound(c.keys, key);
    if (i >= c.keys.length || c.keys[i] !== key) return false;
    this.mod++;
    c.keys.splice(i, 1);
    c.vals.splice(i, 1);
    this.count--;
    if (c.keys.length === 0) this.chunks.splice(ci, 1);
    return true;
  }

  /** Calls `fn` per entry in ascending key order (no iterator, no tuples); `fn` must not change this map. */
  forEach(fn: (key: string, val: V) => void): void {
    for (const c of this.chunks) {
      const ck = c.keys;
      const cv = c.vals;
      for (let i = 0; i < ck.length; i++) fn(ck[i], cv[i]);
    }
  }

  /** All keys and values in ascending key order, as two fresh arrays (one pass, no iterator). */
  toArrays(): [string[], V[]] {
    const keys: string[] = new Array(this.count);
    const vals: V[] = new Array(this.count);
    let o = 0;
    for (const c of this.chunks) {
      const ck = c.keys;
      const cv = c.vals;
      for (let i = 0; i < ck.length; i++, o++) {
        keys[o] = ck[i];
        vals[o] = cv[i];
      }
    }
    return [keys, vals];
  }

  /**
   * Applies changes given in ascending key order (`null` deletes, so V must not include null
   * as a value). One forward walk over the chunks instead of a chunk search per key.
   */
  applySorted(keys: readonly string[], vals: readonly (V | null)[]): void {
    const cs = this.chunks;
    let ci = 0;
    for (let j = 0; j < keys.length; j++) {
      const key = keys[j]!;
      const val = vals[j]!;
      if (this.count === 0) {
        if (val !== null) this.set(key, val);
        continue;
      }
      while (ci + 1 < cs.length && cs[ci + 1]!.keys[0]! <= key) ci++;
      const c = cs[ci]!;
      const i = lowerBound(c.keys, key);
      const hit = i < c.keys.length && c.keys[i] === key;
      if (val === null) {
        if (!hit) continue;
        c.keys.splice(i, 1);
        c.vals.splice(i, 1);
        this.count--;
        if (c.keys.length === 0) {
          cs.splice(ci, 1);
          if (ci > 0) ci--;
        }
      } else if (hit) c.vals[i] = val;
      else this.insertAt(ci, i, key, val);
    }
    this.mod++;
  }

  /** Bulk load: appends a key greater than every key present (e.g. from a sorted DB scan). */
  appendSorted(key: string, val: V): void {
    const last = this.chunks[this.chunks.length - 1];
    if (last && last.keys[last.keys.length - 1] >= key) throw new Error('appendSorted: keys must be strictly ascending');
    if (!last || last.keys.length >= LOAD_CHUNK) this.chunks.push({ keys: [key], vals: [val] });
    else {
      last.keys.push(key);
      last.vals.push(val);
    }
    this.count++;
    this.mod++;
  }

  /** [chunk, index] of the first entry ≥ key (or > key when `after`); chunk may be past the end. */
  private seekForward(key: string | undefined, after: boolean): [number, number] {
    if (this.count === 0 || key === undefined) return [0, 0];
    let ci = this.chunkFor(key);
    const c = this.chunks[ci];
    let i = lowerBound(c.keys, key);
    if (after && i < c.keys.length && c.keys[i] === key) i++;
    if (i >= c.keys.length) {
      ci++;
      i = 0;
    }
    return [ci, i];
  }

  /** [chunk, index] of the last entry ≤ key (inclusive) or < key; chunk -1 = none. */
  private seekReverse(key: string | undefined, inclusive: boolean): [number, number] {
    if (this.count === 0) return [-1, 0];
    if (key === undefined) {
      const last = this.chunks.length - 1;
      return [last, this.chunks[last].keys.length - 1];
    }
    let ci = this.chunkFor(key);
    const c = this.chunks[ci];
    let i = lowerBound(c.keys, key);
    if (inclusive && i < c.keys.length && c.keys[i] === key) return [ci, i];
    i--;
    if (i < 0) {
      ci--;
      if (ci < 0) return [-1, 0];
      i = this.chunks[ci].keys.length - 1;
    }
    return [ci, i];
  }

  /** Entries within the range, ascending or descending. */
  *range(opts: RangeOpts = {}): Generator<[string, V]> {
    if (opts.reverse) yield* this.rangeReverse(opts);
    else yield* this.rangeForward(opts);
  }

  private *rangeForward({ gte, lt, lte }: RangeOpts): Generator<[string, V]> {
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
      if (lt !== undefined && k >= lt) return;
      if (lte !== undefined && k > lte) return;
      yield [k, c.vals[i]];
      if (mod !== this.mod) {
        [ci, i] = this.seekForward(k, true);
        mod = this.mod;
      } else i++;
    }
  }

  private *rangeReverse({ gte, lt, lte }: RangeOpts): Generator<[string, V]> {
    let [ci, i] = lte !== undefined && (lt === undefined || lte < lt) ? this.seekReverse(lte, true) : this.seekReverse(lt, false);
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
      if (gte !== undefined && k < gte) return;
      yield [k, c.vals[i]];
      if (mod !== this.mod) {
        [ci, i] = this.seekReverse(k, false);
        mod = this.mod;
      } else i--;
    }
  }
}
