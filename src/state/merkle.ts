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
import { sha256Str, sha256OfStr, scratchFor } from './hash.js';
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

/** The result of hashing a set of changes against the committed tree, applied at commit. */
export interface StagedHash {
  root: Uint8Array;
  buckets: Map<number, Bucket | undefined>;
  /** Per level (0 = root … 4 = buckets): index → new hash (latin1 string). */
  levels: Map<number, string>[];
}

export class BucketTree {
  private buckets: (Bucket | undefined)[] = new Array(NUM_BUCKETS);
  /** levels[L] holds 16^L hashes packed; levels[4] are the bucket hashes. */
  private levels: Uint8Array[] = Array.from({ length: LEVELS + 1 }, (_, l) => new Uint8Array(ARITY ** l * HASH));
  private load: { keys: string[]; bucket: number[]; leaves: string[] } | undefined;

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

  /** Hashes `changes` (value null = delete; keys unique) against the committed tree without modifying it. */
  stage(changes: Iterable<[string, string | null]>): StagedHash {
    const byBucket = new Map<number, [string, string | null][]>();
    for (const [k, v] of changes) {
      const b = bucketOfStr(k);
      const leaf = v === null ? null : leafHashStr(k, sha256OfStr(v));
      const arr = byBucket.get(b);
      if (arr) arr.push([k, leaf]);
      else byBucket.set(b, [[k, leaf]]);
    }
    const buckets = new Map<number, Bucket | undefined>();
    const levels: Map<number, string>[] = Array.from({ length: LEVELS + 1 }, () => new Map());
    for (const [b, arr] of byBucket) {
      const [bucket, hash] = mergeBucket(this.buckets[b], arr);
      buckets.set(b, bucket);
      levels[LEVELS].set(b, hash);
    }
    const children = new Uint8Array(ARITY * HASH);
    for (let l = LEVELS - 1; l >= 0; l--) {
      const dirtyBelow = levels[l + 1];
      const below = this.levels[l + 1];
      const parents = new Set<number>();
      for (const i of dirtyBelow.keys()) parents.add((i / ARITY) | 0);
      for (const p of parents) {
        children.set(below.subarray(p * ARITY * HASH, (p + 1) * ARITY * HASH));
        for (let c = 0; c < ARITY; c++) {
          const h = dirtyBelow.get(p * ARITY + c);
          if (h !== undefined) writeStr(h, children, c * HASH);
        }
        levels[l].set(p, nodeHashStr(children, 0));
      }
    }
    const root = levels[0].get(0);
    return { root: root === undefined ? this.root : strToBytes(root), buckets, levels };
  }

  apply(staged: StagedHash): void {
    for (const [b, bucket] of staged.buckets) this.buckets[b] = bucket;
    staged.levels.forEach((m, l) => {
      for (const [i, h] of m) writeStr(h, this.levels[l], i * HASH);
    });
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

/**
 * Merges changes (keys unique) into a bucket and hashes it in one pass: the merged leaves are laid
 * out once in the scratch buffer behind the 0x02 prefix, hashed from there and kept as one flat
 * string. Returns the new bucket (undefined when empty) and its hash.
 */
function mergeBucket(old: Bucket | undefined, changes: [string, string | null][]): [Bucket | undefined, string] {
  if (changes.length > 1) changes.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const oldKeys = old ? old.keys : [];
  const oldLeaves = old ? old.leaves : '';
  const buf = scratchFor(1 + (oldKeys.length + changes.length) * HASH);
  buf[0] = 0x02;
  const keys: string[] = [];
  let o = 1;
  let i = 0;
  let j = 0;
  while (i < oldKeys.length || j < changes.length) {
    const c = i >= oldKeys.length ? 1 : j >= changes.length ? -1 : oldKeys[i] < changes[j][0] ? -1 : oldKeys[i] === changes[j][0] ? 0 : 1;
    if (c < 0) {
      keys.push(oldKeys[i]);
      const from = i * HASH;
      for (let q = 0; q < HASH; q++) buf[o + q] = oldLeaves.charCodeAt(from + q);
      o += HASH;
      i++;
    } else {
      const leaf = changes[j][1];
      if (leaf !== null) {
        keys.push(changes[j][0]);
        writeStr(leaf, buf, o);
        o += HASH;
      }
      j++;
      if (c === 0) i++;
    }
  }
  if (keys.length === 0) return [undefined, ZERO];
  const hash = sha256Str(buf.subarray(0, o));
  return [{ keys, leaves: latin1Slice.call(buf, 1, o) }, hash];
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
