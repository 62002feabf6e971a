/**
 * The app hash: a bucketed Merkle tree over the whole state.
 *
 *   leaf(k, v)  = SHA256(0x00 ‖ u32be(len k) ‖ k ‖ SHA256(v))
 *   bucket(k)   = first 2 bytes of SHA256(k), big-endian → 0 … 65535
 *   bucketHash  = SHA256(0x02 ‖ leaf_1 ‖ … ‖ leaf_n), leaves ordered by key; empty bucket = 32 zero bytes
 *   node        = SHA256(0x01 ‖ child_0 ‖ … ‖ child_15); a node whose 16 children are all zero is zero
 *   appHash     = root of the complete 16-ary tree (4 levels of nodes) over the 65536 bucket hashes
 *
 * Why buckets: placement depends only on the key, so the same set of (key, value) pairs gives the
 * same root on every node whatever the write order, and the shape never rebalances. A block that
 * changes m keys hashes m leaves, ≤ m buckets (≈16 leaves each at 1M keys) and the dirty paths
 * (≤ 4·m nodes): the cost follows m, not the state size. Why 16-ary: SHA256 in Node costs mostly
 * per call (a 513-byte input costs ~1.2× a 65-byte one), so 4 wide levels hash far fewer times
 * than 16 binary levels (≈4k instead of ≈32k node hashes for a 10k-write block at 1M keys).
 * Each level is one packed array (heap order), so a commit rewrites only dirty nodes.
 * The zero convention makes the empty state's hash 32 zero bytes and lets a sparse state skip
 * empty subtrees.
 *
 * A proof for key k carries every leaf of k's bucket as (key, SHA256(value)) and, per level, the 15
 * sibling hashes; the verifier rebuilds the bucket hash and folds the path. Absence is proven by
 * the complete bucket not containing k (proof leaves must be sorted and belong to the bucket).
 */
import { compareBytes, bytesEqual, toHex, fromHex } from './bytes.js';
import { sha256Str, sha256OfStr, scratchFor, HashScratch } from './hash.js';
import { writeStr, strToBytes, strToHex, bytesToStr, latin1Slice } from './keys.js';
import type { MerkleProof } from './types.js';

export const BUCKET_BITS = 16;
export const NUM_BUCKETS = 1 << BUCKET_BITS;
const ARITY = 16;
/** Node levels above the buckets: level 0 = root (1 node) … level 3 (4096 nodes); level 4 = buckets. */
const LEVELS = 4;
const HASH = 32;
/** Keys, values and hashes travel as binary strings (see keys.ts); this is the zero hash. */
const ZERO = '\0'.repeat(HASH);

/** Bucket of a key given as bytes. */
export function bucketOf(key: Uint8Array): number {
  const h = sha256Str(key);
  return (h.charCodeAt(0) << 8) | h.charCodeAt(1);
}

function bucketOfStr(key: string): number {
  const h = sha256OfStr(key);
  return (h.charCodeAt(0) << 8) | h.charCodeAt(1);
}

/** leaf(k, v) given k and SHA256(v) as binary strings. */
function leafHashStr(key: string, valueHash: string): string {
  const n = key.length;
  const len = 1 + 4 + n + HASH;
  const buf = scratchFor(len);
  buf[0] = 0x00;
  buf[1] = (n >>> 24) & 0xff;
  buf[2] = (n >>> 16) & 0xff;
  buf[3] = (n >>> 8) & 0xff;
  buf[4] = n & 0xff;
  writeStr(key, buf, 5);
  writeStr(valueHash, buf, 5 + n);
  return sha256Str(buf.subarray(0, len));
}

/** leaf(k, v) given SHA256(v). */
export function leafHash(key: Uint8Array, valueHash: Uint8Array): Uint8Array {
  return strToBytes(leafHashStr(bytesToStr(key), bytesToStr(valueHash)));
}

function isZeroAt(a: Uint8Array, off: number, len: number): boolean {
  for (let i = off; i < off + len; i++) if (a[i] !== 0) return false;
  return true;
}

/** Hash of a bucket from its leaves (n·32 bytes in key order, as bytes or a latin1 string). */
function bucketHashStr(leaves: Uint8Array | string): string {
  if (leaves.length === 0) return ZERO;
  const buf = scratchFor(1 + leaves.length);
  buf[0] = 0x02;
  if (typeof leaves === 'string') writeStr(leaves, buf, 1);
  else buf.set(leaves, 1);
  return sha256Str(buf.subarray(0, 1 + leaves.length));
}

/** Hash of a node from its 16 children packed in `children` at `off`. */
function nodeHashStr(children: Uint8Array, off: number): string {
  if (isZeroAt(children, off, ARITY * HASH)) return ZERO;
  const buf = scratchFor(1 + ARITY * HASH);
  buf[0] = 0x01;
  buf.set(children.subarray(off, off + ARITY * HASH), 1);
  return sha256Str(buf.subarray(0, 1 + ARITY * HASH));
}

/**
 * Keys of one bucket in ascending order and their leaf hashes concatenated in the same order as
 * one latin1 string (32 chars per leaf): strings are cheap young-generation objects, where a small
 * typed array per bucket would be an off-heap allocation per dirty bucket per block.
 */
interface Bucket {
  keys: string[];
  leaves: string;
}

/**
 * The result of hashing a block's changes against the committed tree, applied at commit. Flat
 * typed arrays, not Maps of strings: a block stages tens of thousands of keys, and per-key
 * objects were most of staging's cost (allocation and GC), more than the hashing.
 */
export interface StagedHash {
  root: Uint8Array;
  /** Dirty buckets (ascending) and their new contents (undefined = now empty). */
  bucketIdx: Int32Array;
  bucketNew: (Bucket | undefined)[];
  /** Per level (0 = root … 4 = buckets): dirty indices ascending, and their new hashes packed. */
  dirty: Int32Array[];
  hashes: Uint8Array[];
}

export class BucketTree {
  private buckets: (Bucket | undefined)[] = new Array(NUM_BUCKETS);
  /** levels[L] holds 16^L hashes packed; levels[4] are the bucket hashes. */
  private levels: Uint8Array[] = Array.from({ length: LEVELS + 1 }, (_, l) => new Uint8Array(ARITY ** l * HASH));
  private load: { keys: string[]; bucket: number[]; leaves: string[] } | undefined;
  /** Leaf input: 0x00 ‖ u32be(len k) ‖ k ‖ SHA256(v); the key alone (offset 5) places it. */
  private readonly leafIn = new HashScratch(1024);
  private readonly valueIn = new HashScratch(1024);
  /** Bucket and node inputs. */
  private readonly nodeIn = new HashScratch(1 + ARITY * HASH);

  get root(): Uint8Array {
    return this.levels[0].slice(0, HASH);
  }

  /** Bulk load in ascending key order (each bucket's keys then arrive sorted); then `finishLoad`. */
  loadLeaf(key: string, value: string): void {
    if (!this.load) this.load = { keys: [], bucket: [], leaves: [] };
    this.load.keys.push(key);
    this.load.bucket.push(bucketOfStr(key));
    this.load.leaves.push(leafHashStr(key, sha256OfStr(value)));
  }

  finishLoad(): void {
    const L = this.load ?? { keys: [], bucket: [], leaves: [] };
    this.load = undefined;
    const parts: string[][] = new Array(NUM_BUCKETS);
    this.buckets = new Array(NUM_BUCKETS);
    for (let i = 0; i < L.keys.length; i++) {
      const b = L.bucket[i];
      let bk = this.buckets[b];
      if (!bk) {
        bk = this.buckets[b] = { keys: [], leaves: '' };
        parts[b] = [];
      }
      bk.keys.push(L.keys[i]);
      parts[b].push(L.leaves[i]);
    }
    for (let b = 0; b < NUM_BUCKETS; b++) if (parts[b]) this.buckets[b]!.leaves = parts[b].join('');
    for (const lv of this.levels) lv.fill(0);
    const top = this.levels[LEVELS];
    for (let b = 0; b < NUM_BUCKETS; b++) {
      const bk = this.buckets[b];
      if (bk) writeStr(bucketHashStr(bk.leaves), top, b * HASH);
    }
    for (let l = LEVELS - 1; l >= 0; l--) {
      const below = this.levels[l + 1];
      const lv = this.levels[l];
      for (let i = 0; i < ARITY ** l; i++) writeStr(nodeHashStr(below, i * ARITY * HASH), lv, i * HASH);
    }
  }

  /**
   * Hashes a block's changes against the committed tree without modifying it. `keys` ascending
   * and unique; `vals[i]` null deletes `keys[i]`.
   *
   * One pass hashes each key (placement) and leaf into flat arrays; the changes are then grouped
   * by bucket with one numeric sort of (bucket, index) pairs, which keeps each bucket's changes in
   * key order; each dirty bucket is merged and re-hashed once, then the dirty paths level by level.
   */
  stage(keys: readonly string[], vals: readonly (string | null)[]): StagedHash {
    const n = keys.length;
    const leafOf = new Uint8Array(n * HASH);
    const order = new Float64Array(n);
    const L = this.leafIn;
    const V = this.valueIn;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const kn = k.length;
      const lb = L.ensure(5 + kn + HASH);
      writeStr(k, lb, 5);
      const h = L.hash(5, kn);
      order[i] = ((h.charCodeAt(0) << 8) | h.charCodeAt(1)) * 0x1_0000_0000 + i;
      const v = vals[i];
      if (v === null) continue;
      const vn = v.length;
      writeStr(v, V.ensure(vn), 0);
      writeStr(V.hash(0, vn), lb, 5 + kn);
      lb[0] = 0x00;
      lb[1] = (kn >>> 24) & 0xff;
      lb[2] = (kn >>> 16) & 0xff;
      lb[3] = (kn >>> 8) & 0xff;
      lb[4] = kn & 0xff;
      writeStr(L.hash(0, 5 + kn + HASH), leafOf, i * HASH);
    }
    order.sort();

    // dirty buckets: runs of equal bucket in `order`
    let m = 0;
    for (let j = 0, prev = -1; j < n; j++) {
      const b = Math.floor(order[j]! / 0x1_0000_0000);
      if (b !== prev) {
        m++;
        prev = b;
      }
    }
    const bucketIdx = new Int32Array(m);
    const bucketNew: (Bucket | undefined)[] = new Array(m);
    const bucketHashes = new Uint8Array(m * HASH);
    const pos = new Int32Array(n); // per change (in `order`), its slot in the old bucket or -1
    for (let j = 0, d = 0; j < n; d++) {
      const b = Math.floor(order[j]! / 0x1_0000_0000);
      let e = j + 1;
      while (e < n && Math.floor(order[e]! / 0x1_0000_0000) === b) e++;
      bucketIdx[d] = b;
      const nb = this.mergeBucket(this.buckets[b], keys, vals, leafOf, order, pos, j, e, bucketHashes, d * HASH);
      bucketNew[d] = nb;
      j = e;
    }

    const dirty: Int32Array[] = new Array(LEVELS + 1);
    const hashes: Uint8Array[] = new Array(LEVELS + 1);
    dirty[LEVELS] = bucketIdx;
    hashes[LEVELS] = bucketHashes;
    const N = this.nodeIn;
    const nb = N.buf;
    for (let l = LEVELS - 1; l >= 0; l--) {
      const childIdx = dirty[l + 1]!;
      const childHash = hashes[l + 1]!;
      const below = this.levels[l + 1]!;
      const cm = childIdx.length;
      let pm = 0;
      for (let j = 0, prev = -1; j < cm; j++) {
        const p = childIdx[j]! >>> 4;
        if (p !== prev) {
          pm++;
          prev = p;
        }
      }
      const idx = new Int32Array(pm);
      const out = new Uint8Array(pm * HASH);
      for (let j = 0, d = 0; j < cm; d++) {
        const p = childIdx[j]! >>> 4;
        idx[d] = p;
        nb[0] = 0x01;
        nb.set(below.subarray(p * ARITY * HASH, (p + 1) * ARITY * HASH), 1);
        for (; j < cm && childIdx[j]! >>> 4 === p; j++) {
          const at = 1 + (childIdx[j]! & (ARITY - 1)) * HASH;
          const from = j * HASH;
          for (let q = 0; q < HASH; q++) nb[at + q] = childHash[from + q]!;
        }
        // a node whose children are all zero is zero (out is zero-filled already)
        if (!isZeroAt(nb, 1, ARITY * HASH)) writeStr(N.hash(0, 1 + ARITY * HASH), out, d * HASH);
      }
      dirty[l] = idx;
      hashes[l] = out;
    }
    const root = dirty[0]!.length > 0 ? hashes[0]!.slice(0, HASH) : this.root;
    return { root, bucketIdx, bucketNew, dirty, hashes };
  }

  /**
   * Merges the changes order[s, e) of one bucket (in key order) into its committed contents and
   * hashes it, writing the hash into `out` at `outOff`. When the bucket keeps its key set (only
   * updates: the common case for accounts) the old key array is shared and the old leaves are
   * copied in one native call, then patched.
   */
  private mergeBucket(
    old: Bucket | undefined,
    keys: readonly string[],
    vals: readonly (string | null)[],
    leafOf: Uint8Array,
    order: Float64Array,
    pos: Int32Array,
    s: number,
    e: number,
    out: Uint8Array,
    outOff: number,
  ): Bucket | undefined {
    const oldKeys = old ? old.keys : NO_KEYS;
    const on = oldKeys.length;
    // locate each change in the old keys (both ascending)
    let same = true;
    let adds = 0;
    for (let j = s, i = 0; j < e; j++) {
      const ci = order[j]! % 0x1_0000_0000;
      const k = keys[ci]!;
      while (i < on && oldKeys[i]! < k) i++;
      const found = i < on && oldKeys[i] === k;
      pos[j] = found ? i : -1;
      if (!found) {
        if (vals[ci] !== null) {
          same = false;
          adds++;
        }
      } else if (vals[ci] === null) same = false;
    }
    const N = this.nodeIn;
    const buf = N.ensure(1 + (on + adds) * HASH);
    buf[0] = 0x02;
    let newKeys: string[];
    let o: number;
    if (same) {
      if (on === 0) return undefined; // only deletes of absent keys
      writeStr(old!.leaves, buf, 1);
      for (let j = s; j < e; j++) {
        if (pos[j]! < 0) continue; // a delete of an absent key
        const at = 1 + pos[j]! * HASH;
        const from = (order[j]! % 0x1_0000_0000) * HASH;
        for (let q = 0; q < HASH; q++) buf[at + q] = leafOf[from + q]!;
      }
      newKeys = old!.keys;
      o = 1 + on * HASH;
    } else {
      const oldLeaves = old ? old.leaves : '';
      newKeys = [];
      o = 1;
      let i = 0;
      for (let j = s; j <= e; j++) {
        // old keys before this change (all of the rest after the last one)
        const stop = j < e ? (pos[j]! >= 0 ? pos[j]! : nextOld(oldKeys, i, keys[order[j]! % 0x1_0000_0000]!)) : on;
        for (; i < stop; i++) {
          newKeys.push(oldKeys[i]!);
          const from = i * HASH;
          for (let q = 0; q < HASH; q++) buf[o + q] = oldLeaves.charCodeAt(from + q);
          o += HASH;
        }
        if (j === e) break;
        const ci = order[j]! % 0x1_0000_0000;
        if (pos[j]! >= 0) i++; // replaced or deleted
        if (vals[ci] === null) continue;
        newKeys.push(keys[ci]!);
        const from = ci * HASH;
        for (let q = 0; q < HASH; q++) buf[o + q] = leafOf[from + q]!;
        o += HASH;
      }
      if (newKeys.length === 0) return undefined; // hash stays zero
    }
    writeStr(N.hash(0, o), out, outOff);
    return { keys: newKeys, leaves: latin1Slice.call(buf, 1, o) };
  }

  apply(staged: StagedHash): void {
    const { bucketIdx, bucketNew } = staged;
    for (let d = 0; d < bucketIdx.length; d++) this.buckets[bucketIdx[d]!] = bucketNew[d];
    for (let l = 0; l <= LEVELS; l++) {
      const idx = staged.dirty[l]!;
      const h = staged.hashes[l]!;
      const lv = this.levels[l]!;
      for (let d = 0; d < idx.length; d++) {
        const at = idx[d]! * HASH;
        const from = d * HASH;
        for (let q = 0; q < HASH; q++) lv[at + q] = h[from + q]!;
      }
    }
  }

  /** Proof for `key` against the committed root; `valueOf` reads committed values. */
  prove(key: string, valueOf: (k: string) => string | undefined): StateProof {
    const b = bucketOfStr(key);
    const bucket = this.buckets[b];
    const leaves: [string, string][] = [];
    if (bucket) {
      for (const k of bucket.keys) {
        const v = valueOf(k);
        if (v === undefined) throw new Error('state and Merkle tree disagree');
        leaves.push([strToHex(k), strToHex(sha256OfStr(v))]);
      }
    }
    const siblings: string[][] = [];
    let idx = b;
    for (let l = LEVELS; l >= 1; l--) {
      const first = idx - (idx % ARITY);
      const row: string[] = [];
      for (let c = first; c < first + ARITY; c++) if (c !== idx) row.push(toHex(this.levels[l].subarray(c * HASH, (c + 1) * HASH)));
      siblings.push(row);
      idx = (idx / ARITY) | 0;
    }
    return { bucket: b, leaves, siblings };
  }
}

const NO_KEYS: readonly string[] = [];

/** First index ≥ i whose key is > k (k absent from keys). */
function nextOld(keys: readonly string[], i: number, k: string): number {
  while (i < keys.length && keys[i]! < k) i++;
  return i;
}

/**
 * JSON-serialisable proof: the full bucket as (key hex, SHA256(value) hex) and, from the bucket
 * level up, the 15 sibling hashes of each level (in child order, the path's own slot left out).
 */
export interface StateProof extends MerkleProof {
  bucket: number;
  leaves: [string, string][];
  siblings: string[][];
}

/**
 * True when `proof` shows that under `root`, `key` maps to `value` (or is absent when `value` is
 * undefined). Never throws on malformed proofs; returns false.
 */
export function verifyProof(root: Uint8Array, key: Uint8Array, value: Uint8Array | undefined, proof: MerkleProof): boolean {
  try {
    const p = proof as Partial<StateProof>;
    if (!p || !Array.isArray(p.leaves) || !Array.isArray(p.siblings) || typeof p.bucket !== 'number') return false;
    if (p.siblings.length !== LEVELS || !(root instanceof Uint8Array) || root.length !== HASH) return false;
    const b = bucketOf(key);
    if (p.bucket !== b) return false;
    const packed = new Uint8Array(p.leaves.length * HASH);
    let prev: Uint8Array | undefined;
    let found: Uint8Array | undefined;
    for (let i = 0; i < p.leaves.length; i++) {
      const e = p.leaves[i];
      if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string' || typeof e[1] !== 'string') return false;
      const k = fromHex(e[0]);
      const vh = fromHex(e[1]);
      if (vh.length !== HASH) return false;
      if (prev && compareBytes(prev, k) >= 0) return false;
      if (bucketOf(k) !== b) return false;
      prev = k;
      if (bytesEqual(k, key)) found = vh;
      writeStr(leafHashStr(bytesToStr(k), bytesToStr(vh)), packed, i * HASH);
    }
    if (value === undefined) {
      if (found) return false;
    } else if (!(value instanceof Uint8Array) || !found || !bytesEqual(found, strToBytes(sha256Str(value)))) return false;
    let h = strToBytes(bucketHashStr(packed));
    let idx = b;
    const children = new Uint8Array(ARITY * HASH);
    for (const row of p.siblings) {
      if (!Array.isArray(row) || row.length !== ARITY - 1) return false;
      const pos = idx % ARITY;
      let r = 0;
      for (let c = 0; c < ARITY; c++) {
        if (c === pos) children.set(h, c * HASH);
        else {
          const s = row[r++];
          if (typeof s !== 'string') return false;
          const sib = fromHex(s);
          if (sib.length !== HASH) return false;
          children.set(sib, c * HASH);
        }
      }
      h = strToBytes(nodeHashStr(children, 0));
      idx = (idx / ARITY) | 0;
    }
    return bytesEqual(h, root);
  } catch {
    return false;
  }
}
