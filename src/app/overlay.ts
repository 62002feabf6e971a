/**
 * A write overlay over any KV view. The store's own caches only stack on its working view, but
 * the mempool's check state must sit on the *committed* state (the working view holds the
 * block being executed), so checkTx uses these: one over the committed view per block, one per
 * tx on top of it. Iteration merges own writes with the parent's stream in key order.
 */
import { compareBytes } from '../crypto/hash.js';
import { readDecoded } from '../state/decoded.js';
import { latin1Slice, strToBytes } from '../state/keys.js';
import type { CacheKV, KVReader, KVWriter, ValueCodec } from '../state/types.js';
import { BaseView } from '../state/views.js';

/**
 * A write: bytes, a delete (null), or a record kept decoded (`obj` with its codec; `value` is
 * then undefined until someone needs the bytes). The key is kept only as the map's binary
 * string (a private copy already); its bytes are built when the entry is written to a store
 * view or iterated, which the check state (thrown away at commit) almost never does.
 */
type Entry = { value: Uint8Array | null | undefined; obj: unknown; codec: ValueCodec<unknown> | undefined };

function keyBytes(k: string): Uint8Array {
  return strToBytes(k);
}

function bytesOf(e: Entry): Uint8Array | null {
  if (e.value === undefined) e.value = e.codec!.encode(e.obj);
  return e.value;
}

function mapKey(k: Uint8Array): string {
  return latin1Slice.call(k, 0, k.length);
}

export class Overlay implements CacheKV {
  private readonly writes = new Map<string, Entry>();

  constructor(private readonly parent: KVReader) {}

  get size(): number {
    return this.writes.size;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.getAt(mapKey(key), key);
  }

  /** get with the key's binary string built once for the whole chain (see `decodedAt`). */
  private getAt(k: string, key: Uint8Array): Uint8Array | undefined {
    const e = this.writes.get(k);
    if (e) return bytesOf(e) ?? undefined;
    const p = this.parent;
    if (p instanceof Overlay) return p.getAt(k, key);
    if (p instanceof BaseView) {
      const v = p.getStr(k);
      return v === undefined ? undefined : strToBytes(v);
    }
    return p.get(key);
  }

  getDecoded<T>(key: Uint8Array, codec: ValueCodec<T>): T | undefined {
    return this.decodedAt(mapKey(key), key, codec);
  }

  /**
   * getDecoded with the key as a binary string, built once for the whole chain of overlays
   * (and the committed view below, which keys its maps the same way) rather than at each level.
   */
  private decodedAt<T>(k: string, key: Uint8Array, codec: ValueCodec<T>): T | undefined {
    const e = this.writes.get(k);
    if (!e) {
      const p = this.parent;
      if (p instanceof Overlay) return p.decodedAt(k, key, codec);
      if (p instanceof BaseView) return p.getDecodedStr(k, codec);
      return readDecoded(p, key, codec);
    }
    if (e.codec === codec) return e.obj as T;
    const b = bytesOf(e);
    return b === null ? undefined : codec.decode(b);
  }

  setDecoded<T>(key: Uint8Array, value: T, codec: ValueCodec<T>): void {
    this.writes.set(mapKey(key), { value: undefined, obj: value, codec: codec as ValueCodec<unknown> });
  }

  has(key: Uint8Array): boolean {
    return this.hasAt(mapKey(key), key);
  }

  /** A record kept decoded exists without being encoded; a delete (null) does not. */
  private hasAt(k: string, key: Uint8Array): boolean {
    const e = this.writes.get(k);
    if (e) return e.value !== null;
    const p = this.parent;
    if (p instanceof Overlay) return p.hasAt(k, key);
    if (p instanceof BaseView) return p.getStr(k) !== undefined;
    return p.has(key);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.writes.set(mapKey(key), { value: value.slice(), obj: undefined, codec: undefined });
  }

  delete(key: Uint8Array): void {
    this.writes.set(mapKey(key), { value: null, obj: undefined, codec: undefined });
  }

  /** Folds the writes into the parent, which must be writable. */
  write(): void {
    if (this.parent instanceof Overlay) {
      // entries are private copies already: hand them over as they are (keeps value identity,
      // which the bank's decoded-account cache relies on)
      const into = this.parent.writes;
      this.writes.forEach((e, k) => into.set(k, e));
      this.writes.clear();
      return;
    }
    const p = this.parent as Partial<KVWriter>;
    if (typeof p.set !== 'function' || typeof p.delete !== 'function') throw new Error('overlay parent is read-only');
    // binary strings compare like their bytes (one char per byte)
    const sorted = [...this.writes.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const k of sorted) {
      const e = this.writes.get(k)!;
      const key = keyBytes(k);
      if (e.value === undefined && p.setDecoded) p.setDecoded(key, e.obj, e.codec!);
      else {
        const v = bytesOf(e);
        if (v === null) p.delete(key);
        else p.set(key, v);
      }
    }
    this.writes.clear();
  }

  discard(): void {
    this.writes.clear();
  }

  *iterate(prefix: Uint8Array, opts?: { reverse?: boolean; start?: Uint8Array; limit?: number }): Iterable<[Uint8Array, Uint8Array]> {
    const reverse = !!opts?.reverse;
    const start = opts?.start;
    const limit = opts?.limit;
    if (limit === 0) return;
    const dir = reverse ? -1 : 1;
    // binary-string keys compare like their bytes: filter and sort on them, build bytes for the hits only
    const p0 = mapKey(prefix);
    const s0 = start === undefined ? undefined : mapKey(start);
    const own: { key: Uint8Array; e: Entry }[] = [];
    for (const k of [...this.writes.keys()].filter((k) => k.startsWith(p0) && (s0 === undefined || (reverse ? k <= s0 : k >= s0))).sort()) {
      own.push({ key: keyBytes(k), e: this.writes.get(k)! });
    }
    if (reverse) own.reverse();
    const parentOpts: { reverse?: boolean; start?: Uint8Array } = { reverse };
    if (start !== undefined) parentOpts.start = start;
    const it = this.parent.iterate(prefix, parentOpts)[Symbol.iterator]();
    let p = it.next();
    let i = 0;
    let n = 0;
    while (!p.done || i < own.length) {
      let out: [Uint8Array, Uint8Array] | undefined;
      if (i < own.length && (p.done || dir * compareBytes(own[i]!.key, p.value[0]) <= 0)) {
        const { key, e } = own[i++]!;
        if (!p.done && compareBytes(key, p.value[0]) === 0) p = it.next(); // overridden
        const v = bytesOf(e);
        if (v !== null) out = [key, v];
      } else if (!p.done) {
        out = p.value;
        p = it.next();
      }
      if (out) {
        yield out;
        if (limit !== undefined && ++n >= limit) return;
      }
    }
  }
}
