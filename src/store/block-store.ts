/**
 * Block store and tx index on LevelDB. One `save` = one atomic batch, so after a crash a block is
 * either fully indexed (block, commit, txs, address index, latest height) or absent.
 *
 * Layout (one-byte namespace, heights as 8-byte big-endian so they sort):
 *   'B' ‖ h               → encoded block
 *   'C' ‖ h               → encoded commit seen for h
 *   'I' ‖ h               → block info JSON {hash, timeMs, numTxs}
 *   'H' ‖ block hash      → h
 *   'T' ‖ TXHASH (utf8)   → stored tx JSON
 *   'X' ‖ h ‖ u32 index   → TXHASH                        (txs of a height, in order)
 *   'A' ‖ u8 len ‖ addr ‖ h ‖ u32 index → TXHASH          (address index, sortable by position)
 *   'N' ‖ addr            → u64 number of txs of addr    (total without a scan)
 *   'M' ‖ name            → latest / base height
 *   'K' ‖ key             → node meta values
 */
import { ClassicLevel } from 'classic-level';
import { concatBytes, utf8, fromUtf8, heightToBytes, bytesToHeight, prefixEnd, toHex, fromHex } from '../state/bytes.js';
import type { BlockInfo, BlockStore, SaveBlockInput, StoredTx, StoredTxResult, TxsByAddressOpts } from './types.js';

type DB = ClassicLevel<Uint8Array, Uint8Array>;
type BatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

const ns = (c: string) => Uint8Array.of(c.charCodeAt(0));
const NS = { block: ns('B'), commit: ns('C'), info: ns('I'), hash: ns('H'), tx: ns('T'), byHeight: ns('X'), addr: ns('A'), count: ns('N'), meta: ns('M'), kv: ns('K') };
const LATEST = concatBytes(NS.meta, utf8('latest'));
const BASE = concatBytes(NS.meta, utf8('base'));
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;

export interface BlockStoreOptions {
  /** fsync every save (default true). */
  sync?: boolean;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, false);
  return b;
}

function addrPrefix(address: string): Uint8Array {
  const a = utf8(address);
  if (a.length === 0 || a.length > 255) throw new RangeError(`invalid address: ${address}`);
  return concatBytes(NS.addr, Uint8Array.of(a.length), a);
}

function normHash(h: string): string {
  return h.toUpperCase();
}

/** LevelDB hands back Buffers; callers get plain Uint8Arrays (Buffer#slice would alias). */
function plain(b: Uint8Array | undefined): Uint8Array | undefined {
  return b === undefined ? undefined : new Uint8Array(b.buffer, b.byteOffset, b.length);
}

function b64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
}

function unb64(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64'));
}

interface TxRecord {
  height: number;
  index: number;
  timeMs: number;
  tx: string;
  code: number;
  log: string;
  data: string;
  events: StoredTxResult['events'];
}

function checkHeight(h: number): void {
  if (!Number.isSafeInteger(h) || h < 1) throw new RangeError(`invalid block height: ${h}`);
}

class LevelBlockStore implements BlockStore {
  /** Saves run one at a time: each reads the address counters the previous one wrote. */
  private queue: Promise<unknown> = Promise.resolve();
  private latest = 0;
  private base = 0;

  constructor(
    private readonly db: DB,
    private readonly sync: boolean,
  ) {}

  async init(): Promise<void> {
    const l = await this.db.get(LATEST);
    const b = await this.db.get(BASE);
    this.latest = l ? bytesToHeight(l) : 0;
    this.base = b ? bytesToHeight(b) : 0;
  }

  save(b: SaveBlockInput): Promise<void> {
    const run = this.queue.then(() => this.doSave(b));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async doSave(b: SaveBlockInput): Promise<void> {
    checkHeight(b.height);
    if (b.height <= this.latest) throw new Error(`block ${b.height} already saved (latest ${this.latest})`);
    const n = b.txHashes.length;
    if (b.results.length !== n || b.addresses.length !== n || (b.txs && b.txs.length !== n)) {
      throw new Error('save: txHashes, results, addresses (and txs) must have one entry per tx');
    }
    const h = heightToBytes(b.height);
    const ops: BatchOp[] = [];
    ops.push({ type: 'put', key: concatBytes(NS.block, h), value: b.bytes });
    if (b.commitBytes) ops.push({ type: 'put', key: concatBytes(NS.commit, h), value: b.commitBytes });
    ops.push({ type: 'put', key: concatBytes(NS.info, h), value: utf8(JSON.stringify({ hash: toHex(b.hash), timeMs: b.timeMs, numTxs: n })) });
    ops.push({ type: 'put', key: concatBytes(NS.hash, b.hash), value: h });
    const added = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const hash = normHash(b.txHashes[i]);
      const r = b.results[i];
      const rec: TxRecord = {
        height: b.height,
        index: i,
        timeMs: b.timeMs,
        tx: b64(b.txs?.[i] ?? new Uint8Array(0)),
        code: r.code,
        log: r.log,
        data: b64(r.data ?? new Uint8Array(0)),
        events: r.events ?? [],
      };
      const hashBytes = utf8(hash);
      ops.push({ type: 'put', key: concatBytes(NS.tx, hashBytes), value: utf8(JSON.stringify(rec)) });
      const pos = concatBytes(h, u32(i));
      ops.push({ type: 'put', key: concatBytes(NS.byHeight, pos), value: hashBytes });
      for (const addr of new Set(b.addresses[i])) {
        ops.push({ type: 'put', key: concatBytes(addrPrefix(addr), pos), value: hashBytes });
        added.set(addr, (added.get(addr) ?? 0) + 1);
      }
    }
    // One multi-get for every address's running count (one round trip, not one per address).
    const entries = [...added];
    const keys = entries.map(([addr]) => concatBytes(NS.count, utf8(addr)));
    const curs = keys.length ? await this.db.getMany(keys) : [];
    entries.forEach(([, k], i) => {
      const cur = curs[i];
      ops.push({ type: 'put', key: keys[i]!, value: heightToBytes((cur ? bytesToHeight(cur) : 0) + k) });
    });
    ops.push({ type: 'put', key: LATEST, value: h });
    if (this.base === 0) ops.push({ type: 'put', key: BASE, value: h });
    await this.db.batch(ops, { sync: this.sync });
    this.latest = b.height;
    if (this.base === 0) this.base = b.height;
  }

  async latestHeight(): Promise<number> {
    return this.latest;
  }

  async baseHeight(): Promise<number> {
    return this.base;
  }

  async loadBlockBytes(height: number): Promise<Uint8Array | undefined> {
    if (!Number.isSafeInteger(height) || height < 1) return undefined;
    return plain(await this.db.get(concatBytes(NS.block, heightToBytes(height))));
  }

  async loadCommitBytes(height: number): Promise<Uint8Array | undefined> {
    if (!Number.isSafeInteger(height) || height < 1) return undefined;
    return plain(await this.db.get(concatBytes(NS.commit, heightToBytes(height))));
  }

  async blockInfo(height: number): Promise<BlockInfo | undefined> {
    if (!Number.isSafeInteger(height) || height < 1) return undefined;
    const v = await this.db.get(concatBytes(NS.info, heightToBytes(height)));
    if (!v) return undefined;
    const j = JSON.parse(fromUtf8(v)) as { hash: string; timeMs: number; numTxs: number };
    return { height, hash: fromHex(j.hash), timeMs: j.timeMs, numTxs: j.numTxs };
  }

  async heightByHash(hash: Uint8Array | string): Promise<number | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = typeof hash === 'string' ? fromHex(hash) : hash;
    } catch {
      return undefined;
    }
    if (bytes.length === 0) return undefined;
    const v = await this.db.get(concatBytes(NS.hash, bytes));
    return v ? bytesToHeight(v) : undefined;
  }

  async loadTx(hashHex: string): Promise<StoredTx | undefined> {
    if (typeof hashHex !== 'string' || hashHex.length === 0) return undefined;
    const hash = normHash(hashHex);
    const v = await this.db.get(concatBytes(NS.tx, utf8(hash)));
    if (!v) return undefined;
    const r = JSON.parse(fromUtf8(v)) as TxRecord;
    return {
      hash,
      height: r.height,
      index: r.index,
      tx: unb64(r.tx),
      timeMs: r.timeMs,
      result: { code: r.code, log: r.log, data: unb64(r.data), events: r.events },
    };
  }

  private async loadAll(hashes: Uint8Array[]): Promise<StoredTx[]> {
    const out: StoredTx[] = [];
    for (const h of hashes) {
      const t = await this.loadTx(fromUtf8(h));
      if (t) out.push(t);
    }
    return out;
  }

  async txsByHeight(height: number): Promise<StoredTx[]> {
    if (!Number.isSafeInteger(height) || height < 1) return [];
    const prefix = concatBytes(NS.byHeight, heightToBytes(height));
    const hashes = await this.db.values({ gte: prefix, lt: prefixEnd(prefix)! }).all();
    return this.loadAll(hashes);
  }

  async txsByAddress(address: string, opts: TxsByAddressOpts = {}): Promise<{ txs: StoredTx[]; total: number }> {
    const offset = Math.max(0, Math.floor(opts.offset ?? 0));
    const limit = Math.min(MAX_LIMIT, Math.max(0, Math.floor(opts.limit ?? DEFAULT_LIMIT)));
    const reverse = opts.reverse ?? true;
    let prefix: Uint8Array;
    try {
      prefix = addrPrefix(address);
    } catch {
      return { txs: [], total: 0 };
    }
    const filtered = opts.minHeight !== undefined || opts.maxHeight !== undefined;
    const minH = Math.max(0, Math.floor(opts.minHeight ?? 0));
    const gte = concatBytes(prefix, heightToBytes(minH));
    const lt =
      opts.maxHeight !== undefined && Number.isSafeInteger(Math.floor(opts.maxHeight + 1))
        ? concatBytes(prefix, heightToBytes(Math.max(0, Math.floor(opts.maxHeight) + 1)))
        : prefixEnd(prefix)!;
    let total: number;
    if (!filtered) {
      const c = await this.db.get(concatBytes(NS.count, utf8(address)));
      total = c ? bytesToHeight(c) : 0;
    } else {
      total = 0;
      for await (const _ of this.db.keys({ gte, lt })) total++;
    }
    if (limit === 0 || offset >= total) return { txs: [], total };
    const rows = await this.db.values({ gte, lt, reverse, limit: offset + limit }).all();
    return { txs: await this.loadAll(rows.slice(offset)), total };
  }

  async getMeta(key: string): Promise<Uint8Array | undefined> {
    return plain(await this.db.get(concatBytes(NS.kv, utf8(key))));
  }

  async putMeta(key: string, value: Uint8Array): Promise<void> {
    await this.db.put(concatBytes(NS.kv, utf8(key)), value, { sync: this.sync });
  }

  async close(): Promise<void> {
    await this.queue;
    await this.db.close();
  }
}

/** Opens (or creates) the block store in `dir`. */
export async function openBlockStore(dir: string, opts: BlockStoreOptions = {}): Promise<BlockStore> {
  const db: DB = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  const store = new LevelBlockStore(db, opts.sync ?? true);
  await store.init();
  return store;
}
