/**
 * Read/write views over the committed state: the committed base, the block's working overlay and
 * per-tx caches (nested overlays). An overlay holds its own writes in a sorted map (null marks a
 * delete) and falls through to its parent for everything else; iteration merges the overlay with
 * the parent's (already merged) stream, so a prefix scan costs O(log n + returned keys) per level.
 */
import { compareBytes, prefixEnd } from './bytes.js';
import { bytesToStr, strToBytes } from './keys.js';
import { SortedMap, type RangeOpts } from './sorted-map.js';
import { rootError } from '../errors.js';
import { Lazy } from './decoded.js';
import type { CacheKV, KVReader, ValueCodec } from './types.js';
import { makeRoom } from '../cache/evict.js';

export interface IterateOpts {
  reverse?: boolean;
  /** Forward: begin at the first key ≥ start. Reverse: begin at the last key ≤ start. */
  start?: Uint8Array;
  /** Maximum number of entries yielded. */
  limit?: number;
}

/** Shared mutable guard state owned by the store. */
export interface Guard {
  /** Bumped by commit/rollback; caches created under an older epoch refuse to work. */
  epoch: number;
  /** True while a commit batch is in flight; writes to the working view are refused. */
  committing: boolean;
  closed: boolean;
  maxKeyBytes: number;
  maxValueBytes: number;
}

/** Internal view surface used by overlays to read their parent (binary-string keys and values). */
export interface Source extends KVReader {
  getStr(key: string): string | undefined;
  /** The value decoded with `codec` (shared object: read-only). */
  getDecodedStr<T>(key: string, codec: ValueCodec<T>): T | undefined;
  /** Resolved entries (no deletes) within the key range. */
  iterateRange(r: RangeOpts): Generator<[string, string]>;
  /** Same, with records written as objects yielded as their `Lazy` (not encoded). */
  iterateRawRange(r: RangeOpts): Generator<[string, string | Lazy]>;
  /** Changes whenever this view or any ancestor changed; iterators re-seek when it moves. */
  version(): number;
}

function assertBytes(x: unknown, what: string): asserts x is Uint8Array {
  if (!(x instanceof Uint8Array)) throw new TypeError(`state ${what} must be a Uint8Array, got ${x === null ? 'null' : typeof x}`);
}

/** Translates (prefix, start, reverse) into a byte range. */
export function toRange(prefix: Uint8Array, opts: IterateOpts | undefined): RangeOpts | undefined {
  assertBytes(prefix, 'prefix');
  const end = prefixEnd(prefix);
  const r: RangeOpts = { gte: bytesToStr(prefix), lt: end && bytesToStr(end), reverse: !!opts?.reverse };
  const start = opts?.start;
  if (start !== undefined) {
    assertBytes(start, 'start');
    if (r.reverse) {
      if (compareBytes(start, prefix) < 0) return undefined;
      if (!end || compareBytes(start, end) < 0) r.lte = bytesToStr(start);
    } else if (compareBytes(start, prefix) > 0) {
      if (end && compareBytes(start, end) >= 0) return undefined;
      r.gte = bytesToStr(start);
    }
  }
  return r;
}

/** The range continuing strictly after (forward) / before (reverse) `last`. */
function continueAfter(r: RangeOpts, last: string): RangeOpts {
  if (r.reverse) return { gte: r.gte, lt: last, reverse: true };
  // last ‖ 0x00 is the smallest key greater than `last`
  return { gte: last + '\0', lt: r.lt, lte: r.lte, reverse: false };
}

/** Entries as (key bytes, decoded value): a record written as an object with `codec` is that object. */
function* decodedEntries<T>(it: Iterable<[string, string | Lazy]>, codec: ValueCodec<T>): Generator<[Uint8Array, T]> {
  for (const [k, v] of it) {
    const obj = typeof v !== 'string' && v.codec === codec ? (v.obj as T) : codec.decode(strToBytes(typeof v === 'string' ? v : v.str()));
    yield [strToBytes(k), obj];
  }
}

const EMPTY_DECODED: Iterable<[Uint8Array, never]> = [];

/** Converts to bytes at the API boundary and applies the limit. */
function* limited(it: Iterable<[string, string]>, limit: number | undefined): Generator<[Uint8Array, Uint8Array]> {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new RangeError(`invalid iterate limit: ${limit}`);
  if (limit === 0) return;
  let n = 0;
  for (const [k, v] of it) {
    yield [strToBytes(k), strToBytes(v)];
    if (limit !== undefined && ++n >= limit) return;
  }
}

const EMPTY: Iterable<[Uint8Array, Uint8Array]> = [];

interface DecodedEntry {
  /** The committed string the object was decoded from (or encodes to). */
  s: string;
  obj: unknown;
  codec: ValueCodec<unknown>;
}

/**
 * Decoded committed records kept (oldest dropped first): ~250k accounts ≈ 100 MB at most, and
 * a block only needs the records its txs touch.
 */
export const DECODED_CACHE_ENTRIES = 262_144;

/** The committed state, read-only. */
export class BaseView implements Source {
  /** Decoded objects of committed values, so a record is decoded once, not once per block. */
  private readonly decoded = new Map<string, DecodedEntry>();

  constructor(readonly map: SortedMap<string>) {}

  getDecoded<T>(key: Uint8Array, codec: ValueCodec<T>): T | undefined {
    assertBytes(key, 'key');
    return this.getDecodedStr(bytesToStr(key), codec);
  }

  getDecodedStr<T>(key: string, codec: ValueCodec<T>): T | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    const c = this.decoded.get(key);
    if (c !== undefined && c.s === v && c.codec === codec) return c.obj as T;
    const obj = codec.decode(strToBytes(v));
    this.remember(key, v, obj, codec);
    return obj;
  }

  /** Records the object a committed value decodes to (the store calls this at commit). */
  remember<T>(key: string, s: string, obj: T, codec: ValueCodec<T>): void {
    const m = this.decoded;
    if (m.has(key)) m.delete(key);
    else makeRoom(m, DECODED_CACHE_ENTRIES);
    m.set(key, { s, obj, codec: codec as ValueCodec<unknown> });
  }

  forget(key: string): void {
    this.decoded.delete(key);
  }

  get(key: Uint8Array): Uint8Array | undefined {
    assertBytes(key, 'key');
    const v = this.map.get(bytesToStr(key));
    return v === undefined ? undefined : strToBytes(v);
  }

  getStr(key: string): string | undefined {
    return this.map.get(key);
  }

  has(key: Uint8Array): boolean {
    assertBytes(key, 'key');
    return this.map.has(bytesToStr(key));
  }

  iterate(prefix: Uint8Array, opts?: IterateOpts): Iterable<[Uint8Array, Uint8Array]> {
    const r = toRange(prefix, opts);
    return r ? limited(this.iterateRange(r), opts?.limit) : EMPTY;
  }

  iterateRange(r: RangeOpts): Generator<[string, string]> {
    return this.map.range(r);
  }

  iterateRawRange(r: RangeOpts): Generator<[string, string]> {
    return this.map.range(r);
  }

  iterateDecoded<T>(prefix: Uint8Array, codec: ValueCodec<T>): Iterable<[Uint8Array, T]> {
    const r = toRange(prefix, undefined);
    return r ? decodedEntries(this.iterateRawRange(r), codec) : EMPTY_DECODED;
  }

  version(): number {
    return this.map.mod;
  }
}

/**
 * A write overlay. The working view is one of these over the base (`epoch` undefined: it lives
 * across blocks); tx caches are overlays over the working view or another cache.
 */
export class OverlayView implements CacheKV, Source {
  /** Own writes: a binary string, a record kept decoded (Lazy), or null for a delete. */
  readonly map = new SortedMap<string | null | Lazy>();

  constructor(
    readonly parent: Source,
    private readonly guard: Guard,
    /** Epoch this cache belongs to; undefined for the working view. */
    private readonly epoch: number | undefined,
  ) {}

  get size(): number {
    return this.map.size;
  }

  private checkUsable(): void {
    if (this.guard.closed) throw new Error('state store is closed');
    if (this.epoch !== undefined && this.epoch !== this.guard.epoch) {
      throw new Error('state cache used after the block it belongs to was committed or rolled back');
    }
  }

  private checkWritable(): void {
    this.checkUsable();
    if (this.guard.committing && (this.epoch === undefined || this.parent instanceof BaseView)) {
      throw new Error('state write while a commit is in flight');
    }
  }

  get(key: Uint8Array): Uint8Array | undefined {
    assertBytes(key, 'key');
    this.checkUsable();
    const v = this.getStr(bytesToStr(key));
    return v === undefined ? undefined : strToBytes(v);
  }

  getStr(key: string): string | undefined {
    const v = this.map.get(key);
    if (v !== undefined) return v === null ? undefined : typeof v === 'string' ? v : v.str();
    return this.parent.getStr(key);
  }

  getDecoded<T>(key: Uint8Array, codec: ValueCodec<T>): T | undefined {
    assertBytes(key, 'key');
    this.checkUsable();
    return this.getDecodedStr(bytesToStr(key), codec);
  }

  getDecodedStr<T>(key: string, codec: ValueCodec<T>): T | undefined {
    const v = this.map.get(key);
    if (v === undefined) return this.parent.getDecodedStr(key, codec);
    if (v === null) return undefined;
    if (typeof v !== 'string' && v.codec === codec) return v.obj as T;
    return codec.decode(strToBytes(typeof v === 'string' ? v : v.str()));
  }

  setDecoded<T>(key: Uint8Array, value: T, codec: ValueCodec<T>): void {
    assertBytes(key, 'key');
    this.checkWritable();
    if (key.length === 0) throw rootError('invalidRequest', 'state key must not be empty');
    if (key.length > this.guard.maxKeyBytes) throw rootError('invalidRequest', `state key too long: ${key.length} > ${this.guard.maxKeyBytes} bytes`);
    // no value-size check: the bytes do not exist yet; codecs are for small bounded records
    this.map.set(bytesToStr(key), new Lazy(value, codec as ValueCodec<unknown>));
  }

  has(key: Uint8Array): boolean {
    assertBytes(key, 'key');
    this.checkUsable();
    return this.getStr(bytesToStr(key)) !== undefined;
  }

  set(key: Uint8Array, value: Uint8Array): void {
    assertBytes(key, 'key');
    assertBytes(value, 'value');
    this.checkWritable();
    if (key.length === 0) throw rootError('invalidRequest', 'state key must not be empty');
    if (key.length > this.guard.maxKeyBytes) throw rootError('invalidRequest', `state key too long: ${key.length} > ${this.guard.maxKeyBytes} bytes`);
    if (value.length > this.guard.maxValueBytes) throw rootError('invalidRequest', `state value too large: ${value.length} > ${this.guard.maxValueBytes} bytes`);
    // converting copies: a caller reusing its buffer cannot alter stored state
    this.map.set(bytesToStr(key), bytesToStr(value));
  }

  delete(key: Uint8Array): void {
    assertBytes(key, 'key');
    this.checkWritable();
    this.map.set(bytesToStr(key), null);
  }

  /** Folds this cache into its parent and empties it (the cache stays usable). */
  write(): void {
    this.checkUsable();
    const parent = this.parent;
    if (!(parent instanceof OverlayView)) throw new Error('the working view is committed by the store, not written');
    parent.checkWritable();
    const into = parent.map;
    this.map.forEach((k, v) => into.set(k, v));
    this.map.clear();
  }

  /** Drops pending writes. */
  discard(): void {
    this.map.clear();
  }

  iterate(prefix: Uint8Array, opts?: IterateOpts): Iterable<[Uint8Array, Uint8Array]> {
    this.checkUsable();
    const r = toRange(prefix, opts);
    return r ? limited(this.iterateRange(r), opts?.limit) : EMPTY;
  }

  version(): number {
    return this.map.mod + this.parent.version();
  }

  iterateDecoded<T>(prefix: Uint8Array, codec: ValueCodec<T>): Iterable<[Uint8Array, T]> {
    this.checkUsable();
    const r = toRange(prefix, undefined);
    return r ? decodedEntries(this.iterateRawRange(r), codec) : EMPTY_DECODED;
  }

  iterateRange(r: RangeOpts): Generator<[string, string]> {
    return this.merged(r, false) as Generator<[string, string]>;
  }

  iterateRawRange(r: RangeOpts): Generator<[string, string | Lazy]> {
    return this.merged(r, true);
  }

  /**
   * Merge of own writes over the parent's stream (`raw`: records written as objects stay
   * `Lazy`). If anything in the chain changes between two steps (a handler deleting while it
   * scans), the merge restarts just past the last key yielded, so it never returns a deleted key
   * or skips one inserted ahead of the cursor.
   */
  private *merged(r: RangeOpts, raw: boolean): Generator<[string, string | Lazy]> {
    const fwd = !r.reverse;
    let range = r;
    for (;;) {
      const ver = this.version();
      const own = this.map.range(range);
      const par = raw ? this.parent.iterateRawRange(range) : this.parent.iterateRange(range);
      let a = own.next();
      let b = par.next();
      let restartAfter: string | undefined;
      while (!a.done || !b.done) {
        let k: string;
        let v: string | Lazy;
        if (b.done || (!a.done && (fwd ? a.value[0] <= b.value[0] : a.value[0] >= b.value[0]))) {
          const [ak, av] = a.value as [string, string | null | Lazy];
          k = ak;
          if (!b.done && k === b.value[0]) b = par.next();
          a = own.next();
          if (av === null) continue;
          v = raw || typeof av === 'string' ? av : av.str();
        } else {
          [k, v] = b.value;
          b = par.next();
        }
        yield [k, v];
        if (this.version() !== ver) {
          restartAfter = k;
          break;
        }
      }
      if (restartAfter === undefined) return;
      range = continueAfter(r, restartAfter);
    }
  }
}
