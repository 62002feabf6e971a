/**
 * Block store and tx index on LevelDB. One `save` = one atomic batch, so after a crash a block is
 * either fully indexed (block, commit, txs, address index, counters, latest height) or absent.
 *
 * Layout, format version 3 (one-byte namespace; heights 8-byte big-endian so they sort; tx hashes
 * and addresses raw bytes, since hex / bech32 strings cost more to build than the write itself):
 *   'B' ‖ h                     → encoded block
 *   'C' ‖ h                     → encoded commit seen for h
 *   'I' ‖ h                     → block info (records.ts)
 *   'H' ‖ block hash            → h
 *   'L' ‖ h                     → the block's tx hashes, 32 bytes each, in order (absent if no txs)
 *   'T' ‖ tx hash (32)          → tx record: position, time, tx bytes, result (records.ts)
 *   'A' ‖ addr (20) ‖ h         → { u32 tx index ‖ tx hash (32) }*, ascending (address index)
 *   'N' ‖ addr (20)             → u64 number of txs of addr (total without a scan)
 *   'M' ‖ name                  → latest / base height, format version
 *   'K' ‖ key                   → node meta values
 *   'X' ‖ key                   → side index: records a module keeps beside the block (its layout)
 *
 * Per-address counters are read-modify-write; a bounded in-memory cache in front of 'N' keys
 * holds the committed values, so a block only reads the counters of addresses it has not seen
 * recently (none at all on a store created by this process until the cache first overflows), and
 * that read runs on LevelDB's thread while the batch is being built.
 */
import { ClassicLevel } from 'classic-level';
import { decodeAddress } from '../codec/address.js';
import { writeU64BE } from '../state/bytes.js';
import { BytesWriter } from './bytes-writer.js';
import { readBlockInfo, readTxRecord, writeBlockInfo, writeTxRecord } from './records.js';
import type { BlockInfo, BlockStore, IndexRange, IndexReader, SaveBlockInput, StoredTx, TxsByAddressOpts } from './types.js';

type DB = ClassicLevel<Uint8Array, Uint8Array>;
/** Where a block's puts go: a LevelDB chained batch in `save`, anything in the benchmark. */
export interface PutSink {
  put(key: Uint8Array, value: Uint8Array): unknown;
}

const C = (c: string) => c.charCodeAt(0);
const NS = { block: C('B'), commit: C('C'), info: C('I'), hash: C('H'), list: C('L'), tx: C('T'), addr: C('A'), count: C('N'), meta: C('M'), kv: C('K'), index: C('X') };
const te = new TextEncoder();
const metaKey = (name: string) => Uint8Array.of(NS.meta, ...te.encode(name));
const LATEST = metaKey('latest');
const BASE = metaKey('base');
const FORMAT = metaKey('format');
/**
 * Bump on any layout change; `openBlockStore` refuses other versions. 3: the side index ('X'), where
 * the DEX history moved out of the app state (a version-2 data dir also holds a state of the older app).
 */
export const BLOCK_STORE_FORMAT = 3;
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;
const ADDR_LEN = 20;
const HASH_LEN = 32;
/** One address-index entry: u32 tx index ‖ tx hash. */
const ENTRY_LEN = 4 + HASH_LEN;
/** Counter cache bound (~100 bytes an entry); cleared wholesale when full, the hot set refills at once. */
const COUNT_CACHE_MAX = 262_144;

export interface BlockStoreOptions {
  /** fsync every save (default true). */
  sync?: boolean;
  /** Counter cache bound (tests shrink it to exercise the cold path). */
  countCacheMax?: number;
}

/** Thrown by `openBlockStore` on a directory written by another layout version. */
export class BlockStoreFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlockStoreFormatError';
  }
}

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;
/** A 20-byte address as a Map key (one byte per char: no hex digits to build). */
const addrId = (a: Uint8Array) => latin1Slice.call(a, 0, a.length);

function key(ns: number, body: Uint8Array): Uint8Array {
  const k = new Uint8Array(1 + body.length);
  k[0] = ns;
  k.set(body, 1);
  return k;
}

function heightKey(ns: number, h: number): Uint8Array {
  const k = new Uint8Array(9);
  k[0] = ns;
  writeU64BE(k, 1, h);
  return k;
}


function readU64(b: Uint8Array, at = 0): number {
  const hi = ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  const lo = ((b[at + 4] << 24) | (b[at + 5] << 16) | (b[at + 6] << 8) | b[at + 7]) >>> 0;
  return hi * 0x1_0000_0000 + lo;
}

function u64Bytes(v: number): Uint8Array {
  const b = new Uint8Array(8);
  writeU64BE(b, 0, v);
  return b;
}

/** LevelDB hands back Buffers; callers get plain Uint8Arrays (Buffer#slice would alias). */
function plain(b: Uint8Array | undefined): Uint8Array | undefined {
  return b === undefined ? undefined : new Uint8Array(b.buffer, b.byteOffset, b.length);
}

function parseHex(s: string): Uint8Array | undefined {
  if (typeof s !== 'string' || s.length === 0 || s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return undefined;
  return new Uint8Array(Buffer.from(s, 'hex'));
}

const toHexUpper = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex').toUpperCase();

function checkHeight(h: number): void {
  if (!Number.isSafeInteger(h) || h < 1) throw new RangeError(`invalid block height: ${h}`);
}

const validHeight = (h: number) => Number.isSafeInteger(h) && h >= 1;

/** One address of a block and the (ascending) indexes of the block's txs naming it. */
export interface Touched {
  addr: Uint8Array;
  txs: number[];
}

function checkInput(b: SaveBlockInput): void {
  checkHeight(b.height);
  const n = b.txHashes.length;
  if (b.results.length !== n || b.addresses.length !== n || (b.txs && b.txs.length !== n)) {
    throw new Error('save: txHashes, results, addresses (and txs) must have one entry per tx');
  }
}

/** The block's unique addresses with the txs naming each (insertion order). Exported for the benchmark. */
export function blockAddresses(b: SaveBlockInput): Map<string, Touched> {
  checkInput(b);
  const touched = new Map<string, Touched>();
  for (let i = 0; i < b.addresses.length; i++) {
    const addrs = b.addresses[i]!;
    for (let j = 0; j < addrs.length; j++) {
      const a = addrs[j]!;
      if (!(a instanceof Uint8Array) || a.length !== ADDR_LEN) throw new Error(`save: tx ${i} address ${j} is not ${ADDR_LEN} bytes`);
      if (seenBefore(addrs, j)) continue;
      const id = addrId(a);
      const t = touched.get(id);
      if (t) t.txs.push(i);
      else touched.set(id, { addr: a, txs: [i] });
    }
  }
  return touched;
}

/**
 * Puts one block, without its counters, into `ops` (main-thread work only, no I/O). `touched`
 * is `blockAddresses(b)`. Exported for the benchmark. Keys and values are views into a few
 * per-block buffers; LevelDB copies them into its write batch at once.
 *
 * The address index holds one entry per (address, block), not per (address, tx): a put costs
 * more than its bytes, and busy addresses appear in many txs of a block.
 */
export function buildBlock(b: SaveBlockInput, touched: Map<string, Touched>, ops: PutSink): void {
  checkInput(b);
  const n = b.txHashes.length;
  ops.put(heightKey(NS.block, b.height), b.bytes);
  if (b.commitBytes) ops.put(heightKey(NS.commit, b.height), b.commitBytes);
  const meta = new BytesWriter(64 + b.hash.length);
  meta.begin();
  writeBlockInfo(meta, b.timeMs, n, b.hash);
  ops.put(heightKey(NS.info, b.height), meta.end());
  ops.put(key(NS.hash, b.hash), heightKey(NS.hash, b.height).subarray(1));
  if (n === 0) return;

  // Tx hashes, once, as raw bytes: the 'L' list, whose slices are also the 'A' entries' hashes.
  const list = Buffer.allocUnsafe(n * HASH_LEN) as Buffer & { hexWrite(s: string, offset: number, length: number): number };
  for (let i = 0; i < n; i++) {
    const h = b.txHashes[i]!;
    if (typeof h !== 'string' || h.length !== 2 * HASH_LEN || list.hexWrite(h, i * HASH_LEN, HASH_LEN) !== HASH_LEN) {
      throw new Error(`save: tx ${i} hash is not ${2 * HASH_LEN} hex digits: ${JSON.stringify(h)}`);
    }
  }
  ops.put(heightKey(NS.list, b.height), list);

  const recs = new BytesWriter(n * 384);
  const keys = new BytesWriter(n * (1 + HASH_LEN) + touched.size * (1 + ADDR_LEN + 8));
  for (let i = 0; i < n; i++) {
    keys.begin();
    keys.u8(NS.tx);
    keys.bytes(list.subarray(i * HASH_LEN, (i + 1) * HASH_LEN));
    recs.begin();
    writeTxRecord(recs, b.height, i, b.timeMs, b.txs?.[i], b.results[i]!);
    ops.put(keys.end(), recs.end());
  }

  // 'A' ‖ addr ‖ h → { u32 tx index ‖ tx hash }*, ascending.
  const entries = new BytesWriter(n * 2 * (4 + HASH_LEN));
  for (const t of touched.values()) {
    keys.begin();
    keys.u8(NS.addr);
    keys.bytes(t.addr);
    keys.u64(b.height);
    entries.begin();
    for (const i of t.txs) {
      entries.u32(i);
      entries.bytes(list.subarray(i * HASH_LEN, (i + 1) * HASH_LEN));
    }
    ops.put(keys.end(), entries.end());
  }
}

/** Whether addrs[j] equals an earlier entry (a tx names 1–4 addresses: a scan beats hashing). */
function seenBefore(addrs: Uint8Array[], j: number): boolean {
  const a = addrs[j]!;
  outer: for (let k = 0; k < j; k++) {
    const o = addrs[k]!;
    if (o.length !== a.length) continue;
    for (let x = 0; x < a.length; x++) if (o[x] !== a[x]) continue outer;
    return true;
  }
  return false;
}

/** The side index: the 'X' namespace, keys given and returned without it. */
class LevelIndex implements IndexReader {
  constructor(private readonly db: DB) {}

  async get(k: Uint8Array): Promise<Uint8Array | undefined> {
    return plain(await this.db.get(key(NS.index, k)));
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    if (keys.length === 0) return [];
    const got = await this.db.getMany(keys.map((k) => key(NS.index, k)));
    return got.map(plain);
  }

  async *range(r: IndexRange): AsyncIterable<[Uint8Array, Uint8Array]> {
    if (r.limit !== undefined && r.limit <= 0) return;
    const it = this.db.iterator({
      gte: key(NS.index, r.gte ?? new Uint8Array(0)),
      lt: r.lt ? key(NS.index, r.lt) : Uint8Array.of(NS.index + 1),
      reverse: r.reverse ?? false,
      ...(r.limit !== undefined ? { limit: r.limit } : {}),
    });
    try {
      for await (const [k, v] of it) yield [plain(k.subarray(1))!, plain(v)!];
    } finally {
      await it.close();
    }
  }
}

class LevelBlockStore implements BlockStore {
  /** Saves run one at a time: each builds on the counters the previous one wrote. */
  private queue: Promise<unknown> = Promise.resolve();
  private latest = 0;
  private base = 0;
  /** Committed per-address tx counts (addrId → count); a subset of 'N' unless `complete`. */
  private counts = new Map<string, number>();
  /** True while `counts` holds every address of the store (fresh store, never overflowed). */
  private complete = false;
  readonly index: IndexReader;

  constructor(
    private readonly db: DB,
    private readonly sync: boolean,
    private readonly countCacheMax: number,
  ) {
    this.index = new LevelIndex(db);
  }

  async init(): Promise<void> {
    const [l, b, f] = await this.db.getMany([LATEST, BASE, FORMAT]);
    if (f === undefined) {
      if (l !== undefined) {
        throw new BlockStoreFormatError(
          `block store at ${this.db.location} was written by an older dexchain (layout without a format version); ` +
            `this version cannot read its indexes: run \`dexchain unsafe-reset-all\` (or delete the data dir) and re-sync`,
        );
      }
      // Nothing saved yet (node meta values, if any, keep their layout): stamp the version.
      await this.db.put(FORMAT, u64Bytes(BLOCK_STORE_FORMAT), { sync: this.sync });
    } else if (readU64(f) !== BLOCK_STORE_FORMAT) {
      throw new BlockStoreFormatError(
        `block store at ${this.db.location} has format version ${readU64(f)}, this dexchain reads version ${BLOCK_STORE_FORMAT}: ` +
          `run \`dexchain unsafe-reset-all\` and re-sync, or use the matching dexchain version`,
      );
    }
    this.latest = l ? readU64(l) : 0;
    this.base = b ? readU64(b) : 0;
    // No block saved yet means no counter on disk: the (empty) cache is the whole truth.
    this.complete = this.latest === 0;
  }

  save(b: SaveBlockInput): Promise<void> {
    const run = this.queue.then(() => this.doSave(b));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async doSave(b: SaveBlockInput): Promise<void> {
    checkHeight(b.height);
    if (b.height <= this.latest) throw new Error(`block ${b.height} already saved (latest ${this.latest})`);
    const touched = blockAddresses(b);
    // Counters: cached ones now; the rest in one multi-get that runs on LevelDB's thread while
    // this thread builds the batch.
    const entries = [...touched];
    const prev = new Array<number>(entries.length);
    const missIdx: number[] = [];
    for (let i = 0; i < entries.length; i++) {
      const c = this.counts.get(entries[i]![0]);
      if (c !== undefined) prev[i] = c;
      else if (this.complete) prev[i] = 0;
      else missIdx.push(i);
    }
    const reading = missIdx.length > 0 ? this.db.getMany(missIdx.map((i) => key(NS.count, entries[i]![1].addr))) : undefined;
    reading?.catch(() => undefined); // awaited below; a build error must not leave it unhandled
    // A chained batch: each put goes straight into LevelDB's WriteBatch (the array form of
    // `db.batch` clones and re-encodes every op in JS first, several times the cost).
    const ops = this.db.batch();
    try {
      if (b.index) {
        await b.index({
          put: (k, v) => void ops.put(key(NS.index, k), v),
          del: (k) => void ops.del(key(NS.index, k)),
        });
      }
      buildBlock(b, touched, ops);
      if (reading) {
        const got = await reading;
        missIdx.forEach((i, j) => {
          const v = got[j];
          prev[i] = v ? readU64(v) : 0;
        });
      }
    } catch (e) {
      await ops.close();
      throw e;
    }
    const next = new Array<number>(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const [, t] = entries[i]!;
      next[i] = prev[i]! + t.txs.length;
      ops.put(key(NS.count, t.addr), u64Bytes(next[i]!));
    }
    const hb = heightKey(0, b.height).subarray(1);
    ops.put(LATEST, hb);
    if (this.base === 0) ops.put(BASE, hb);
    await ops.write({ sync: this.sync });
    // Only committed values enter the cache.
    this.latest = b.height;
    if (this.base === 0) this.base = b.height;
    if (this.counts.size + entries.length > this.countCacheMax) {
      this.counts.clear();
      this.complete = false;
    }
    if (entries.length <= this.countCacheMax) for (let i = 0; i < entries.length; i++) this.counts.set(entries[i]![0], next[i]!);
  }

  async latestHeight(): Promise<number> {
    return this.latest;
  }

  async baseHeight(): Promise<number> {
    return this.base;
  }

  async loadBlockBytes(height: number): Promise<Uint8Array | undefined> {
    if (!validHeight(height)) return undefined;
    return plain(await this.db.get(heightKey(NS.block, height)));
  }

  async loadCommitBytes(height: number): Promise<Uint8Array | undefined> {
    if (!validHeight(height)) return undefined;
    return plain(await this.db.get(heightKey(NS.commit, height)));
  }

  async blockInfo(height: number): Promise<BlockInfo | undefined> {
    if (!validHeight(height)) return undefined;
    const v = await this.db.get(heightKey(NS.info, height));
    if (!v) return undefined;
    const r = readBlockInfo(v);
    return { height, hash: r.hash, timeMs: r.timeMs, numTxs: r.numTxs };
  }

  async heightByHash(hash: Uint8Array | string): Promise<number | undefined> {
    const bytes = typeof hash === 'string' ? parseHex(hash) : hash;
    if (!bytes || bytes.length === 0) return undefined;
    const v = await this.db.get(key(NS.hash, bytes));
    return v ? readU64(v) : undefined;
  }

  async loadTx(hashHex: string): Promise<StoredTx | undefined> {
    const raw = typeof hashHex === 'string' && hashHex.length === 64 ? parseHex(hashHex) : undefined;
    if (!raw) return undefined;
    const v = await this.db.get(key(NS.tx, raw));
    return v ? readTxRecord(hashHex.toUpperCase(), v) : undefined;
  }

  /** Tx records for raw 32-byte hashes, in order (one multi-get). */
  private async loadAll(hashes: Uint8Array[]): Promise<StoredTx[]> {
    if (hashes.length === 0) return [];
    const vals = await this.db.getMany(hashes.map((h) => key(NS.tx, h)));
    const out: StoredTx[] = [];
    vals.forEach((v, i) => {
      if (v) out.push(readTxRecord(toHexUpper(hashes[i]!), v));
    });
    return out;
  }

  async txsByHeight(height: number): Promise<StoredTx[]> {
    if (!validHeight(height)) return [];
    const list = await this.db.get(heightKey(NS.list, height));
    if (!list) return [];
    const hashes: Uint8Array[] = [];
    for (let o = 0; o + HASH_LEN <= list.length; o += HASH_LEN) hashes.push(list.subarray(o, o + HASH_LEN));
    return this.loadAll(hashes);
  }

  async txsByAddress(address: string, opts: TxsByAddressOpts = {}): Promise<{ txs: StoredTx[]; total: number }> {
    const offset = Math.max(0, Math.floor(opts.offset ?? 0));
    const limit = Math.min(MAX_LIMIT, Math.max(0, Math.floor(opts.limit ?? DEFAULT_LIMIT)));
    const reverse = opts.reverse ?? true;
    let addr: Uint8Array;
    try {
      addr = decodeAddress(address);
    } catch {
      return { txs: [], total: 0 };
    }
    const bound = (h: number) => {
      const k = new Uint8Array(1 + ADDR_LEN + 8);
      k[0] = NS.addr;
      k.set(addr, 1);
      writeU64BE(k, 1 + ADDR_LEN, h);
      return k;
    };
    const prefixEnd = () => {
      // 'A' ‖ addr + 1 as a 21-byte number (the namespace byte never overflows)
      const k = new Uint8Array(1 + ADDR_LEN);
      k[0] = NS.addr;
      k.set(addr, 1);
      let i = k.length - 1;
      while (k[i] === 0xff) k[i--] = 0;
      k[i]++;
      return k;
    };
    const filtered = opts.minHeight !== undefined || opts.maxHeight !== undefined;
    const minH = Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, Math.floor(opts.minHeight ?? 0)));
    const gte = bound(minH);
    const maxPlus = opts.maxHeight !== undefined ? Math.floor(opts.maxHeight) + 1 : NaN;
    const lt = Number.isSafeInteger(maxPlus) ? bound(Math.max(0, maxPlus)) : prefixEnd();
    let total: number;
    if (!filtered) {
      total = this.counts.get(addrId(addr)) ?? (this.complete ? 0 : await this.storedCount(addr));
    } else {
      total = 0;
      if (maxPlus > minH || Number.isNaN(maxPlus)) for await (const v of this.db.values({ gte, lt })) total += v.length / ENTRY_LEN;
    }
    if (limit === 0 || offset >= total) return { txs: [], total };
    // Walk the per-block entry lists in position order, skipping `offset` entries.
    const hashes: Uint8Array[] = [];
    let skip = offset;
    for await (const v of this.db.values({ gte, lt, reverse })) {
      const count = v.length / ENTRY_LEN;
      if (skip >= count) {
        skip -= count;
        continue;
      }
      for (let e = skip; e < count && hashes.length < limit; e++) {
        const at = (reverse ? count - 1 - e : e) * ENTRY_LEN + 4;
        hashes.push(v.subarray(at, at + HASH_LEN));
      }
      skip = 0;
      if (hashes.length >= limit) break;
    }
    return { txs: await this.loadAll(hashes), total };
  }

  private async storedCount(addr: Uint8Array): Promise<number> {
    const c = await this.db.get(key(NS.count, addr));
    return c ? readU64(c) : 0;
  }

  async getMeta(k: string): Promise<Uint8Array | undefined> {
    return plain(await this.db.get(key(NS.kv, te.encode(k))));
  }

  async putMeta(k: string, value: Uint8Array): Promise<void> {
    await this.db.put(key(NS.kv, te.encode(k)), value, { sync: this.sync });
  }

  async close(): Promise<void> {
    await this.queue;
    await this.db.close();
  }
}

/** Opens (or creates) the block store in `dir`; throws `BlockStoreFormatError` on another layout. */
export async function openBlockStore(dir: string, opts: BlockStoreOptions = {}): Promise<BlockStore> {
  // A full block writes several MB (the block, its tx records, the address index): with LevelDB's
  // 4 MB default memtable every block flushed a level-0 file and kept compaction busy; 64 MB
  // flushes every ten-odd full blocks (measured: see docs/performance.md, LevelDB: memtables and compaction).
  const db: DB = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view', writeBufferSize: 64 * 1024 * 1024 });
  await db.open();
  const store = new LevelBlockStore(db, opts.sync ?? true, Math.max(0, opts.countCacheMax ?? COUNT_CACHE_MAX));
  try {
    await store.init();
  } catch (e) {
    await db.close();
    throw e;
  }
  return store;
}
