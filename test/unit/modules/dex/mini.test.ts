/**
 * BEP8 mini-token pairs (spec §A.1, §A.7, §A.10): the ListMiniMsg codec against the SDK, listing
 * through the real app, the mini order-quantity rule, and which mini pairs an EndBlock matches
 * (top 8 by round orders + the crc32 slot; the rest keep their round for a later block).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { abciCode } from '../../../../src/errors.js';
import { decodeMsg, decodeTx, encodeMsg, encodeTx, msgSignJson, txSignBytes, type Msg } from '../../../../src/codec/index.js';
import {
  DexCode,
  OrderStatus,
  crc32,
  isMiniPair,
  isMiniSymbol,
  miniSlot,
  selectMiniPairs,
  type ListMiniMsg,
} from '../../../../src/modules/dex/index.js';
import { pendingMatch } from '../../../../src/modules/dex/queries.js';
import { calcLotSize, calcTickSize } from '../../../../src/modules/dex/match/index.js';
import { assertInvariants, bal, key, runBlock, view, type Key } from '../../app/helpers.js';
import { BNB, Signer, XYZ, XYZ_BNB, buildApp, closedOf, locked, newDexApp, tradesOf, type DexHarness } from './helpers.js';
import { hex, verifySig } from '../../codec/helpers.js';

const require = createRequire(import.meta.url);
const sdk = require('@binance-chain/javascript-sdk');

const dexCode = (k: keyof typeof DexCode) => abciCode('dex', DexCode[k]);
const alice = key('mini-alice');
const bob = key('mini-bob');
const carol = key('mini-carol');
const P15 = 150_000_000n; // 1.5
const P1 = 100_000_000n;
const BUY = 1 as const;
const SELL = 2 as const;
const LIST_MINI_FEE = 800_000_000n; // fee table `dexListMini`
const MINI_SUPPLY = 1000n * BNB;

const enc = new TextEncoder();

function listMini(from: Key, base: string, quote: string, price: bigint): ListMiniMsg {
  return { type: 'dex/ListMiniMsg', from: from.addr, base_asset_symbol: base, quote_asset_symbol: quote, init_price: price };
}

/**
 * An app with XYZ-000/BNB listed and the given mini tokens (owned by `owner`, whole supply held
 * by it) written through the token keeper — genesis token validation knows no `M` suffix — and
 * optionally their `_BNB` pairs, before block 1.
 */
async function setup(minis: string[], listPairs: boolean, owner: Key = alice): Promise<{ h: DexHarness; s: Signer }> {
  const h = await newDexApp({
    bnb: [
      [alice, 1000n * BNB],
      [bob, 1000n * BNB],
      [carol, 10n * BNB],
    ],
    tokens: [{ symbol: XYZ, owner: alice, supply: 1000n * BNB }],
    pairs: [[XYZ, 'BNB', P1]],
  });
  const kv = h.store.working();
  for (const symbol of minis) {
    h.dex.tokens.setToken(kv, { name: `${symbol} mini`, symbol, originalSymbol: symbol.split('-')[0]!, totalSupply: MINI_SUPPLY, owner: owner.addr, mintable: false, tokenType: 2, tokenUri: '' });
    h.app.bank.addCoins(kv, owner.addr, [{ denom: symbol, amount: MINI_SUPPLY }]);
    if (listPairs) h.dex.listPair(kv, symbol, 'BNB', P15);
  }
  await runBlock(h, []);
  assertInvariants(h);
  return { h, s: new Signer(h) };
}

async function block(h: DexHarness, txs: Uint8Array[]) {
  const res = await runBlock(h, txs);
  for (const r of res.txResults) assert.equal(r.code, 0, r.log);
  assertInvariants(h);
  return res;
}

/** `n` mini symbols `<prefix><i>-XXXM` whose crc32 slot satisfies `ok` (deterministic search). */
function symbolsWithSlot(prefix: string, n: number, ok: (slot: number) => boolean): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n && i < 4096; i++) {
    const sym = `${prefix}${out.length}-${i.toString(16).toUpperCase().padStart(3, '0')}M`;
    if (ok(miniSlot(`${sym}_BNB`))) out.push(sym);
  }
  assert.equal(out.length, n);
  return out;
}

function pairOf(h: DexHarness, symbol: string) {
  return h.dex.getPair(view(h), symbol)!;
}

describe('dex mini: symbols, crc32 and the selector', () => {
  it('crc32 is IEEE CRC-32: known answers and agreement with zlib.crc32', () => {
    assert.equal(crc32(enc.encode('123456789')), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
    assert.equal(crc32(enc.encode('The quick brown fox jumps over the lazy dog')), 0x414fa339);
    const z = (zlib as unknown as { crc32?: (b: Uint8Array) => number }).crc32;
    if (z) fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => crc32(b) === z(b)));
  });

  it('mini symbols are XXX-NNNM (hex digits + M); a pair is mini if either asset is', () => {
    for (const s of ['MIN-12AM', 'ABC-000M', 'ABCDEFGH-FFFM']) assert.ok(isMiniSymbol(s), s);
    for (const s of ['MIN-12A', 'MIN-12GM', 'MIN-12aM', 'BNB', 'A-000M', 'AB-000M', 'ABCDEFGHI-000M', 'MIN-12AMM', 'MIN_12AM']) assert.ok(!isMiniSymbol(s), s);
    assert.ok(isMiniPair('MIN-12AM_BNB'));
    assert.ok(!isMiniPair(XYZ_BNB));
  });

  it('selects the 8 pairs with the most round orders (ties: ascending symbol) plus the crc slot', () => {
    const height = 37; // slot 5
    const inSlot = symbolsWithSlot('S', 1, (s) => s === height % 16).map((s) => `${s}_BNB`)[0]!;
    const out = symbolsWithSlot('T', 10, (s) => s !== height % 16).map((s) => `${s}_BNB`);
    const counts = new Map<string, number>();
    out.forEach((s, i) => counts.set(s, i < 6 ? 5 : 2)); // 6 busy, then 4 tied at 2: the first two by symbol win
    counts.set(inSlot, 1);
    const sel = selectMiniPairs(counts, height);
    const tied = out.slice(6).sort();
    assert.deepEqual([...sel], [...out.slice(0, 6), tied[0]!, tied[1]!, inSlot].sort());
    // pairs without round orders are never selected, even in their slot
    assert.deepEqual([...selectMiniPairs(new Map([[inSlot, 0]]), height)], []);
    // fewer than 8 candidates: all of them
    assert.deepEqual([...selectMiniPairs(new Map([[out[0]!, 1], [out[1]!, 3]]), height)], [out[0]!, out[1]!].sort());
  });
});

describe('dex mini: ListMiniMsg codec against the SDK', function () {
  this.timeout(30000);
  const PK = '30c5e838578a29e3e9273edddd753d6c9b38aca2446dd84bdfe2e5988b0da0a1';
  const CHAIN = 'Binance-Chain-Ganges';

  it('binary and sign JSON equal what the SDK ListMiniMsg class builds', () => {
    const from = 'tbnb1hgm0p7khfk85zpz5v0j8wnej3a90w709zzlffd';
    const m = new sdk.types.ListMiniMsg({ from, base_asset_symbol: 'MIN-12AM', quote_asset_symbol: 'BNB', init_price: 150000000 });
    const sdkBytes = hex(sdk.amino.marshalBinaryBare(m.getMsg()));
    const ours = decodeMsg(sdkBytes) as unknown as ListMiniMsg;
    assert.equal(ours.type, 'dex/ListMiniMsg');
    assert.equal(ours.base_asset_symbol, 'MIN-12AM');
    assert.equal(ours.quote_asset_symbol, 'BNB');
    assert.equal(ours.init_price, 150_000_000n);
    assert.deepEqual(encodeMsg(ours), sdkBytes);
    assert.equal(Buffer.from(sdkBytes.subarray(0, 4)).toString('hex').toUpperCase(), '4C264019');
    const j = msgSignJson(ours, 'tbnb') as Record<string, unknown>;
    assert.deepEqual({ ...j, init_price: Number(j.init_price) }, m.getSignMsg());
  });

  it('a tx from the live client listMiniToken round-trips and its signature verifies over our sign bytes', async () => {
    const client = new sdk.BncClient('http://127.0.0.1:1');
    client.chooseNetwork('testnet');
    client._httpClient.request = async () => ({ result: { sequence: 5, account_number: 7 } });
    await client.setPrivateKey(PK, true);
    client.chainId = CHAIN;
    let cap: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    client.setBroadcastDelegate(async (tx: unknown) => (cap = tx));
    await client.listMiniToken({ from: client.getClientKeyAddress(), baseAsset: 'MIN-12AM', quoteAsset: 'BNB', initPrice: 1.5 });
    const bytes = hex(cap.serialize());
    const d = decodeTx(bytes);
    assert.deepEqual(encodeTx(d.tx), bytes);
    const m = d.tx.msgs[0] as unknown as ListMiniMsg;
    assert.deepEqual([m.type, m.base_asset_symbol, m.quote_asset_symbol, m.init_price], ['dex/ListMiniMsg', 'MIN-12AM', 'BNB', 150_000_000n]);
    const s = d.tx.signatures[0]!;
    const sb = txSignBytes(d.tx, s, CHAIN, 'tbnb');
    assert.ok(verifySig(s.signature, sb, s.pub_key), new TextDecoder().decode(sb));
    assert.match(new TextDecoder().decode(sb), /"msgs":\[\{"base_asset_symbol":"MIN-12AM","from":"tbnb1[0-9a-z]+","init_price":150000000,"quote_asset_symbol":"BNB"\}\]/);
  });
});

describe('dex mini: listing through the app', () => {
  const MIN = 'MIN-12AM';
  const OTH = 'OTH-ABCM';

  it('the owner lists BASE_BNB without a proposal: fee dexListMini, tick/lot from the price', async () => {
    const { h, s } = await setup([MIN], false);
    const a0 = bal(h, alice);
    const res = await block(h, [s.sign(alice, listMini(alice, MIN, 'BNB', P15) as unknown as Msg)]);
    assert.equal(res.txResults[0]!.code, 0);
    assert.equal(bal(h, alice), a0 - LIST_MINI_FEE);
    const p = pairOf(h, `${MIN}_BNB`);
    assert.equal(p.tickSize, calcTickSize(P15));
    assert.equal(p.lotSize, calcLotSize(P15)); // DetermineLotSize: quote BNB ⇒ the pair price
    assert.equal(p.tickSize, 1000n);
    assert.equal(p.lotSize, 100_000n);
    assert.equal(p.lastTradePrice, P15);
  });

  it('rejects: not the owner, quote not BNB, base not mini, unknown token, duplicate pair, bad price', async () => {
    const { h } = await setup([MIN, OTH], false);
    const fail = async (k: Key, msg: ListMiniMsg, code: number) => {
      const pairs = h.dex.pairs(view(h)).length;
      const r = await runBlock(h, [new Signer(h).sign(k, msg as unknown as Msg)]);
      assert.equal(r.txResults[0]!.code, code, r.txResults[0]!.log);
      assertInvariants(h);
      assert.equal(h.dex.pairs(view(h)).length, pairs, 'no pair was listed');
    };
    await fail(bob, listMini(bob, MIN, 'BNB', P15), dexCode('notTokenOwner'));
    await fail(alice, listMini(alice, MIN, XYZ, P15), dexCode('invalidQuoteAsset'));
    await fail(alice, listMini(alice, MIN, OTH, P15), dexCode('invalidQuoteAsset'));
    await fail(alice, listMini(alice, XYZ, 'BNB', P15), dexCode('notMiniToken'));
    await fail(alice, listMini(alice, 'NON-999M', 'BNB', P15), dexCode('invalidListing'));
    await fail(alice, listMini(alice, MIN, 'BNB', 0n), dexCode('invalidPrice'));
    await block(h, [new Signer(h).sign(alice, listMini(alice, MIN, 'BNB', P15) as unknown as Msg)]);
    await fail(alice, listMini(alice, MIN, 'BNB', P1), dexCode('pairExists'));
    assert.equal(pairOf(h, `${MIN}_BNB`).listPrice, P15);
  });
});

describe('dex mini: order quantity rule', () => {
  const MIN = 'MIN-12AM';
  const SYM = `${MIN}_BNB`;

  it('quantity ≥ 1e8, or a SELL of exactly the whole free balance; BEP2 pairs unaffected', async () => {
    const { h } = await setup([MIN], true);
    // carol holds 0.3 MIN
    await block(h, [new Signer(h).sign(alice, { type: 'cosmos-sdk/Send', inputs: [{ address: alice.addr, coins: [{ denom: MIN, amount: 30_000_000n }] }], outputs: [{ address: carol.addr, coins: [{ denom: MIN, amount: 30_000_000n }] }] } as Msg)]);
    const tryOrder = async (k: Key, side: 1 | 2, qty: bigint) => {
      const s = new Signer(h);
      const r = await runBlock(h, [s.order(k, SYM, side, P15, qty).tx]);
      assertInvariants(h);
      return r.txResults[0]!;
    };
    assert.equal((await tryOrder(bob, BUY, 50_000_000n)).code, dexCode('miniQuantityTooSmall'));
    assert.equal((await tryOrder(alice, SELL, 50_000_000n)).code, dexCode('miniQuantityTooSmall'));
    assert.equal((await tryOrder(carol, SELL, 20_000_000n)).code, dexCode('miniQuantityTooSmall')); // part of the balance
    const whole = await tryOrder(carol, SELL, 30_000_000n);
    assert.equal(whole.code, 0, whole.log);
    assert.equal(locked(h, carol, MIN), 30_000_000n);
    const one = await tryOrder(bob, BUY, 100_000_000n);
    assert.equal(one.code, 0, one.log);
    // a BEP2 pair keeps lot-size-only quantities
    const small = await runBlock(h, [new Signer(h).order(bob, XYZ_BNB, BUY, P1, 1_000_000n).tx]);
    assert.equal(small.txResults[0]!.code, 0, small.txResults[0]!.log);
  });
});

describe('dex mini: which mini pairs match in a block', () => {
  /**
   * Ten mini pairs at 1.5, none in the crc slot of the next two heights (set per test), plus
   * the BEP2 pair XYZ-000/BNB; alice holds every mini token, bob buys.
   */
  async function tenPairs(extraInSlot = false) {
    // heights: block 1 = setup; the orders go in at H = 2 and H+1 = 3
    const avoid = (s: number) => s !== 2 && s !== 3;
    const syms = symbolsWithSlot('MP', 10, avoid);
    const slotSym = extraInSlot ? symbolsWithSlot('SL', 1, (s) => s === 2)[0]! : undefined;
    const all = slotSym ? [...syms, slotSym] : syms;
    const { h, s } = await setup(all, true);
    assert.equal(h.height, 1);
    return { h, s, syms: syms.map((x) => `${x}_BNB`), slot: slotSym ? `${slotSym}_BNB` : undefined };
  }

  /** A crossing sell+buy (1 @ 1.5) and, for busy pairs, a resting buy @ 1.0. */
  function cross(s: Signer, sym: string, busy: boolean) {
    const sell = s.order(alice, sym, SELL, P15, BNB);
    const buy = s.order(bob, sym, BUY, P15, BNB);
    const txs = [sell.tx, buy.tx];
    if (busy) txs.push(s.order(bob, sym, BUY, P1, BNB).tx);
    return { txs, sell: sell.id, buy: buy.id };
  }

  it('only the top 8 (+ the crc slot) match; the others match in a later block with their accumulated orders; BEP2 every block', async () => {
    const { h, s, syms, slot } = await tenPairs(true);
    const H = h.height + 1;
    const txs: Uint8Array[] = [];
    const ids = new Map<string, { sell: string; buy: string }>();
    syms.forEach((sym, i) => {
      const c = cross(s, sym, i < 8); // pairs 0..7: 3 round orders; 8, 9: 2
      txs.push(...c.txs);
      ids.set(sym, c);
    });
    const sc = cross(s, slot!, false); // 2 round orders, but in the crc slot of H
    txs.push(...sc.txs);
    const xs = s.order(alice, XYZ_BNB, SELL, P1, BNB);
    const xb = s.order(bob, XYZ_BNB, BUY, P1, BNB);
    txs.push(xs.tx, xb.tx);
    await block(h, txs);
    assert.equal(h.height, H);

    let trades = await tradesOf(h);
    const tradedAt = (sym: string, height: number) => trades.filter((t) => t.symbol === sym && t.blockHeight === height);
    for (let i = 0; i < 8; i++) {
      assert.equal(tradedAt(syms[i]!, H).length, 1, `busy pair ${syms[i]} matched at H`);
      assert.equal(pairOf(h, syms[i]!).lastMatchHeight, H);
    }
    assert.equal(tradedAt(slot!, H).length, 1, 'the crc-slot pair matched at H');
    assert.equal(tradedAt(XYZ_BNB, H).length, 1, 'the BEP2 pair matched at H');
    const waiting = [syms[8]!, syms[9]!];
    for (const sym of waiting) {
      assert.equal(tradedAt(sym, H).length, 0, `${sym} not selected at H`);
      assert.equal(pairOf(h, sym).lastMatchHeight, 0);
      assert.ok(pendingMatch(view(h), sym), 'its round is kept');
      // both orders rest in the book unmatched, their coins locked
      const book = h.dex.bookSnapshot(view(h), sym);
      assert.ok(book.has(ids.get(sym)!.sell) && book.has(ids.get(sym)!.buy));
    }
    assert.equal(locked(h, alice, syms[8]!.split('_')[0]!), BNB);
    assert.ok(!pendingMatch(view(h), syms[0]!));

    // H+1: pair 8 gets one more buy; the BEP2 pair another cross. Both waiting pairs are now
    // the only mini candidates, so both match, with the orders of H in their round.
    const more = s.order(bob, syms[8]!, BUY, P15, BNB);
    const sell2 = s.order(alice, syms[8]!, SELL, P15, BNB);
    const xs2 = s.order(alice, XYZ_BNB, SELL, P1, BNB);
    const xb2 = s.order(bob, XYZ_BNB, BUY, P1, BNB);
    await block(h, [more.tx, sell2.tx, xs2.tx, xb2.tx]);
    trades = await tradesOf(h);
    const t8 = tradedAt(syms[8]!, H + 1);
    assert.equal(t8.length, 2, 'both crosses of pair 8 (H and H+1 orders) matched at H+1');
    assert.deepEqual(t8.map((t) => t.quantity).sort(), ['1.00000000', '1.00000000']);
    assert.ok(t8.some((t) => t.buyerOrderId === ids.get(syms[8]!)!.buy && t.sellerOrderId === ids.get(syms[8]!)!.sell));
    assert.equal(tradedAt(syms[9]!, H + 1).length, 1, 'pair 9 matched its orders of H at H+1');
    assert.equal(tradedAt(XYZ_BNB, H + 1).length, 1, 'the BEP2 pair matched again');
    for (const sym of waiting) {
      assert.equal(pairOf(h, sym).lastMatchHeight, H + 1);
      assert.ok(!pendingMatch(view(h), sym));
    }
    assert.equal(locked(h, alice, syms[8]!.split('_')[0]!), 0n);
    // orders placed at H (takers at H+1: nothing had matched since) are fully filled
    const closed = await closedOf(h, bob.bech32);
    assert.equal(closed.find((o) => o.orderId === ids.get(syms[9]!)!.buy)!.status, OrderStatus.FullyFill);
  });

  it('an IOC order on an unselected pair waits for the pair\'s auction and expires after it', async () => {
    const { h, s, syms } = await tenPairs();
    const H = h.height + 1;
    const txs: Uint8Array[] = [];
    for (let i = 0; i < 8; i++) txs.push(...cross(s, syms[i]!, true).txs);
    const target = syms[8]!;
    const iocHit = s.order(bob, target, BUY, P15, BNB, 3);
    const iocMiss = s.order(bob, target, BUY, P1, BNB, 3);
    txs.push(iocHit.tx, iocMiss.tx);
    const bob0 = bal(h, bob);
    await block(h, txs);
    // not selected at H: both IOC orders still open, their BNB locked
    let book = h.dex.bookSnapshot(view(h), target);
    assert.ok(book.has(iocHit.id) && book.has(iocMiss.id));
    assert.equal(locked(h, bob, 'BNB'), 8n * BNB + P15 + P1); // busy pairs' resting buys + both IOCs
    let closed = await closedOf(h, bob.bech32);
    assert.ok(!closed.some((o) => o.orderId === iocHit.id || o.orderId === iocMiss.id));
    assert.ok(bal(h, bob) < bob0);

    // H+1: a seller arrives; the pair is selected with its round (both IOCs + the sell)
    const sell = s.order(alice, target, SELL, P15, BNB);
    await block(h, [sell.tx]);
    book = h.dex.bookSnapshot(view(h), target);
    assert.ok(!book.has(iocHit.id) && !book.has(iocMiss.id), 'IOC orders leave the book after their auction');
    closed = await closedOf(h, bob.bech32);
    assert.equal(closed.find((o) => o.orderId === iocHit.id)!.status, OrderStatus.FullyFill);
    const miss = closed.find((o) => o.orderId === iocMiss.id)!;
    assert.equal(miss.status, OrderStatus.IocNoFill);
    const trades = (await tradesOf(h)).filter((t) => t.symbol === target);
    assert.equal(trades.length, 1);
    assert.equal(trades[0]!.blockHeight, H + 1);
    assert.equal(locked(h, bob, 'BNB'), 8n * BNB, 'only the resting buys @ 1.0 of the busy pairs stay locked');
  });

  it('a cancel of a waiting order leaves the round; the rest still matches later', async () => {
    const { h, s, syms } = await tenPairs();
    const txs: Uint8Array[] = [];
    for (let i = 0; i < 8; i++) txs.push(...cross(s, syms[i]!, true).txs);
    const target = syms[9]!;
    const a = s.order(bob, target, BUY, P15, BNB);
    const b = s.order(bob, target, BUY, P15, BNB);
    txs.push(a.tx, b.tx);
    await block(h, txs);
    assert.ok(pendingMatch(view(h), target));
    const sell = s.order(alice, target, SELL, P15, BNB);
    await block(h, [s.cancel(bob, target, a.id), sell.tx]);
    const trades = (await tradesOf(h)).filter((t) => t.symbol === target);
    assert.equal(trades.length, 1);
    assert.equal(trades[0]!.buyerOrderId, b.id);
    const closed = await closedOf(h, bob.bech32);
    assert.equal(closed.find((o) => o.orderId === a.id)!.status, OrderStatus.Canceled);
  });

  it('a kept round lives in committed state: an app restarted on the same store matches it', async () => {
    const { h, s, syms } = await tenPairs();
    const txs: Uint8Array[] = [];
    for (let i = 0; i < 8; i++) txs.push(...cross(s, syms[i]!, true).txs);
    const target = syms[8]!;
    const buy = s.order(bob, target, BUY, P15, BNB, 3);
    txs.push(buy.tx);
    await block(h, txs);
    const sell = s.order(alice, target, SELL, P15, BNB);
    const fresh = buildApp(h.store);
    Object.assign(h, { app: fresh.app, gov: fresh.gov, dex: fresh.dex, verifier: fresh.verifier });
    await block(h, [sell.tx]);
    const trades = (await tradesOf(h)).filter((t) => t.symbol === target);
    assert.equal(trades.length, 1);
    assert.equal(trades[0]!.buyerOrderId, buy.id);
    assert.ok(!pendingMatch(view(h), target));
  });
});
