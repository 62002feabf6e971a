/**
 * Write-behind: the block store's save runs behind the next block. The state's disk write waits
 * for the save (the disk never holds state the stored blocks do not explain), at most one save
 * is in flight, and whoever hears of a block (listeners, commit waiters) hears after the save.
 * Gates are promises the tests settle by hand; nothing here depends on how long a step takes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateStore, utf8, type StateStoreImpl } from '../../../src/state/index.js';
import { openBlockStore, type BlockStore, type SaveBlockInput } from '../../../src/store/index.js';
import { BlockExecutor, type AppliedBlock } from '../../../src/node/executor.js';
import { SoloProducer } from '../../../src/node/solo-producer.js';
import { silentLogger } from '../../../src/node/logger.js';
import { Mempool } from '../../../src/mempool/mempool.js';
import { headerHash } from '../../../src/consensus/block.js';
import type { Block, Commit } from '../../../src/consensus/types.js';
import type { Application } from '../../../src/app/abci.js';
import type { Msg } from '../../../src/codec/types.js';
import { txHashHex } from '../../../src/codec/index.js';
import { sha256 } from '../../../src/crypto/hash.js';
import { ed25519Generate, ed25519PublicKey } from '../../../src/crypto/ed25519.js';
import { consensusAddress } from '../../../src/crypto/hash.js';
import { BNB, GENESIS_MS, VAL1, key, newApp, signNext, type Harness } from '../app/helpers.js';

interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: Error): void;
  settled: boolean;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const d: Deferred<T> = {
    promise,
    settled: false,
    resolve: (v) => {
      d.settled = true;
      resolve(v);
    },
    reject: (e) => {
      d.settled = true;
      reject(e);
    },
  };
  return d;
}

/** Lets every ready callback (and a LevelDB round trip or two) run. */
async function flush(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Tracks whether a promise has settled, without making its rejection unhandled. */
function watch(p: Promise<unknown>): { done: boolean; failed: boolean } {
  const s = { done: false, failed: false };
  p.then(
    () => (s.done = true),
    () => {
      s.done = true;
      s.failed = true;
    },
  );
  return s;
}

const dirs: string[] = [];
function tempDir(label: string): string {
  const d = mkdtempSync(join(tmpdir(), `dexchain-wb-${label}-`));
  dirs.push(d);
  return d;
}

after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function persistedStateHeight(dir: string): Promise<number> {
  const s = await openStateStore(dir);
  try {
    return s.height;
  } finally {
    await s.close();
  }
}

async function persistedBlockHeight(dir: string): Promise<number> {
  const b = await openBlockStore(dir);
  try {
    return await b.latestHeight();
  } finally {
    await b.close();
  }
}

function write(store: StateStoreImpl, h: number): void {
  store.working().set(utf8(`k${h}`), utf8(`v${h}`));
}

// ---------------------------------------------------------------------------------------------

describe('write-behind: state store commit({ persistAfter }) with deferWrites', function () {
  this.timeout(20_000);

  it('goes live in memory at once and writes to disk only after persistAfter resolves', async () => {
    const dir = tempDir('state-pending');
    const store = await openStateStore(dir, { deferWrites: true });
    const gate = deferred();
    write(store, 1);
    await store.commit(1, { persistAfter: gate.promise });
    assert.equal(store.height, 1, 'height advances before the write');
    assert.deepEqual(store.committed().get(utf8('k1')), utf8('v1'), 'state is live in memory');
    // close waits for the deferred batch, which cannot start before the gate opens
    const closing = watch(store.close());
    await flush();
    assert.equal(closing.done, false, 'the batch was written (close finished) while persistAfter was pending');
    gate.resolve();
    await flush();
    while (!closing.done) await flush(1);
    assert.equal(closing.failed, false);
    assert.equal(await persistedStateHeight(dir), 1);
  });

  it('never writes a batch whose persistAfter rejects, and every later commit throws its error', async () => {
    const dir = tempDir('state-reject');
    const store = await openStateStore(dir, { deferWrites: true });
    write(store, 1);
    await store.commit(1, { persistAfter: Promise.resolve() });
    const gate = deferred();
    write(store, 2);
    await store.commit(2, { persistAfter: gate.promise });
    assert.equal(store.height, 2);
    gate.reject(new Error('block save failed: disk full'));
    await flush();
    write(store, 3);
    await assert.rejects(store.commit(3), /disk full/);
    await assert.rejects(store.commit(3), /disk full/, 'the error sticks');
    assert.equal(store.height, 2, 'a refused commit changes nothing in memory');
    await assert.rejects(store.close(), /disk full/, 'close reports the lost write');
    assert.equal(await persistedStateHeight(dir), 1, 'the batch behind the failed save must never reach the disk');
  });

  it('lands two pending commits in commit order, whichever persistAfter resolves first', async () => {
    const dir = tempDir('state-order');
    const store = await openStateStore(dir, { deferWrites: true });
    const a = deferred();
    const b = deferred();
    write(store, 1);
    await store.commit(1, { persistAfter: a.promise });
    write(store, 2);
    await store.commit(2, { persistAfter: b.promise });
    assert.equal(store.height, 2);
    b.resolve(); // the second gate opens first: its batch must still follow the first one
    await flush();
    a.resolve();
    await store.close();
    // had batch 1 landed after batch 2 the disk would say height 1
    assert.equal(await persistedStateHeight(dir), 2);
    const again = await openStateStore(dir);
    assert.deepEqual(again.committed().get(utf8('k1')), utf8('v1'));
    assert.deepEqual(again.committed().get(utf8('k2')), utf8('v2'));
    await again.close();
  });

  it('holds at most two deferred batches: a third commit waits for them', async () => {
    const dir = tempDir('state-third');
    const store = await openStateStore(dir, { deferWrites: true });
    const a = deferred();
    const b = deferred();
    write(store, 1);
    await store.commit(1, { persistAfter: a.promise });
    write(store, 2);
    await store.commit(2, { persistAfter: b.promise });
    write(store, 3);
    const third = watch(store.commit(3));
    await flush();
    assert.equal(third.done, false, 'a third commit went through with two batches held');
    assert.equal(store.height, 2);
    a.resolve();
    b.resolve();
    while (!third.done) await flush(1);
    assert.equal(third.failed, false);
    assert.equal(store.height, 3);
    await store.close();
    assert.equal(await persistedStateHeight(dir), 3);
  });
});

// ---------------------------------------------------------------------------------------------

/** The real block store, with each save held until the test opens (or fails) its gate. */
function gatedBlocks(real: BlockStore): { store: BlockStore; saves: number[]; gate(h: number): Deferred } {
  const gates = new Map<number, Deferred>();
  const gate = (h: number): Deferred => {
    let g = gates.get(h);
    if (!g) gates.set(h, (g = deferred()));
    return g;
  };
  const saves: number[] = [];
  const store = new Proxy(real, {
    get(target, prop) {
      if (prop === 'save') {
        return (b: SaveBlockInput) => {
          saves.push(b.height);
          return gate(b.height).promise.then(() => target.save(b));
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { store, saves, gate };
}

const alice = key('wb-alice');
const bob = key('wb-bob');
const sendMsg = (amount: bigint): Msg => ({
  type: 'cosmos-sdk/Send',
  inputs: [{ address: alice.addr, coins: [{ denom: 'BNB', amount }] }],
  outputs: [{ address: bob.addr, coins: [{ denom: 'BNB', amount }] }],
});

const mempoolCfg = { size: 1000, max_txs_bytes: 1 << 20, max_txs_per_sender: 100, max_recheck: 1000, min_fee: 0, cache_size: 1000 };

function makeBlock(height: number, txs: Uint8Array[]): { block: Block; commit: Commit } {
  const z = new Uint8Array(32);
  const block: Block = {
    header: {
      chainId: 'Binance-Chain-Ganges',
      height,
      timeMs: GENESIS_MS + height * 1000,
      lastBlockId: { hash: height === 1 ? new Uint8Array() : sha256(utf8(`b${height - 1}`)) },
      lastCommitHash: z,
      dataHash: z,
      validatorsHash: z,
      nextValidatorsHash: z,
      appHash: z,
      lastResultsHash: z,
      evidenceHash: z,
      proposerAddress: VAL1.consAddr,
    },
    txs,
    evidence: [],
    lastCommit: { height: height - 1, round: 0, blockId: { hash: new Uint8Array() }, signatures: [] },
  };
  return { block, commit: { height, round: 0, blockId: { hash: headerHash(block.header) }, signatures: [] } };
}

interface Rig {
  h: Harness;
  state: StateStoreImpl;
  real: BlockStore;
  gated: ReturnType<typeof gatedBlocks>;
  mempool: Mempool;
  executor: BlockExecutor;
  heard: number[];
  stateDir: string;
  blockDir: string;
}

async function rig(label: string): Promise<Rig> {
  const stateDir = tempDir(`${label}-state`);
  const blockDir = tempDir(`${label}-blocks`);
  const state = await openStateStore(stateDir, { deferWrites: true });
  const real = await openBlockStore(blockDir);
  const h = await newApp({ bnb: [[alice, 1000n * BNB]] }, state);
  const gated = gatedBlocks(real);
  const mempool = new Mempool(h.app, mempoolCfg);
  const executor = new BlockExecutor(h.app, gated.store, silentLogger(), mempool);
  const heard: number[] = [];
  executor.onBlock((b: AppliedBlock) => heard.push(b.block.header.height));
  return { h, state, real, gated, mempool, executor, heard, stateDir, blockDir };
}

const powers = new Map<string, bigint>();

describe('write-behind: BlockExecutor.apply', function () {
  this.timeout(20_000);

  it('resolves while the save is held; listeners and commit waiters hear only after the save', async () => {
    const r = await rig('apply');
    const tx = signNext(r.h, alice, sendMsg(1n));
    assert.equal(r.mempool.add(tx).code, 0);
    let info: unknown = 'not woken';
    const waiting = r.mempool.waitForCommit(txHashHex(tx), 30_000).then((i) => (info = i));

    const { block, commit } = makeBlock(1, [tx]);
    const applied = await r.executor.apply(block, commit, powers); // the save of block 1 is still held
    const stored = watch(applied.stored);
    assert.equal(applied.results[0]!.code, 0, applied.results[0]!.log);
    assert.deepEqual(r.gated.saves, [1], 'the save was started');
    assert.equal(r.state.height, 1, 'the state is committed in memory');
    assert.equal(r.mempool.size, 0, 'the block\'s txs leave the pool at once');
    await flush();
    assert.equal(stored.done, false, '`stored` settled before the save finished');
    assert.deepEqual(r.heard, [], 'a listener heard of a block not yet in the store');
    assert.equal(info, 'not woken', 'a commit waiter was told before the block was stored');
    assert.equal(await r.real.latestHeight(), 0);

    r.gated.gate(1).resolve();
    await applied.stored;
    assert.deepEqual(r.heard, [1]);
    await waiting;
    assert.deepEqual(info, { height: 1, index: 0, code: 0, log: applied.results[0]!.log });
    assert.equal(await r.real.latestHeight(), 1);
    assert.ok(await r.real.loadBlockBytes(1), 'the listener\'s block is readable from the store');

    // at most one save in flight: block 3's save waits for block 2's
    const b2 = makeBlock(2, []);
    const applied2 = await r.executor.apply(b2.block, b2.commit, powers);
    const b3 = makeBlock(3, []);
    const applying3 = watch(r.executor.apply(b3.block, b3.commit, powers));
    await flush();
    assert.deepEqual(r.gated.saves, [1, 2], 'block 3 was saved while block 2\'s save was in flight');
    assert.equal(applying3.done, false);
    assert.equal(r.state.height, 2, 'block 3 committed ahead of block 2\'s save');
    r.gated.gate(2).resolve();
    await applied2.stored;
    while (!applying3.done) await flush(1);
    assert.equal(applying3.failed, false);
    assert.deepEqual(r.gated.saves, [1, 2, 3]);
    assert.deepEqual(r.heard, [1, 2]);
    r.gated.gate(3).resolve();
    await r.executor.idle();
    assert.deepEqual(r.heard, [1, 2, 3]);
    assert.equal(await r.real.latestHeight(), 3);

    await r.real.close();
    await r.state.close();
    assert.equal(await persistedStateHeight(r.stateDir), 3);
  });

  it('a failed save stops the next block and the state on disk never passes the block store', async () => {
    const r = await rig('fail');
    const b1 = makeBlock(1, []);
    r.gated.gate(1).resolve();
    await (await r.executor.apply(b1.block, b1.commit, powers)).stored;

    const tx = signNext(r.h, alice, sendMsg(1n));
    assert.equal(r.mempool.add(tx).code, 0);
    let info: unknown = 'not woken';
    const waiting = r.mempool.waitForCommit(txHashHex(tx), 30_000).then((i) => (info = i));
    const b2 = makeBlock(2, [tx]);
    const applied2 = await r.executor.apply(b2.block, b2.commit, powers);
    assert.equal(r.state.height, 2, 'block 2 is live in memory');
    r.gated.gate(2).reject(new Error('block store: disk full'));
    await assert.rejects(applied2.stored, /disk full/);
    await waiting;
    assert.equal(info, undefined, 'the waiter of a tx whose block was not stored must not hear "committed"');
    assert.deepEqual(r.heard, [1], 'no listener hears of an unsaved block');

    const b3 = makeBlock(3, []);
    await assert.rejects(r.executor.apply(b3.block, b3.commit, powers), /disk full/);
    assert.deepEqual(r.gated.saves, [1, 2], 'nothing is saved after a failed save');
    await assert.rejects(r.executor.idle(), /disk full/);

    await r.real.close();
    await r.state.close().catch(() => undefined); // reports the state batch it never wrote
    const stateOnDisk = await persistedStateHeight(r.stateDir);
    const blocksOnDisk = await persistedBlockHeight(r.blockDir);
    assert.equal(blocksOnDisk, 1);
    assert.ok(stateOnDisk <= blocksOnDisk, `state on disk (${stateOnDisk}) is ahead of the block store (${blocksOnDisk})`);
    assert.equal(stateOnDisk, 1);
  });
});

// ---------------------------------------------------------------------------------------------

describe('write-behind: SoloProducer waits for admission before it reaps', function () {
  this.timeout(20_000);

  function producer(blockIntervalMs: number, admitted: () => Promise<void>) {
    const reaped = deferred();
    const applied = deferred();
    let reaps = 0;
    const priv = ed25519Generate().priv;
    const pub = ed25519PublicKey(priv);
    const mempool = {
      reap: () => {
        reaps++;
        reaped.resolve();
        return [] as Uint8Array[];
      },
    } as unknown as Mempool;
    const app = {
      prepareProposal: (txs: Uint8Array[]) => txs,
      info: () => ({ lastBlockAppHash: new Uint8Array(32), lastBlockHeight: 0 }),
    } as unknown as Application;
    const executor = {
      lastResultsHash: new Uint8Array(32),
      apply: async () => {
        applied.resolve();
        return {};
      },
    } as unknown as BlockExecutor;
    const blocks = { latestHeight: async () => 0 } as unknown as BlockStore;
    const p = new SoloProducer({
      chainId: 'wb-chain',
      key: { address: consensusAddress(pub), pubKey: pub, privKey: priv },
      app,
      mempool,
      executor,
      blocks,
      validatorsHash: new Uint8Array(32),
      powers,
      genesisTimeMs: GENESIS_MS,
      blockIntervalMs,
      maxBlockBytes: 1 << 20,
      maxBlockTxs: 100,
      createEmptyBlocks: true,
      log: silentLogger(),
      admitted,
    });
    return { p, reaped, applied, reaps: () => reaps };
  }

  it('does not reap before `admitted` resolves', async () => {
    const called = deferred();
    const gate = deferred();
    // an interval far beyond the test: the blockIntervalMs/2 fallback cannot fire here
    const s = producer(10 * 60_000, () => {
      called.resolve();
      return gate.promise;
    });
    await s.p.start();
    await called.promise;
    await flush();
    assert.equal(s.reaps(), 0, 'reaped while admission was still in flight');
    gate.resolve();
    await s.reaped.promise;
    await s.applied.promise;
    assert.equal(s.reaps(), 1);
    await s.p.stop();
  });

  it('reaps anyway once blockIntervalMs/2 passes with admission still in flight', async () => {
    const never = new Promise<void>(() => undefined);
    let asked = 0;
    const s = producer(40, () => {
      asked++;
      return never;
    });
    await s.p.start();
    await s.reaped.promise; // would hang (and time out) if the producer waited for `never`
    await s.applied.promise;
    assert.ok(asked >= 1);
    await s.p.stop();
  });
});
