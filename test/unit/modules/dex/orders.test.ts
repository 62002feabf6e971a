/**
 * DEX orders through the real app (signed txs, finalizeBlock/commit): worked settlement and fee
 * cases computed by hand from spec §A.6/§A.9, IOC, cancels, order rules. Invariants after every block.
 */
import assert from 'node:assert/strict';
import { abciCode, RootCode } from '../../../../src/errors.js';
import type { Msg } from '../../../../src/codec/types.js';
import { DexCode, OrderStatus } from '../../../../src/modules/dex/index.js';
import { VAL1, assertInvariants, bal, key, runBlock } from '../../app/helpers.js';
import { BNB, Signer, XYZ, XYZ_BNB, closedOf, locked, newDexApp, tradesOf, type DexHarness } from './helpers.js';

const dexCode = (k: keyof typeof DexCode) => abciCode('dex', DexCode[k]);
const alice = key('dex-alice');
const bob = key('dex-bob');
const carol = key('dex-carol');
const dave = key('dex-dave');
const frank = key('dex-frank');
const P1 = 100_000_000n; // 1.0
const BUY = 1 as const;
const SELL = 2 as const;
const proposer = VAL1.operator;

async function setup(): Promise<{ h: DexHarness; s: Signer }> {
  const h = await newDexApp({
    bnb: [
      [alice, 100n * BNB],
      [bob, 100n * BNB],
      [carol, 10n * BNB],
      [dave, 10n * BNB],
    ],
    tokens: [{ symbol: XYZ, owner: alice, supply: 1000n * BNB }],
    pairs: [[XYZ, 'BNB', P1]],
  });
  await runBlock(h, []);
  return { h, s: new Signer(h) };
}

async function block(h: DexHarness, txs: Uint8Array[], expectOk = true) {
  const res = await runBlock(h, txs);
  if (expectOk) for (const r of res.txResults) assert.equal(r.code, 0, r.log);
  assertInvariants(h);
  return res;
}

function openOrders(h: DexHarness, k: typeof alice) {
  const r = h.app.query(`dex/api/open/${k.bech32}`, new Uint8Array(0));
  assert.equal(r.code, 0, r.log);
  return JSON.parse(new TextDecoder().decode(r.value)) as { orderId: string; status: string; cumulateQuantity: string; fee: string }[];
}

function closedOrders(h: DexHarness, k: typeof alice) {
  return closedOf(h, k.bech32);
}

describe('dex orders: worked settlement and fee cases', () => {
  it('case 1: crossing orders of two accounts at 1.0, both fees in BNB (0.04% of the BNB side)', async () => {
    const { h, s } = await setup();
    const feeBefore = bal(h, proposer);
    const sell = s.order(alice, XYZ_BNB, SELL, P1, 10n * BNB);
    const buy = s.order(bob, XYZ_BNB, BUY, P1, 10n * BNB);
    await block(h, [sell.tx, buy.tx]);
    // trade 10 XYZ @ 1.0 → 10 BNB; each side's native fee = floor(10e8 * 400 / 1e6) = 400,000
    assert.equal(bal(h, alice, XYZ), 990n * BNB);
    assert.equal(bal(h, alice), 110n * BNB - 400_000n);
    assert.equal(bal(h, bob, XYZ), 10n * BNB);
    assert.equal(bal(h, bob), 90n * BNB - 400_000n);
    assert.equal(locked(h, alice, XYZ), 0n);
    assert.equal(locked(h, bob, 'BNB'), 0n);
    assert.equal(bal(h, proposer) - feeBefore, 800_000n);
    const closed = (await closedOrders(h, bob));
    assert.equal(closed.length, 1);
    assert.equal(closed[0]!.status, OrderStatus.FullyFill);
    assert.equal(closed[0]!.fee, 'BNB:0.00400000');
    assert.equal(h.dex.getPair(h.store.committed(), XYZ_BNB)!.lastTradePrice, P1);
  });

  it('case 2: a buyer left without BNB pays the fee in the received asset (0.1% of XYZ)', async () => {
    const { h, s } = await setup();
    const before = { p: bal(h, proposer), pX: bal(h, proposer, XYZ) };
    const sell = s.order(alice, XYZ_BNB, SELL, P1, 10n * BNB);
    const buy = s.order(carol, XYZ_BNB, BUY, P1, 10n * BNB); // carol spends all 10 BNB
    await block(h, [sell.tx, buy.tx]);
    // carol: BNB 0 after the trade, native fee 400,000 > 0 ⇒ fee = floor(10e8 * 1000 / 1e6) = 1,000,000 XYZ
    assert.equal(bal(h, carol), 0n);
    assert.equal(bal(h, carol, XYZ), 10n * BNB - 1_000_000n);
    assert.equal(bal(h, alice), 110n * BNB - 400_000n);
    assert.equal(bal(h, proposer) - before.p, 400_000n);
    assert.equal(bal(h, proposer, XYZ) - before.pX, 1_000_000n);
    const trades = await tradesOf(h, { symbol: XYZ_BNB });
    assert.equal(trades.length, 1);
    assert.equal(trades[0].buyFee, `${XYZ}:0.01000000`);
    assert.equal(trades[0].sellFee, 'BNB:0.00400000');
  });

  it('case 3: buy limit 1.1 vs sell 1.0 in one block trades at 1.0; the buyer gets the excess lock back', async () => {
    const { h, s } = await setup();
    const buy = s.order(bob, XYZ_BNB, BUY, 110_000_000n, 10n * BNB);
    await block(h, [buy.tx]);
    // lock = notional(1.1, 10) = 11 BNB
    assert.equal(locked(h, bob, 'BNB'), 11n * BNB);
    assert.equal(bal(h, bob), 89n * BNB);
    const sell = s.order(alice, XYZ_BNB, SELL, P1, 10n * BNB);
    await block(h, [sell.tx]);
    // bob's order is a maker (older): it trades at its own price 1.1 (§A.4.5), alice is the taker
    assert.equal(locked(h, bob, 'BNB'), 0n);
    assert.equal(bal(h, bob), 89n * BNB - 440_000n); // fee floor(11e8 * 400 / 1e6)
    assert.equal(bal(h, bob, XYZ), 10n * BNB);
    assert.equal(bal(h, alice), 111n * BNB - 440_000n);
  });

  it('case 3b: same block: both takers, price = reference 1.0; buyer unlocks 11 BNB and pays 10', async () => {
    const { h, s } = await setup();
    const buy = s.order(bob, XYZ_BNB, BUY, 110_000_000n, 10n * BNB);
    const sell = s.order(alice, XYZ_BNB, SELL, P1, 10n * BNB);
    await block(h, [buy.tx, sell.tx]);
    assert.equal(locked(h, bob, 'BNB'), 0n);
    assert.equal(bal(h, bob), 90n * BNB - 400_000n);
    assert.equal(bal(h, alice), 110n * BNB - 400_000n);
  });

  it('case 4: IOC without a fill pays the IOC expire fee (5,000 BNB units) and unlocks everything', async () => {
    const { h, s } = await setup();
    const fee0 = bal(h, proposer);
    const ioc = s.order(dave, XYZ_BNB, BUY, 50_000_000n, 1n * BNB, 3);
    await block(h, [ioc.tx]);
    assert.equal(bal(h, dave), 10n * BNB - 5_000n);
    assert.equal(locked(h, dave, 'BNB'), 0n);
    assert.equal(bal(h, proposer) - fee0, 5_000n);
    const c = (await closedOrders(h, dave));
    assert.equal(c[0]!.status, OrderStatus.IocNoFill);
    assert.equal(c[0]!.fee, 'BNB:0.00005000');
  });

  it('case 5: IOC partially filled expires fee-free (only the trade fee)', async () => {
    const { h, s } = await setup();
    const rest = s.order(alice, XYZ_BNB, SELL, P1, 4n * BNB);
    await block(h, [rest.tx]);
    const ioc = s.order(dave, XYZ_BNB, BUY, P1, 10n * BNB, 3);
    await block(h, [ioc.tx]);
    // 4 XYZ for 4 BNB; fee floor(4e8 * 400 / 1e6) = 160,000 BNB; remaining 6 BNB unlocked free
    assert.equal(bal(h, dave), 6n * BNB - 160_000n);
    assert.equal(bal(h, dave, XYZ), 4n * BNB);
    assert.equal(locked(h, dave, 'BNB'), 0n);
    const c = (await closedOrders(h, dave));
    assert.equal(c[0]!.status, OrderStatus.IocExpire);
    assert.equal(c[0]!.cumulateQuantity, '4.00000000');
  });
});

describe('dex orders: cancel', () => {
  it('an unfilled order pays the cancel fee; a partially filled one cancels free', async () => {
    const { h, s } = await setup();
    const o1 = s.order(alice, XYZ_BNB, SELL, 200_000_000n, 5n * BNB);
    const o2 = s.order(alice, XYZ_BNB, SELL, P1, 10n * BNB);
    await block(h, [o1.tx, o2.tx]);
    assert.equal(locked(h, alice, XYZ), 15n * BNB);
    const buy = s.order(bob, XYZ_BNB, BUY, P1, 4n * BNB);
    await block(h, [buy.tx]); // o2 fills 4 of 10
    const bnb0 = bal(h, alice);
    await block(h, [s.cancel(alice, XYZ_BNB, o1.id)]);
    assert.equal(bal(h, alice), bnb0 - 10_000n); // CancelFeeNative
    await block(h, [s.cancel(alice, XYZ_BNB, o2.id)]);
    assert.equal(bal(h, alice), bnb0 - 10_000n); // partially filled: free
    assert.equal(locked(h, alice, XYZ), 0n);
    assert.equal(bal(h, alice, XYZ), 996n * BNB);
    assert.deepEqual(openOrders(h, alice), []);
    const statuses = (await closedOrders(h, alice)).map((o) => o.status);
    assert.deepEqual(statuses, [OrderStatus.Canceled, OrderStatus.Canceled]);
  });

  it('cancel in the same block as the order; only the owner; unknown ids', async () => {
    const { h, s } = await setup();
    const o = s.order(alice, XYZ_BNB, SELL, 200_000_000n, 5n * BNB);
    const c = s.cancel(alice, XYZ_BNB, o.id);
    await block(h, [o.tx, c]);
    assert.equal(locked(h, alice, XYZ), 0n);
    assert.equal(bal(h, alice), 100n * BNB - 10_000n);
    const o2 = s.order(alice, XYZ_BNB, SELL, 200_000_000n, 5n * BNB);
    await block(h, [o2.tx]);
    let res = await block(h, [s.cancel(bob, XYZ_BNB, o2.id)], false);
    assert.equal(res.txResults[0]!.code, dexCode('notOrderOwner'));
    res = await block(h, [s.cancel(alice, XYZ_BNB, 'NOPE-1')], false);
    assert.equal(res.txResults[0]!.code, dexCode('orderNotFound'));
    assert.equal(openOrders(h, alice).length, 1);
  });

  it('an account without BNB pays the cancel fee in the unlocked asset, converted at the last price', async () => {
    const { h, s } = await setup();
    const send: Msg = {
      type: 'cosmos-sdk/Send',
      inputs: [{ address: alice.addr, coins: [{ denom: XYZ, amount: 10n * BNB }] }],
      outputs: [{ address: frank.addr, coins: [{ denom: XYZ, amount: 10n * BNB }] }],
    };
    await block(h, [s.sign(alice, send)]);
    const o = s.order(frank, XYZ_BNB, SELL, 200_000_000n, 10n * BNB);
    await block(h, [o.tx]);
    await block(h, [s.cancel(frank, XYZ_BNB, o.id)]);
    // CancelFee 50,000 (BNB-denominated) / price 1.0 ⇒ 50,000 XYZ units
    assert.equal(bal(h, frank, XYZ), 10n * BNB - 50_000n);
    assert.equal(bal(h, frank), 0n);
  });
});

describe('dex orders: rules (§A.7)', () => {
  it('rejects wrong ids, tick/lot/notional violations, unknown pairs, market orders and missing funds', async () => {
    const { h, s } = await setup();
    const bad = async (msg: Msg, code: number, log?: RegExp) => {
      const res = await runBlock(h, [s.sign(alice, msg)]);
      const r = res.txResults[0]!;
      assert.equal(r.code, code, r.log);
      if (log) assert.match(r.log, log);
      // a rejected tx leaves no sequence bump: reset the local counter
      (s as unknown as { seq: Map<string, bigint> }).seq.clear();
    };
    const base = { type: 'dex/NewOrder' as const, sender: alice.addr, symbol: XYZ_BNB, ordertype: 2, side: SELL, price: P1, quantity: BNB, timeinforce: 1 };
    const id = () => s.nextOrderId(alice);
    await bad({ ...base, id: 'ABC-1' }, dexCode('invalidOrderId'));
    await bad({ ...base, id: id(), price: P1 + 1n }, dexCode('invalidTickSize'));
    await bad({ ...base, id: id(), quantity: BNB + 1n }, dexCode('invalidLotSize'));
    await bad({ ...base, id: id(), symbol: 'FOO-000_BNB' }, dexCode('unknownPair'));
    await bad({ ...base, id: id(), ordertype: 1 }, dexCode('invalidOrder'));
    await bad({ ...base, id: id(), timeinforce: 2 }, dexCode('invalidOrder'));
    await bad({ ...base, id: id(), quantity: 2000n * BNB }, abciCode('root', RootCode.insufficientCoins), /do not have enough token to lock/);
    await bad({ ...base, id: id(), side: BUY, price: P1, quantity: 1000n * BNB }, abciCode('root', RootCode.insufficientCoins));
    assertInvariants(h);
  });

  it('returns {"order_id"} as the tx data and lists the open order with the API fields', async () => {
    const { h, s } = await setup();
    const o = s.order(alice, XYZ_BNB, SELL, 200_000_000n, 5n * BNB);
    const res = await block(h, [o.tx]);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(res.txResults[0]!.data)), { order_id: o.id });
    const open = openOrders(h, alice);
    assert.equal(open.length, 1);
    assert.deepEqual(Object.keys(open[0]!).sort(), [
      'cumulateQuantity',
      'fee',
      'lastExecutedPrice',
      'lastExecutedQuantity',
      'orderCreateTime',
      'orderId',
      'owner',
      'price',
      'quantity',
      'side',
      'status',
      'symbol',
      'timeInForce',
      'tradeId',
      'transactionHash',
      'transactionTime',
      'type',
    ]);
    assert.equal(open[0]!.orderId, o.id);
    assert.equal(open[0]!.status, OrderStatus.Ack);
  });
});

describe('dex orders: checkTx', () => {
  it('checkTx runs the handler on the check state only; the block then delivers it', async () => {
    const { h, s } = await setup();
    const o = s.order(alice, XYZ_BNB, SELL, 200_000_000n, 5n * BNB);
    const c = h.app.checkTx(o.tx, 'new');
    assert.equal(c.code, 0, c.log);
    assert.equal(locked(h, alice, XYZ), 0n); // committed state untouched
    assert.equal(h.app.query(`dex/api/depth/${XYZ_BNB}/5`, new Uint8Array(0)).code, 0);
    await block(h, [o.tx]);
    assert.equal(locked(h, alice, XYZ), 5n * BNB);
  });
});
