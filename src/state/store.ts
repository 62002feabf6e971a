/**
 * The state store: committed state fully in memory (sorted map + bucketed Merkle tree, see
 * merkle.ts) and persisted in LevelDB; a working overlay for the block being executed; per-tx
 * caches on top. `commit` writes every changed key, the deletes, the height, the app hash and the
 * per-height hash as ONE LevelDB batch (atomic: after kill -9 the DB holds the old or the new
 * state, never a mix), and only then folds the overlay into memory.
 *
 * LevelDB layout (one byte namespace prefix):
 *   'd' ‖ key        → value                state data
 *   'm' ‖ "height"   → u64 BE               last committed height
 *   'm' ‖ "apphash"  → 32 bytes             app hash at that height
 *   'h' ‖ u64 BE h   → 32 bytes             app hash at recent height h (last `keepHashes`)
 *
 * At open the whole state is read back and the Merkle tree rebuilt; the rebuilt root must equal
 * the stored app hash, so on-disk corruption is detected before the node signs anything.
 */
import { ClassicLevel } from 'classic-level';
import { concatBytes, utf8, heightToBytes, bytesToHeight, bytesEqual } from './bytes.js';
import { SortedMap } from './sorted-map.js';
import { BucketTree, type StagedHash, type StateProof } from './merkle.js';
import { BaseView, OverlayView, type Guard } from './views.js';
import { Lazy } from './decoded.js';
import { bytesToStr, strToBytes, writeStr } from './keys.js';
import { rootError } from '../errors.js';
import type { CacheKV, CommitOptions, KVReader, KVWriter, StateStore } from './types.js';

export interface StateStoreOptions {
  /** How many recent heights keep their app hash for `appHashAt` (default 100). */
  keepHashes?: number;
  /** Max key length in bytes (default 1024). */
  maxKeyBytes?: number;
  /** Max value length in bytes (default 4 MiB). */
  maxValueBytes?: number;
  /** fsync each commit batch (default true): survives power loss, not only process crashes. */
  sync?: boolean;
  /**
   * Let `commit` resolve once the new state is live in memory, with its LevelDB batch still
   * being written (default false). Batches are written one after the other, each atomic, so
   * the disk never holds a mix; at most two wait in memory (a third commit waits), and `close`
   * waits for them. Safe for a node whose block store holds the block before the state commits
   * (`persistAfter`): after a crash the state is at most a block or two behind and the
   * handshake replays them. Takes the ~100–250 ms LevelDB write of a 10k-write block off the
   * block-to-block critical path. A failed write fails every later commit.
   */
  deferWrites?: boolean;
}

const NS_DATA = 0x64; // 'd'
const NS_HASH = 0x68; // 'h'
const META_HEIGHT = concatBytes(utf8('m'), utf8('height'));
const META_APPHASH = concatBytes(utf8('m'), utf8('apphash'));
const ZERO_HASH = new Uint8Array(32);

type DB = ClassicLevel<Uint8Array, Uint8Array>;

function hashKey(height: number): Uint8Array {
  return concatBytes(Uint8Array.of(NS_HASH), heightToBytes(height));
}

export class StateStoreImpl implements StateStore {
  private readonly data = new SortedMap<string>();
  private readonly tree = new BucketTree();
  private readonly base = new BaseView(this.data);
  private readonly guard: Guard;
  private readonly work: OverlayView;
  private readonly keepHashes: number;
  private readonly sync: boolean;
  private _height = 0;
  private _appHash: Uint8Array = ZERO_HASH;
  /** Recent app hashes by height (ascending insertion = ascending height). */
  private readonly recent = new Map<number, Uint8Array>();
  private staged: Staging | undefined;
  private readonly deferWrites: boolean;
  /** The last deferred batch's write (chained after the ones before it). */
  private writing: Promise<void> | undefined;
  private writesInFlight = 0;
  /** The first deferred write that failed; every later commit throws it. */
  private writeError: Error | undefined;

  constructor(
    private readonly db: DB | undefined,
    opts: StateStoreOptions = {},
  ) {
    this.keepHashes = opts.keepHashes ?? 100;
    this.sync = opts.sync ?? true;
    this.deferWrites = opts.deferWrites ?? false;
    this.guard = {
      epoch: 0,
      committing: false,
      closed: false,
      maxKeyBytes: opts.maxKeyBytes ?? 1024,
      maxValueBytes: opts.maxValueBytes ?? 4 * 1024 * 1024,
    };
    this.work = new OverlayView(this.base, this.guard, undefined);
  }

  get height(): number {
    return this._height;
  }

  get appHash(): Uint8Array {
    return this._appHash.slice();
  }

  /** Number of keys in the committed state. */
  get committedSize(): number {
    return this.data.size;
  }

  /** Number of pending (uncommitted) writes in the working view. */
  get pendingWrites(): number {
    return this.work.size;
  }

  /** Loads the persisted state (called once by openStateStore). */
  async load(): Promise<void> {
    const db = this.db;
    if (!db) return;
    const h = await db.get(META_HEIGHT);
    const stored = await db.get(META_APPHASH);
    const it = db.iterator({ gte: Uint8Array.of(NS_DATA), lt: Uint8Array.of(NS_DATA + 1) });
    try {
      for (;;) {
        const rows = await it.nextv(4096);
        if (rows.length === 0) break;
        for (const [k, v] of rows) {
          const key = bytesToStr(k.subarray(1));
          const val = bytesToStr(v);
          this.data.appendSorted(key, val);
          this.tree.loadLeaf(key, val);
        }
      }
    } finally {
      await it.close();
    }
    this.tree.finishLoad();
    const hashes = db.iterator({ gte: Uint8Array.of(NS_HASH), lt: Uint8Array.of(NS_HASH + 1) });
    try {
      for await (const [k, v] of hashes) this.recent.set(bytesToHeight(k.subarray(1)), new Uint8Array(v));
    } finally {
      await hashes.close();
    }
    this._height = h ? bytesToHeight(h) : 0;
    this._appHash = stored ? new Uint8Array(stored) : ZERO_HASH;
    if (!bytesEqual(this.tree.root, this._appHash)) {
      throw rootError('internal', `state at height ${this._height} is corrupt: rebuilt app hash does not match the stored one`);
    }
  }

  working(): KVWriter {
    return this.work;
  }

  cache(parent?: KVWriter): CacheKV {
    const p = parent ?? this.work;
    if (!(p instanceof OverlayView)) throw new TypeError('cache parent must be the working view or a cache of this store');
    if (this.guard.closed) throw new Error('state store is closed');
    return new OverlayView(p, this.guard, this.guard.epoch);
  }

  committed(): KVReader {
    return this.base;
  }

  computeHash(): Uint8Array {
    return this.stage().staged.root.slice();
  }

  /**
   * The working view's changes as flat arrays (records encoded once) and their staged hash;
   * reused by `commit` and by further `computeHash` calls while the working view is unchanged.
   */
  private stage(): Staging {
    const mod = this.work.map.mod;
    if (this.staged && this.staged.mod === mod) return this.staged;
    const [allKeys, allRaw] = this.work.map.toArrays();
    // A delete of a key the committed state does not hold changes nothing (a record that lived
    // only inside the block: DEX placed orders, journal entries). Dropped here, it costs no
    // placement hash, no bucket re-hash and no LevelDB delete; the root is the same.
    const data = this.data;
    let keys = allKeys;
    let raw = allRaw;
    let drop: Uint8Array | undefined;
    let absent = 0;
    for (let i = 0; i < allRaw.length; i++) {
      if (allRaw[i] !== null || data.has(allKeys[i]!)) continue;
      (drop ??= new Uint8Array(allRaw.length))[i] = 1;
      absent++;
    }
    if (drop) {
      const n = allKeys.length - absent;
      keys = new Array(n);
      raw = new Array(n);
      for (let i = 0, o = 0; i < allRaw.length; i++) {
        if (drop[i] === 1) continue;
        keys[o] = allKeys[i]!;
        raw[o++] = allRaw[i]!;
      }
    }
    const vals: (string | null)[] = new Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const r = raw[i]!;
      vals[i] = r === null || typeof r === 'string' ? r : r.str();
    }
    const staged = this.tree.stage(keys, vals);
    this.staged = { mod, keys, vals, raw, staged };
    return this.staged;
  }

  appHashAt(height: number): Uint8Array | undefined {
    if (height === this._height) return this._appHash.slice();
    return this.recent.get(height)?.slice();
  }

  async commit(height: number, opts: CommitOptions = {}): Promise<Uint8Array> {
    if (this.guard.closed) throw new Error('state store is closed');
    if (this.guard.committing) throw new Error('commit already in flight');
    if (!Number.isSafeInteger(height) || height <= this._height) {
      throw new Error(`commit height ${height} must be an integer above the last committed height ${this._height}`);
    }
    const { keys, vals, raw, staged } = this.stage();
    const root = staged.root.slice();
    const expired: number[] = [];
    for (const h of this.recent.keys()) if (h <= height - this.keepHashes) expired.push(h);
    this.guard.committing = true;
    try {
      if (this.writeError) throw this.writeError; // a deferred batch failed: nothing after it is written
      // Deferred batches are chained (each starts after the one before); a third waits here, so at
      // most two are held in memory.
      if (this.writesInFlight >= 2) await this.writing;
      const after = opts.persistAfter;
      if (this.db) {
        // A chained batch: classic-level's array form re-validates and clones every op in JS
        // (10–30 µs each), the chained form costs ~2 µs per put; still one atomic write.
        const batch = this.db.batch();
        putAll(batch, keys, vals);
        batch.put(META_HEIGHT, heightToBytes(height));
        batch.put(META_APPHASH, root);
        if (this.keepHashes > 0) batch.put(hashKey(height), root);
        for (const h of expired) batch.del(hashKey(h));
        if (this.deferWrites) {
          const before = this.writing && after ? Promise.all([this.writing, after]) : (this.writing ?? after);
          const w = before ? before.then(() => batch.write({ sync: this.sync })) : batch.write({ sync: this.sync });
          this.writesInFlight++;
          const tracked: Promise<void> = w.then(
            () => {
              this.writesInFlight--;
              if (this.writing === tracked) this.writing = undefined;
            },
            (e: Error) => {
              this.writesInFlight--;
              this.writeError ??= e;
              throw e;
            },
          );
          this.writing = tracked;
          tracked.catch(() => undefined); // surfaced at the next commit / close
        } else {
          if (after) await after;
          await batch.write({ sync: this.sync });
        }
      } else {
        if (after && !this.deferWrites) await after;
        await null; // same async shape as the disk store: the commit is never synchronous
      }
    } finally {
      this.guard.committing = false;
    }
    this.data.applySorted(keys, vals);
    for (let i = 0; i < keys.length; i++) {
      const r = raw[i]!;
      // a record written as an object stays decoded for the next blocks' readers
      if (r instanceof Lazy) this.base.remember(keys[i]!, vals[i]!, r.obj, r.codec);
      else this.base.forget(keys[i]!);
    }
    this.tree.apply(staged);
    for (const h of expired) this.recent.delete(h);
    if (this.keepHashes > 0) this.recent.set(height, root);
    this._height = height;
    this._appHash = root;
    this.work.map.clear();
    this.staged = undefined;
    this.guard.epoch++;
    return root.slice();
  }

  rollback(): void {
    if (this.guard.committing) throw new Error('rollback while a commit is in flight');
    this.work.map.clear();
    this.staged = undefined;
    this.guard.epoch++;
  }

  proveCommitted(key: Uint8Array): { value: Uint8Array | undefined; proof: StateProof; root: Uint8Array } {
    if (!(key instanceof Uint8Array)) throw new TypeError('state key must be a Uint8Array');
    const k = bytesToStr(key);
    const proof = this.tree.prove(k, (x) => this.data.get(x));
    const v = this.data.get(k);
    return { value: v === undefined ? undefined : strToBytes(v), proof, root: this._appHash.slice() };
  }

  async close(): Promise<void> {
    if (this.guard.closed) return;
    this.guard.closed = true;
    try {
      if (this.writing) await this.writing;
    } finally {
      if (this.db) await this.db.close();
    }
  }
}

/** A block's changes in key order (records encoded) and their staged hash. */
interface Staging {
  mod: number;
  keys: string[];
  /** Encoded values; null = delete. */
  vals: (string | null)[];
  /** The working view's own entries (to keep decoded records decoded after the commit). */
  raw: (string | null | Lazy)[];
  staged: StagedHash;
}

/**
 * Adds the changes to a chained batch. Every data key and value is written into one buffer and
 * handed over as views: LevelDB copies each op into its WriteBatch at once, so the buffer is
 * reused by the next commit, and a block's ops cost no allocation besides the two views.
 */
let batchBuf = new Uint8Array(1 << 20);
function putAll(batch: ReturnType<DB['batch']>, keys: readonly string[], vals: readonly (string | null)[]): void {
  let total = 0;
  for (let i = 0; i < keys.length; i++) {
    const v = vals[i];
    total += 1 + keys[i]!.length + (v === null ? 0 : v.length);
  }
  if (batchBuf.length < total) batchBuf = new Uint8Array(Math.max(total, batchBuf.length * 2));
  const buf = batchBuf;
  let o = 0;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = vals[i];
    const ko = o;
    buf[o] = NS_DATA;
    writeStr(k, buf, o + 1);
    o += 1 + k.length;
    const key = buf.subarray(ko, o);
    if (v === null) batch.del(key);
    else {
      writeStr(v, buf, o);
      batch.put(key, buf.subarray(o, o + v.length));
      o += v.length;
    }
  }
}

/** Opens (or creates) the state store in `dir` and loads the committed state into memory. */
export async function openStateStore(dir: string, opts: StateStoreOptions = {}): Promise<StateStoreImpl> {
  // every block rewrites the accounts it touched; a 32 MB memtable (LevelDB's default is 4 MB)
  // flushes and compacts far less often under load
  const db: DB = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view', writeBufferSize: 32 * 1024 * 1024 });
  await db.open();
  const store = new StateStoreImpl(db, opts);
  try {
    await store.load();
  } catch (e) {
    await db.close();
    throw e;
  }
  return store;
}

/** The same store without a disk (tests, simulations, hash recomputation). */
export function memoryStateStore(opts: StateStoreOptions = {}): StateStoreImpl {
  return new StateStoreImpl(undefined, opts);
}
