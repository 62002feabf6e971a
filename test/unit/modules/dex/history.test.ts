/**
 * The DEX history index (closed orders and trades kept beside the block store, not in state):
 * filters and paging against a plain filter over every record (property), pruning bounds, the
 * LevelDB side index through real block saves (and a reopen), and a check-mode cancel that must
 * not reach a block's history.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { DexHistory, writeDexHistory, type ClosedFilter, type TradeFilter } from '../../../../src/modules/dex/history.js';
import { OrderStatus, type DexBlockHistory, type OrderRecord, type TradeRecord } from '../../../../src/modules/dex/types.js';
import { MemoryIndex } from '../../../../src/store/memory-index.js';
import { openBlockStore } from '../../../../src/store/index.js';
import { key, runBlock } from '../../app/helpers.js';
import { BNB, Signer, XYZ, XYZ_BNB, closedOf, newDexApp } from './helpers.js';

const owners = [1, 2, 3].map((n) => Uint8Array.from({ length: 20 }, (_, i) => (i === 19 ? n : 0xa0)));
const SYMBOLS = ['AAA-000_BNB', 'BBB-000_BNB'];
const STATUSES = [OrderStatus.FullyFill, OrderStatus.Canceled, OrderStatus.Expired];
const T0 = 1_700_000_000_000;

function order(h: number, i: number, o: number, sym: number, side: 1 | 2, st: number): OrderRecord {
  return {
    id: `${Buffer.from(owners[o]!).toString('hex').toUpperCase()}-${h * 100 + i}`,
    owner: owners[o]!,
    symbol: SYMBOLS[sym]!,
    side,
    price: 100_000_000n,
    qty: BigInt(1 + i),
    cumQty: 0n,
    timeInForce: 1,
    seq: BigInt(h * 100 + i),
    createdHeight: h,
    createdTimeMs: T0 + h * 1000,
    txHash: '',
    lastUpdatedHeight: h,
    lastUpdatedTimeMs: T0 + h * 1000,
    status: STATUSES[st]!,
    fees: [],
    lastTradeId: '',
    lastExecutedPrice: 0n,
    lastExecutedQty: 0n,
  };
}

function trade(h: number, i: number, b: number, s: number, sym: number): TradeRecord {
  return {
    id: `${h}-${i}`,
    symbol: SYMBOLS[sym]!,
    price: BigInt(100 + i),
    qty: 1n,
    buyerOrderId: `B${h}-${i}`,
    sellerOrderId: `S${h}-${i}`,
    buyer: owners[b]!,
    seller: owners[s]!,
    height: h,
    timeMs: T0 + h * 1000,
    tickType: 0,
    buyerFee: [],
    sellerFee: [],
  };
}

/** Blocks 1..n of random history: [closed orders, trades] per block. */
const blocksArb = fc.array(
  fc.record({
    orders: fc.array(fc.tuple(fc.nat(2), fc.nat(1), fc.constantFrom(1 as const, 2 as const), fc.nat(2)), { maxLength: 4 }),
    trades: fc.array(fc.tuple(fc.nat(2), fc.nat(2), fc.nat(1)), { maxLength: 4 }),
  }),
  { minLength: 1, maxLength: 8 },
);

async function build(blocks: fc.RecordValue<{ orders: [number, number, 1 | 2, number][]; trades: [number, number, number][] }>[], keepBlocks = 1_000) {
  const index = new MemoryIndex();
  const history = new DexHistory(index);
  const all: { orders: OrderRecord[]; trades: TradeRecord[] } = { orders: [], trades: [] };
  for (let k = 0; k < blocks.length; k++) {
    const h = k + 1;
    const b = blocks[k]!;
    const rec: DexBlockHistory = {
      closedOrders: b.orders.map(([o, sym, side, st], i) => order(h, i, o, sym, side, st)),
      trades: b.trades.map(([bu, se, sym], i) => trade(h, i, bu, se, sym)),
      keepBlocks,
    };
    all.orders.push(...rec.closedOrders);
    all.trades.push(...rec.trades);
    await index.apply((w) => history.write(w, h, rec));
  }
  return { index, history, all };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

describe('dex history index: filters and paging', () => {
  it('closed orders of an owner: newest first, every filter, any page, as a plain filter over all records', async () => {
    await fc.assert(
      fc.asyncProperty(
        blocksArb,
        fc.record({ o: fc.nat(2), sym: fc.option(fc.nat(1)), side: fc.option(fc.constantFrom(1, 2)), st: fc.option(fc.nat(2)), start: fc.option(fc.nat(9)), end: fc.option(fc.nat(9)) }),
        fc.nat(5),
        fc.integer({ min: 1, max: 6 }),
        async (blocks, q, offset, limit) => {
          const { history, all } = await build(blocks);
          const f: ClosedFilter = {
            symbol: q.sym === null ? undefined : SYMBOLS[q.sym],
            side: q.side ?? undefined,
            status: q.st === null ? undefined : STATUSES[q.st],
            start: q.start === null ? undefined : T0 + q.start * 1000,
            end: q.end === null ? undefined : T0 + q.end * 1000,
          };
          const want = all.orders
            .filter((o) => same(o.owner, owners[q.o]!))
            .filter((o) => (!f.symbol || o.symbol === f.symbol) && (!f.side || o.side === f.side) && (!f.status || o.status === f.status))
            .filter((o) => (f.start === undefined || o.lastUpdatedTimeMs >= f.start) && (f.end === undefined || o.lastUpdatedTimeMs <= f.end))
            .reverse();
          const got = await history.closedOrders(owners[q.o]!, f, { offset, limit });
          assert.equal(got.total, want.length);
          assert.deepEqual(got.orders.map((o) => o.id), want.slice(offset, offset + limit).map((o) => o.id));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('trades: by owner (and side), pair, height and time, newest first, as a plain filter over all records', async () => {
    await fc.assert(
      fc.asyncProperty(
        blocksArb,
        fc.record({ o: fc.option(fc.nat(2)), side: fc.option(fc.constantFrom(1, 2)), sym: fc.option(fc.nat(1)), height: fc.option(fc.integer({ min: 1, max: 8 })), start: fc.option(fc.nat(9)) }),
        fc.nat(5),
        fc.integer({ min: 1, max: 6 }),
        async (blocks, q, offset, limit) => {
          const { history, all } = await build(blocks);
          const f: TradeFilter = {
            owner: q.o === null ? undefined : owners[q.o],
            side: q.side ?? undefined,
            symbol: q.sym === null ? undefined : SYMBOLS[q.sym],
            height: q.height ?? undefined,
            start: q.start === null ? undefined : T0 + q.start * 1000,
          };
          const want = all.trades
            .filter((t) => !f.owner || same(t.buyer, f.owner) || same(t.seller, f.owner))
            .filter((t) => !f.owner || !f.side || same(f.side === 1 ? t.buyer : t.seller, f.owner))
            .filter((t) => (!f.symbol || t.symbol === f.symbol) && (f.height === undefined || t.height === f.height))
            .filter((t) => f.start === undefined || t.timeMs >= f.start)
            .reverse();
          const got = await history.trades(f, { offset, limit });
          assert.equal(got.total, want.length);
          assert.deepEqual(got.trades.map((t) => t.id), want.slice(offset, offset + limit).map((t) => t.id));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a walk stops at the scan bound: the page and total come from the records read, flagged capped', async () => {
    await fc.assert(
      fc.asyncProperty(blocksArb, fc.nat(2), fc.option(fc.nat(1)), fc.integer({ min: 1, max: 6 }), fc.nat(4), fc.integer({ min: 1, max: 6 }), async (blocks, o, sym, cap, offset, limit) => {
        const { index, all } = await build(blocks);
        const history = new DexHistory(index, cap);
        const symbol = sym === null ? undefined : SYMBOLS[sym];
        const read = all.orders.filter((x) => same(x.owner, owners[o]!)).reverse();
        const seen = read.slice(0, cap).filter((x) => !symbol || x.symbol === symbol);
        const got = await history.closedOrders(owners[o]!, { symbol }, { offset, limit });
        assert.equal(got.capped, read.length > cap);
        assert.equal(got.total, seen.length);
        assert.deepEqual(got.orders.map((x) => x.id), seen.slice(offset, offset + limit).map((x) => x.id));
        // every pair's trades (walked by block summaries) stop the same way
        const trades = all.trades.slice().reverse();
        const t = await history.trades({}, { offset: 0, limit: 100 });
        assert.equal(t.capped, trades.length > cap);
        assert.equal(t.total, Math.min(cap, trades.length));
      }),
      { numRuns: 150 },
    );
  });

  it('the ticker window and the previous close; an order by id', async () => {
    const { history } = await build([
      { orders: [[0, 0, 1, 0]], trades: [[0, 1, 0]] },
      { orders: [], trades: [[1, 2, 0], [0, 2, 1]] },
      { orders: [], trades: [[2, 0, 0]] },
    ]);
    const r = await history.tradesSince(SYMBOLS[0]!, T0 + 2000);
    assert.deepEqual(r.trades.map((t) => t.id), ['2-0', '3-0']);
    assert.equal(r.before?.id, '1-0');
    const o = order(1, 0, 0, 0, 1, 0);
    assert.equal((await history.order(o.id))?.symbol, SYMBOLS[0]);
    assert.equal(await history.order('NOPE-1'), undefined);
  });

  it('a value in a layout this version does not read is refused with a clear error', async () => {
    const { index, history } = await build([{ orders: [[0, 0, 1, 0]], trades: [] }]);
    const keys = (await collect(index.range({}))).map(([k]) => k);
    await index.apply((w) => keys.forEach((k) => w.put(k, Uint8Array.of(9, 1, 2))));
    await assert.rejects(history.trades({}, { offset: 0, limit: 10 }), /not in a layout this version reads/);
    await assert.rejects(history.closedOrders(owners[0]!, {}, { offset: 0, limit: 10 }), /not in a layout this version reads/);
  });
});

describe('dex history index: pruning', () => {
  it('heights older than keepBlocks go, index keys and all; at most 8 heights per block, the rest later', async () => {
    const blocks = Array.from({ length: 30 }, () => ({ orders: [[0, 0, 1, 0] as [number, number, 1 | 2, number]], trades: [[0, 1, 1] as [number, number, number]] }));
    // written with keepBlocks large; then one block with keepBlocks 2 must not prune all 28 old heights at once
    const { index, history } = await build(blocks);
    const perHeight = index.size / 30;
    const empty: DexBlockHistory = { closedOrders: [], trades: [], keepBlocks: 2 };
    await index.apply((w) => history.write(w, 31, empty));
    assert.equal(index.size, (30 - 8) * perHeight, 'eight heights pruned');
    await index.apply((w) => history.write(w, 32, empty));
    await index.apply((w) => history.write(w, 33, empty));
    await index.apply((w) => history.write(w, 34, empty));
    // cutoff 32: every height ≤ 30 is gone
    assert.equal(index.size, 0);
    assert.equal((await history.trades({}, { offset: 0, limit: 100 })).total, 0);
    assert.equal(await history.order(order(30, 0, 0, 0, 1, 0).id), undefined);
  });
});

describe('dex history index: in the block store', () => {
  it('written in the block save, read through the side index, kept across a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dex-history-'));
    try {
      let bs = await openBlockStore(dir, { sync: false });
      const rec: DexBlockHistory = { closedOrders: [order(1, 0, 0, 0, 1, 0), order(1, 1, 1, 0, 2, 1)], trades: [trade(1, 0, 0, 1, 0)], keepBlocks: 100 };
      const base = { hash: new Uint8Array(32).fill(1), timeMs: T0, bytes: new Uint8Array([1]), results: [], txHashes: [], addresses: [] };
      await bs.save({ ...base, height: 1, index: (w) => writeDexHistory(w, 1, rec) });
      // a failing index write loses the whole block: nothing of it is stored
      await assert.rejects(bs.save({ ...base, height: 2, hash: new Uint8Array(32).fill(2), index: () => Promise.reject(new Error('index broke')) }), /index broke/);
      assert.equal(await bs.latestHeight(), 1);
      await bs.close();
      bs = await openBlockStore(dir, { sync: false });
      const h = new DexHistory(bs.index);
      assert.deepEqual((await h.closedOrders(owners[1]!, {}, { offset: 0, limit: 10 })).orders.map((o) => o.status), [OrderStatus.Canceled]);
      assert.equal((await h.trades({ owner: owners[1] }, { offset: 0, limit: 10 })).trades[0]?.id, '1-0');
      assert.equal((await h.trades({ symbol: SYMBOLS[1] }, { offset: 0, limit: 10 })).total, 0);
      await bs.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dex history: only delivered, successful txs reach a block', () => {
  it('a cancel run by checkTx leaves nothing; delivered in a block, its closed order is in that block', async () => {
    const alice = key('hist-alice');
    const h = await newDexApp({ bnb: [[alice, 100n * BNB]], tokens: [{ symbol: XYZ, owner: alice, supply: 1000n * BNB }], pairs: [[XYZ, 'BNB', 100_000_000n]] });
    await runBlock(h, []);
    const s = new Signer(h);
    const o = s.order(alice, XYZ_BNB, 2, 100_000_000n, BNB);
    await runBlock(h, [o.tx]);
    const cancel = s.cancel(alice, XYZ_BNB, o.id);
    assert.equal(h.app.checkTx(cancel, 'new').code, 0);
    const idle = await runBlock(h, []);
    assert.deepEqual(idle.history.closedOrders, []);
    const res = await runBlock(h, [cancel]);
    assert.deepEqual(res.history.closedOrders.map((x) => [x.id, x.status]), [[o.id, OrderStatus.Canceled]]);
    assert.deepEqual((await closedOf(h, alice.bech32)).map((x) => x.orderId), [o.id]);
  });
});
