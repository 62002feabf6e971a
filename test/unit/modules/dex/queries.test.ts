/**
 * Queries: the amino ABCI values decoded by the SDK's own RPC decoder (`lib/amino/decoder`,
 * `lib/types/rpc`), the JSON views of the HTTP API (markets, depth, open/closed orders, trades,
 * 24h ticker, klines), and the genesis-file helpers.
 */
import assert from 'node:assert/strict';
import { abciCode, RootCode, type ChainError } from '../../../../src/errors.js';
import { createRequire } from 'node:module';
import { createDexViews } from '../../../../src/modules/dex/views.js';
import { addGenesisPair, addGenesisToken, genesisTokenSuffix } from '../../../../src/modules/dex/index.js';
import type { GenesisDoc } from '../../../../src/node/genesis-file.js';
import { validateGenesis } from '../../../../src/app/genesis.js';
import { memoryStateStore } from '../../../../src/state/index.js';
import { GENESIS_MS, TREASURY, key, runBlock } from '../../app/helpers.js';
import { BNB, Signer, XYZ, XYZ_BNB, buildApp, newDexApp, type DexHarness } from './helpers.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const decoder = require('@binance-chain/javascript-sdk/lib/amino/decoder');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpcTypes = require('@binance-chain/javascript-sdk/lib/types/rpc');

const alice = key('q-alice');
const bob = key('q-bob');

async function setup(): Promise<{ h: DexHarness; s: Signer; ids: string[] }> {
  const h = await newDexApp({
    bnb: [
      [alice, 100n * BNB],
      [bob, 100n * BNB],
    ],
    tokens: [{ symbol: XYZ, owner: alice, supply: 1000n * BNB }],
    pairs: [[XYZ, 'BNB', BNB]],
  });
  await runBlock(h, [], { timeMs: GENESIS_MS + 1000 });
  const s = new Signer(h);
  const o1 = s.order(alice, XYZ_BNB, 2, 102_000_000n, 5n * BNB);
  const o2 = s.order(alice, XYZ_BNB, 2, 101_000_000n, 3n * BNB);
  const o3 = s.order(bob, XYZ_BNB, 1, 99_000_000n, 4n * BNB);
  await runBlock(h, [o1.tx, o2.tx, o3.tx], { timeMs: GENESIS_MS + 60_000 });
  // 2 @ 1.01; a minute later a buy of 2 @ 1.02 takes the last 1 @ 1.01 (maker price) and 1 @ 1.02
  await runBlock(h, [s.order(bob, XYZ_BNB, 1, 101_000_000n, 2n * BNB).tx], { timeMs: GENESIS_MS + 120_000 });
  await runBlock(h, [s.order(bob, XYZ_BNB, 1, 102_000_000n, 2n * BNB).tx], { timeMs: GENESIS_MS + 180_000 });
  return { h, s, ids: [o1.id, o2.id, o3.id] };
}

describe('dex queries: amino values the SDK decodes', () => {
  it('dex/orderbook, dex/openorders, dex/pairs', async () => {
    const { h, ids } = await setup();
    const ob = h.app.query('dex/orderbook/' + XYZ_BNB, new Uint8Array(0));
    assert.equal(ob.code, 0, ob.log);
    const book = decoder.unMarshalBinaryLengthPrefixed(Buffer.from(ob.value), new rpcTypes.OrderBook()).val;
    assert.equal(Number(book.height), h.height);
    assert.deepEqual(
      book.levels.map((l: Record<string, unknown>) => [l.buyQty, l.buyPrice, l.sellQty, l.sellPrice].map(Number)),
      [[4e8, 99e6, 4e8, 102e6]],
    );

    const oo = h.app.query(`/dex/openorders/${XYZ_BNB}/${alice.bech32}`, new Uint8Array(0));
    assert.equal(oo.code, 0, oo.log);
    const orders = decoder.unMarshalBinaryLengthPrefixed(Buffer.from(oo.value), [new rpcTypes.OpenOrder()]).val;
    assert.deepEqual(orders.map((o: { id: string }) => o.id), [ids[0]]);
    const o1 = orders[0];
    assert.equal(Number(o1.price), 102e6);
    assert.equal(Number(o1.quantity), 5e8);
    assert.equal(Number(o1.cumQty), 1e8);
    assert.equal(o1.symbol, XYZ_BNB);
    assert.equal(Number(o1.createdHeight), 2);

    const pp = h.app.query('/dex/pairs/0/10', new Uint8Array(0));
    const pairs = decoder.unMarshalBinaryLengthPrefixed(Buffer.from(pp.value), [new rpcTypes.TradingPair()]).val;
    assert.equal(pairs.length, 1);
    assert.equal(pairs[0].base_asset_symbol, XYZ);
    assert.equal(pairs[0].quote_asset_symbol, 'BNB');
    assert.equal(Number(pairs[0].list_price), 1e8);
    assert.equal(Number(pairs[0].tick_size), 1000);
    assert.equal(Number(pairs[0].lot_size), 1e5);

    assert.notEqual(h.app.query('dex/orderbook/NOPE_BNB', new Uint8Array(0)).code, 0);
  });
});

describe('dex views (HTTP API)', () => {
  it('markets, depth, open and closed orders, trades, ticker, klines', async () => {
    const { h, ids } = await setup();
    const v = createDexViews(h.app, h.history!, { now: () => GENESIS_MS + 200_000 });
    assert.deepEqual(v.markets(0, 10), [
      { base_asset_symbol: XYZ, quote_asset_symbol: 'BNB', list_price: '1.00000000', tick_size: '0.00001000', lot_size: '0.00100000' },
    ]);
    assert.deepEqual(v.depth(XYZ_BNB, 5), {
      asks: [['1.02000000', '4.00000000']],
      bids: [['0.99000000', '4.00000000']],
      height: h.height,
      pending_match: false,
    });
    assert.equal(v.depth('NOPE-000_BNB', 5), undefined);
    const open = v.openOrders(alice.bech32);
    assert.equal(open.total, 1);
    const closed = await v.closedOrders!({ address: bob.bech32 });
    assert.equal(closed.total, 2);
    assert.equal((closed.order[0] as { status: string }).status, 'FullyFill');
    const trades = await v.trades!({ symbol: XYZ_BNB });
    assert.equal(trades.total, 3);
    assert.equal((trades.trade[0] as { price: string }).price, '1.02000000'); // newest first
    assert.equal((trades.trade[0] as { tradeId: string }).tradeId, `${h.height}-1`);
    assert.equal((await v.trades!({ address: alice.bech32, side: 'SELL' })).total, 3);
    assert.equal((await v.trades!({ address: alice.bech32, side: 'BUY' })).total, 0);
    const [t] = (await v.ticker24h!(XYZ_BNB)) as Record<string, unknown>[];
    assert.equal(t!.lastPrice, '1.02000000');
    assert.equal(t!.openPrice, '1.01000000');
    assert.equal(t!.highPrice, '1.02000000');
    assert.equal(t!.lowPrice, '1.01000000');
    assert.equal(t!.volume, '4.00000000');
    assert.equal(t!.quoteVolume, '4.05000000');
    assert.equal(t!.count, 3);
    assert.equal(t!.askPrice, '1.02000000');
    assert.equal(t!.bidPrice, '0.99000000');
    const k1 = await v.klines!({ symbol: XYZ_BNB, interval: '1m' });
    assert.deepEqual(k1, [
      [GENESIS_MS + 120_000, '1.01000000', '1.01000000', '1.01000000', '1.01000000', '2.00000000', GENESIS_MS + 179_999, '2.02000000', 1],
      [GENESIS_MS + 180_000, '1.01000000', '1.02000000', '1.01000000', '1.02000000', '2.00000000', GENESIS_MS + 239_999, '2.03000000', 2],
    ]);
    const k1h = (await v.klines!({ symbol: XYZ_BNB, interval: '1h' })) as unknown[][];
    assert.equal(k1h.length, 1);
    assert.equal(k1h[0]![8], 3);
    const kM = (await v.klines!({ symbol: XYZ_BNB, interval: '1M' })) as unknown[][];
    assert.equal(kM[0]![0], Date.UTC(2024, 0, 1));
    assert.equal(kM[0]![6], Date.UTC(2024, 1, 1) - 1);
    await assert.rejects(v.klines!({ symbol: XYZ_BNB, interval: '7m' }), (e: ChainError) => e.code === abciCode('root', RootCode.invalidRequest) && /invalid interval/.test(e.message));
    // bad filters are the caller's error (a 400 with its ABCI code), not the node's
    await assert.rejects(v.trades!({ address: alice.bech32, side: 'UP' }), (e: ChainError) => e.code === abciCode('root', RootCode.invalidRequest));
    await assert.rejects(v.closedOrders!({ address: 'bnb1nope' }), (e: ChainError) => e.code === abciCode('root', RootCode.invalidAddress));
    // an order by id: open from state, closed from the history, unknown → undefined
    const openId = (open.order[0] as { orderId: string }).orderId;
    assert.equal(((await v.order!(openId)) as { status: string }).status, 'PartialFill');
    const closedId = (closed.order[0] as { orderId: string }).orderId;
    assert.equal(((await v.order!(closedId)) as { status: string }).status, 'FullyFill');
    assert.equal(await v.order!('not-an-id'), undefined);
  });
});

describe('dex genesis helpers', () => {
  function doc(): GenesisDoc {
    return {
      genesis_time: new Date(GENESIS_MS).toISOString(),
      chain_id: 'dex-test',
      address_prefix: 'tbnb',
      initial_height: 1,
      consensus_params: { block: { max_bytes: 1 << 20, max_txs: 1000, time_iota_ms: 1 } },
      app_state: {
        accounts: [{ address: TREASURY.bech32, coins: [{ denom: 'BNB', amount: (1000n * BNB).toString() }] }],
        tokens: [{ name: 'BNB', symbol: 'BNB', original_symbol: 'BNB', total_supply: (1000n * BNB).toString(), owner: TREASURY.bech32, mintable: false }],
        validators: [],
      },
    };
  }

  it('addGenesisToken + addGenesisPair produce a genesis the app accepts, with the pair listed', async () => {
    const d = doc();
    const sym = addGenesisToken(d, { symbol: 'usdx', totalSupply: 500n * BNB, owner: alice.bech32, name: 'USD X', mintable: true });
    assert.equal(sym, `USDX-${genesisTokenSuffix('dex-test', 'USDX', alice.bech32)}`);
    assert.match(sym, /^USDX-[0-9A-F]{3}$/);
    assert.throws(() => addGenesisToken(d, { symbol: 'usdx', totalSupply: 1n, owner: alice.bech32, name: 'again', mintable: true }), /already/);
    const sym2 = addGenesisToken(d, { symbol: 'EUX', totalSupply: 500n * BNB, owner: bob.bech32, name: 'EU X', mintable: false });
    assert.throws(() => addGenesisPair(d, sym, sym2, BNB), /listed against BNB/);
    addGenesisPair(d, sym, 'BNB', 2n * BNB);
    addGenesisPair(d, sym2, 'BNB', BNB);
    addGenesisPair(d, sym, sym2, BNB);
    assert.throws(() => addGenesisPair(d, sym2, sym, BNB), /already/);
    assert.throws(() => addGenesisPair(d, 'NOPE-000', 'BNB', BNB), /not in the genesis/);
    validateGenesis(d);
    const store = memoryStateStore();
    const { app, dex } = buildApp(store);
    await app.initChain(d);
    const kv = store.working(); // genesis waits in the working view until block 1
    const pair = dex.getPair(kv, `${sym}_BNB`)!;
    assert.equal(pair.listPrice, 2n * BNB);
    assert.equal(pair.tickSize, 1000n);
    assert.equal(pair.lotSize, 100_000n); // 10^(13-8)
    assert.equal(dex.getPair(kv, `${sym}_${sym2}`)!.lotSize, 100_000n); // base priced 2 BNB → 10^(13-8)
  });
});
