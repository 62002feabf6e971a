/**
 * The state store the app runs on. Reads and writes are synchronous (the committed state is
 * held in memory and persisted to LevelDB), so deterministic handlers never await. Iteration is
 * always in ascending byte order of keys.
 */

/**
 * How a typed record is stored. Views may keep the decoded object beside (or instead of) its
 * bytes, so a record that many txs of a block read and write (an account) is decoded and
 * encoded about once per block instead of several times per tx. `encode` must be
 * deterministic and `decode(encode(v))` equivalent to `v`: the bytes, not the object, are
 * what the app hash and the disk see.
 */
export interface ValueCodec<T> {
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

export interface KVReader {
  get(key: Uint8Array): Uint8Array | undefined;
  /**
   * Optional: the value decoded with `codec`, possibly the very object another reader gets
   * (treat it as immutable: copy before changing). Views without it are read with
   * `readDecoded` (decode(get())).
   */
  getDecoded?<T>(key: Uint8Array, codec: ValueCodec<T>): T | undefined;
  has(key: Uint8Array): boolean;
  /**
   * Ascending byte order over keys starting with `prefix`; `reverse` for descending. `start`:
   * forward, begin at the first key ≥ start; reverse, begin at the last key ≤ start. `limit`: at
   * most that many entries. Writing through the same view while iterating is allowed (the scan
   * resumes just past the last key it returned). Returned bytes are read-only.
   */
  iterate(prefix: Uint8Array, opts?: { reverse?: boolean; start?: Uint8Array; limit?: number }): Iterable<[Uint8Array, Uint8Array]>;
  /**
   * Optional: `iterate(prefix)` with each value decoded with `codec`; a record written as an
   * object with that codec is yielded as that very object (treat it as immutable unless the
   * caller deletes its key and so takes it out of state). Views without it are read with
   * `iterateDecoded` (decode per entry).
   */
  iterateDecoded?<T>(prefix: Uint8Array, codec: ValueCodec<T>): Iterable<[Uint8Array, T]>;
}

export interface KVWriter extends KVReader {
  set(key: Uint8Array, value: Uint8Array): void;
  /**
   * Optional: stores a record as an object, encoded only when its bytes are needed (a byte
   * read, iteration, the app hash, the disk). The caller must not change `value` afterwards.
   * Views without it are written with `writeDecoded` (set(encode(value))).
   */
  setDecoded?<T>(key: Uint8Array, value: T, codec: ValueCodec<T>): void;
  delete(key: Uint8Array): void;
}

/**
 * A write cache over a parent view. `write()` folds its changes into the parent; dropping the
 * cache discards them (a failed tx leaves no trace).
 */
export interface CacheKV extends KVWriter {
  write(): void;
  /** Drops the pending writes (same as letting the cache go). */
  discard(): void;
  /** Number of pending writes (for limits and metrics). */
  readonly size: number;
}

export interface MerkleProof {
  /** Opaque, JSON-serialisable proof that `key` maps to `value` (or is absent) under `root`. */
  [k: string]: unknown;
}

export interface StateStore {
  /** Height of the last commit (0 before genesis). */
  readonly height: number;
  /** Root hash of the committed state (32 bytes). */
  readonly appHash: Uint8Array;
  /** The working (uncommitted) view for the block being executed. */
  working(): KVWriter;
  /** A cache on top of the working view (one per tx). */
  cache(parent?: KVWriter): CacheKV;
  /** A read-only view of the last committed state (for queries while a block executes). */
  committed(): KVReader;
  /** Root hash the working view would commit to (computes incrementally). */
  computeHash(): Uint8Array;
  /**
   * Writes the working view and the new height as one atomic LevelDB batch; returns the app hash.
   * Afterwards every tx cache created before the commit is dead (using it throws): a cache that
   * outlives its block is a programming error, caught at its next use.
   */
  commit(height: number, opts?: CommitOptions): Promise<Uint8Array>;
  /** App hash committed at `height`, for the current and the last N (default 100) heights. */
  appHashAt(height: number): Uint8Array | undefined;
  /** Drops uncommitted working changes. */
  rollback(): void;
  proveCommitted(key: Uint8Array): { value: Uint8Array | undefined; proof: MerkleProof; root: Uint8Array };
  close(): Promise<void>;
}


export interface CommitOptions {
  /**
   * The commit's disk write starts only once this settles fulfilled (and never if it rejects: the
   * next commit then throws its error). The node passes the block store's save of the same
   * block, so the state on disk is never ahead of the stored blocks, the invariant the crash
   * handshake relies on, while neither write holds up the next block.
   */
  persistAfter?: Promise<unknown>;
}
