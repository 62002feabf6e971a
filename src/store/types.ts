/** Block store and tx index contract (used by the node and the RPC; never by the app). */

export interface StoredEvent {
  type: string;
  attributes: { key: string; value: string }[];
}

export interface StoredTxResult {
  code: number;
  log: string;
  data: Uint8Array;
  events: StoredEvent[];
}

export interface StoredTx {
  /** Upper-case hex SHA256 of the tx bytes (as the RPC shows it). */
  hash: string;
  height: number;
  index: number;
  /** Raw tx bytes (empty if the block was saved without `txs`). */
  tx: Uint8Array;
  result: StoredTxResult;
  /** Block time (unix ms) of the tx's block. */
  timeMs?: number;
}

export interface SaveBlockInput {
  height: number;
  hash: Uint8Array;
  timeMs: number;
  /** Encoded block. */
  bytes: Uint8Array;
  /** The commit (precommits) seen for this height. */
  commitBytes?: Uint8Array;
  results: StoredTxResult[];
  /** UPPERCASE (or lower-case) hex SHA256 of each tx, 64 digits. */
  txHashes: string[];
  /**
   * Raw 20-byte addresses touched, per tx (duplicates within a tx are ignored). Raw, not bech32:
   * encoding every address of a block costs more than storing it; `txsByAddress` decodes instead.
   */
  addresses: Uint8Array[][];
  /** Raw tx bytes, per tx (the block's `txs`); without it `StoredTx.tx` is empty. */
  txs?: Uint8Array[];
  /**
   * Adds the block's records to the side index (history the app hands out with the block's
   * results, e.g. the DEX's closed orders and trades), in the block's own batch: after a crash a
   * stored block always has its records. May read the index first (pruning).
   */
  index?: (w: IndexWriter) => void | Promise<void>;
}

/** A block's writes to the side index. */
export interface IndexWriter {
  put(key: Uint8Array, value: Uint8Array): void;
  del(key: Uint8Array): void;
}

/** A key range of the side index: `gte` ≤ key < `lt` (either open), ascending unless `reverse`. */
export interface IndexRange {
  gte?: Uint8Array;
  lt?: Uint8Array;
  reverse?: boolean;
  limit?: number;
}

/**
 * Reads of the side index: keys and values a module wrote through `SaveBlockInput.index`, as of
 * the last stored block. The index is the module's own layout; the store only keeps it apart
 * from the block and tx records.
 */
export interface IndexReader {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  range(r: IndexRange): AsyncIterable<[Uint8Array, Uint8Array]>;
}

export interface BlockInfo {
  height: number;
  hash: Uint8Array;
  timeMs: number;
  numTxs: number;
}

export interface TxsByAddressOpts {
  offset?: number;
  /** Default 100, at most 1000. */
  limit?: number;
  /** Newest first (default true). */
  reverse?: boolean;
  minHeight?: number;
  maxHeight?: number;
}

export interface BlockStore {
  /** Stores the block, its commit, its txs and their indexes, and the new latest height, atomically. */
  save(b: SaveBlockInput): Promise<void>;
  /** Last saved height (0 when empty). */
  latestHeight(): Promise<number>;
  /** First saved height (0 when empty). */
  baseHeight(): Promise<number>;
  loadBlockBytes(height: number): Promise<Uint8Array | undefined>;
  loadCommitBytes(height: number): Promise<Uint8Array | undefined>;
  blockInfo(height: number): Promise<BlockInfo | undefined>;
  /** Height of the block with this hash (bytes or hex). */
  heightByHash(hash: Uint8Array | string): Promise<number | undefined>;
  loadTx(hashHex: string): Promise<StoredTx | undefined>;
  txsByHeight(height: number): Promise<StoredTx[]>;
  /** Txs naming this bech32 address (any prefix: the index holds the 20 raw bytes). */
  txsByAddress(address: string, opts?: TxsByAddressOpts): Promise<{ txs: StoredTx[]; total: number }>;
  /** The side index (see `SaveBlockInput.index`). */
  readonly index: IndexReader;
  /** Small node-owned values (WAL positions, signer state…). */
  getMeta(key: string): Promise<Uint8Array | undefined>;
  putMeta(key: string, value: Uint8Array): Promise<void>;
  close(): Promise<void>;
}
