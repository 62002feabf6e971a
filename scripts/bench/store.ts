/**
 * Block store save cost per tx, for blocks of single-transfer txs (5,000 by default): the
 * executor's address extraction plus building the LevelDB batch (main-thread work), and the wall
 * time of a whole `save` (build + counter read if any + fsync'd batch write). Next to it, in the
 * same run:
 *
 *  - the previous layout (format 1): bech32 addresses from `txAddresses`, one JSON record per tx
 *    (tx base64 + result + events), utf8 hex-string keys, by-height keys, a counter multi-get,
 *    written to its own LevelDB with the same options — rebuilt here as the "before" figure;
 *  - `JSON.stringify` of the same results alone, and a raw `db.batch` of N 32-byte puts.
 *
 *   npx tsx scripts/bench/store.ts [--blocks 5] [--block-txs 5000] [--senders 1000] [--no-sync]
 *
 * Timings are printed, never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ClassicLevel } from 'classic-level';
import { encodeAddress, encodeTx } from '../../src/codec/index.js';
import type { SendMsg } from '../../src/codec/types.js';
import { sha256 } from '../../src/crypto/hash.js';
import { txAddresses, txAddressesRaw } from '../../src/node/executor.js';
import { BLOCK_STORE_FORMAT, openBlockStore, type SaveBlockInput, type StoredTxResult } from '../../src/store/index.js';
import { blockAddresses, buildBlock } from '../../src/store/block-store.js';

const HRP = 'tbnb';

export interface StoreBenchOptions {
  blocks?: number;
  blockTxs?: number;
  senders?: number;
  /** fsync each block's batch (default true, as the node). */
  sync?: boolean;
  log?: (line: string) => void;
}

export interface StoreBenchResult {
  blockTxs: number;
  blocks: number;
  /** Executor side: raw address extraction (decodeTx + walk), µs per tx. */
  extractUsPerTx: number;
  /** Store side: building the batch (addresses map + ops), µs per tx. */
  buildUsPerTx: number;
  /** extract + build: the main-thread figure (target ≤ 15). */
  mainUsPerTx: number;
  /** Wall time of `save` (build + write, warm counter cache), µs per tx. */
  saveUsPerTx: number;
  /** Wall time of `save` with every counter read from LevelDB (cold cache, as after a restart). */
  saveColdUsPerTx: number;
  /** Old layout: bech32 extraction, µs per tx. */
  oldExtractUsPerTx: number;
  /** Old layout: building JSON records and string keys, µs per tx (without the array batch's own JS pass, so a lower bound). */
  oldBuildUsPerTx: number;
  oldMainUsPerTx: number;
  /** Old layout: wall time of build + counter multi-get + batch write, µs per tx. */
  oldSaveUsPerTx: number;
  /** Reference: JSON.stringify of the block's results alone, µs per tx. */
  jsonStringifyUsPerTx: number;
  /** Reference: raw db.batch of N 32-byte-key / 32-byte-value puts, µs per put. */
  rawBatchUsPerPut: number;
}

const enc = new TextEncoder();

function address(tag: string): Uint8Array {
  return sha256(enc.encode(tag)).slice(0, 20);
}

function makeBlock(height: number, n: number, senders: Uint8Array[], pub: Uint8Array, sig: Uint8Array): SaveBlockInput {
  const txs: Uint8Array[] = [];
  const results: StoredTxResult[] = [];
  const txHashes: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = (height * n + i) % senders.length;
    const from = senders[k]!;
    const to = senders[(k + 1) % senders.length]!;
    const msg: SendMsg = {
      type: 'cosmos-sdk/Send',
      inputs: [{ address: from, coins: [{ denom: 'BNB', amount: 1n }] }],
      outputs: [{ address: to, coins: [{ denom: 'BNB', amount: 1n }] }],
    };
    const tx = encodeTx({ msgs: [msg], signatures: [{ pub_key: pub, signature: sig, account_number: BigInt(k), sequence: BigInt(height * n + i) }], memo: '', source: 0n, data: new Uint8Array(0) });
    txs.push(tx);
    txHashes.push(Buffer.from(sha256(tx)).toString('hex').toUpperCase());
    const f = encodeAddress(from, HRP);
    const t = encodeAddress(to, HRP);
    results.push({
      code: 0,
      log: 'Msg 0: ',
      data: new Uint8Array(0),
      events: [
        { type: 'message', attributes: [{ key: 'action', value: 'send' }, { key: 'module', value: 'bank' }, { key: 'sender', value: f }] },
        { type: 'tx', attributes: [{ key: 'fee', value: '37500BNB' }] },
        { type: 'transfer', attributes: [{ key: 'recipient', value: t }, { key: 'sender', value: f }, { key: 'amount', value: '1BNB' }] },
      ],
    });
  }
  let size = 0;
  for (const t of txs) size += t.length;
  const bytes = new Uint8Array(size + 200);
  let o = 200;
  for (const t of txs) {
    bytes.set(t, o);
    o += t.length;
  }
  return { height, hash: sha256(enc.encode(`block-${height}`)), timeMs: 1_700_000_000_000 + height * 1000, bytes, commitBytes: new Uint8Array(300), results, txHashes, addresses: [], txs };
}

// ---- the previous layout (format 1), rebuilt as the reference ----

type Op = { type: 'put'; key: Uint8Array; value: Uint8Array };
const cat = (...p: Uint8Array[]) => Buffer.concat(p);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const h8 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};
const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');

function oldBuildOps(b: SaveBlockInput, addresses: string[][]): { ops: Op[]; added: Map<string, number> } {
  const h = h8(b.height);
  const ops: Op[] = [];
  ops.push({ type: 'put', key: cat(enc.encode('B'), h), value: b.bytes });
  ops.push({ type: 'put', key: cat(enc.encode('C'), h), value: b.commitBytes! });
  ops.push({ type: 'put', key: cat(enc.encode('I'), h), value: enc.encode(JSON.stringify({ hash: Buffer.from(b.hash).toString('hex'), timeMs: b.timeMs, numTxs: b.txHashes.length })) });
  ops.push({ type: 'put', key: cat(enc.encode('H'), b.hash), value: h });
  const added = new Map<string, number>();
  for (let i = 0; i < b.txHashes.length; i++) {
    const r = b.results[i]!;
    const rec = { height: b.height, index: i, timeMs: b.timeMs, tx: b64(b.txs![i]!), code: r.code, log: r.log, data: b64(r.data), events: r.events };
    const hashBytes = enc.encode(b.txHashes[i]!.toUpperCase());
    ops.push({ type: 'put', key: cat(enc.encode('T'), hashBytes), value: enc.encode(JSON.stringify(rec)) });
    const pos = cat(h, u32(i));
    ops.push({ type: 'put', key: cat(enc.encode('X'), pos), value: hashBytes });
    for (const addr of new Set(addresses[i])) {
      const a = enc.encode(addr);
      ops.push({ type: 'put', key: cat(enc.encode('A'), Uint8Array.of(a.length), a, pos), value: hashBytes });
      added.set(addr, (added.get(addr) ?? 0) + 1);
    }
  }
  return { ops, added };
}

async function oldSave(db: ClassicLevel<Uint8Array, Uint8Array>, b: SaveBlockInput, addresses: string[][], sync: boolean): Promise<void> {
  const { ops, added } = oldBuildOps(b, addresses);
  const entries = [...added];
  const keys = entries.map(([a]) => cat(enc.encode('N'), enc.encode(a)));
  const cur = await db.getMany(keys);
  entries.forEach(([, k], i) => ops.push({ type: 'put', key: keys[i]!, value: h8((cur[i] ? Number(Buffer.from(cur[i]!).readBigUInt64BE()) : 0) + k) }));
  ops.push({ type: 'put', key: cat(enc.encode('M'), enc.encode('latest')), value: h8(b.height) });
  await db.batch(ops, { sync });
}

// ---- the run ----

export async function runStoreBench(opts: StoreBenchOptions = {}): Promise<StoreBenchResult> {
  const blocks = Math.max(2, opts.blocks ?? 5);
  const n = opts.blockTxs ?? 5000;
  const sync = opts.sync ?? true;
  const log = opts.log ?? ((s: string) => process.stdout.write(s + '\n'));
  const senders = Array.from({ length: opts.senders ?? 1000 }, (_, i) => address(`bench-sender-${i}`));
  const pub = Uint8Array.of(2, ...sha256(enc.encode('pub')));
  const sig = new Uint8Array(64).fill(7);
  log(`building ${blocks} blocks of ${n} transfers (${senders.length} senders)…`);
  // Block 1 warms the JIT and caches and is not counted.
  const input = Array.from({ length: blocks }, (_, i) => makeBlock(i + 1, n, senders, pub, sig));
  const dirs: string[] = [];
  const mk = () => {
    const d = mkdtempSync(join(tmpdir(), 'dexchain-store-bench-'));
    dirs.push(d);
    return d;
  };
  const counted = blocks - 1;
  /** Best (fastest) counted block, µs per tx: on a shared machine the minimum is the steadiest estimate of the cost itself. */
  const per = (ms: number[], k = n) => (Math.min(...ms) * 1000) / k;
  try {
    // Every variant runs on each block in turn, so a busy neighbour slows them alike.
    // new layout: warm counter cache; "build" puts into a chained batch of a scratch db, then drops it
    const store = await openBlockStore(mk(), { sync });
    const scratch = new ClassicLevel<Uint8Array, Uint8Array>(mk(), { keyEncoding: 'view', valueEncoding: 'view' });
    await scratch.open();
    // new layout, cold counter cache (every block reads its counters, as after a restart)
    const cold = await openBlockStore(mk(), { sync, countCacheMax: 0 });
    const oldDb = new ClassicLevel<Uint8Array, Uint8Array>(mk(), { keyEncoding: 'view', valueEncoding: 'view' });
    await oldDb.open();
    const extract: number[] = [];
    const build: number[] = [];
    const save: number[] = [];
    const saveCold: number[] = [];
    const oldExtract: number[] = [];
    const oldBuild: number[] = [];
    const oldSaveMs: number[] = [];
    const json: number[] = [];
    for (let k = 0; k < blocks; k++) {
      const b = input[k]!;
      let t0 = performance.now();
      b.addresses = b.txs!.map((tx, i) => txAddressesRaw(tx, b.txHashes[i]));
      let t1 = performance.now();
      const batch = scratch.batch();
      buildBlock(b, blockAddresses(b), batch);
      let t2 = performance.now();
      await batch.close();
      const t2b = performance.now();
      await store.save(b);
      let t3 = performance.now();
      await cold.save(b);
      const t4 = performance.now();
      if (k > 0) {
        extract.push(t1 - t0);
        build.push(t2 - t1);
        save.push(t3 - t2b);
        saveCold.push(t4 - t3);
      }
      // old layout (its extraction is today's `txAddresses`: decode, walk, bech32, sort)
      t0 = performance.now();
      const addrs = b.txs!.map((tx) => txAddresses(tx, HRP));
      t1 = performance.now();
      oldBuildOps({ ...b, height: b.height + 1_000_000 }, addrs);
      t2 = performance.now();
      await oldSave(oldDb, b, addrs, sync);
      t3 = performance.now();
      for (const r of b.results) JSON.stringify(r);
      const t5 = performance.now();
      if (k > 0) {
        oldExtract.push(t1 - t0);
        oldBuild.push(t2 - t1);
        oldSaveMs.push(t3 - t2);
        json.push(t5 - t3);
      }
    }
    await store.close();
    await scratch.close();
    await cold.close();
    // raw batch of N 32-byte puts
    const raw: number[] = [];
    for (let k = 0; k < blocks; k++) {
      const ops: Op[] = [];
      for (let i = 0; i < n; i++) {
        const key = sha256(enc.encode(`raw-${k}-${i}`));
        ops.push({ type: 'put', key, value: key });
      }
      const t0 = performance.now();
      await oldDb.batch(ops, { sync });
      if (k > 0) raw.push(performance.now() - t0);
    }
    await oldDb.close();

    const r: StoreBenchResult = {
      blockTxs: n,
      blocks: counted,
      extractUsPerTx: per(extract),
      buildUsPerTx: per(build),
      mainUsPerTx: per(extract.map((x, i) => x + build[i]!)),
      saveUsPerTx: per(save),
      saveColdUsPerTx: per(saveCold),
      oldExtractUsPerTx: per(oldExtract),
      oldBuildUsPerTx: per(oldBuild),
      oldMainUsPerTx: per(oldExtract.map((x, i) => x + oldBuild[i]!)),
      oldSaveUsPerTx: per(oldSaveMs),
      jsonStringifyUsPerTx: per(json),
      rawBatchUsPerPut: per(raw),
    };
    const f = (x: number) => x.toFixed(2).padStart(7);
    log(`block store, ${counted} blocks × ${n} transfers, sync=${sync} (µs per tx, best block)`);
    log(`                      extract   build   main    save(wall)  save cold`);
    log(`  new (format ${BLOCK_STORE_FORMAT})      ${f(r.extractUsPerTx)} ${f(r.buildUsPerTx)} ${f(r.mainUsPerTx)} ${f(r.saveUsPerTx)}     ${f(r.saveColdUsPerTx)}`);
    log(`  old (format 1)      ${f(r.oldExtractUsPerTx)} ${f(r.oldBuildUsPerTx)} ${f(r.oldMainUsPerTx)} ${f(r.oldSaveUsPerTx)}`);
    log(`  reference: JSON.stringify(result) ${f(r.jsonStringifyUsPerTx)} µs/tx; raw db.batch ${f(r.rawBatchUsPerPut)} µs per 32-byte put`);
    log(`  main-thread speed-up ${(r.oldMainUsPerTx / r.mainUsPerTx).toFixed(1)}×, save wall ${(r.oldSaveUsPerTx / r.saveUsPerTx).toFixed(1)}×`);
    return r;
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runStoreBench({ blocks: arg('--blocks'), blockTxs: arg('--block-txs'), senders: arg('--senders'), sync: !process.argv.includes('--no-sync') }).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
