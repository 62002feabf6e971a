/** Breathe-block work (§E.2): GTE expiry (3 days / 30 days in the top levels), delisting, tick/lot recompute. */
import assert from 'node:assert/strict';
import type { Msg, SubmitProposalMsg } from '../../../../src/codec/types.js';
import { OrderStatus, priceWMA } from '../../../../src/modules/dex/index.js';
import { parseDelistParams, ProposalStatus } from '../../../../src/modules/gov/index.js';
import { GENESIS_MS, VAL1, VAL2, VAL3, assertInvariants, bal, key, runBlock, view } from '../../app/helpers.js';
import { BNB, Signer, XYZ, XYZ_BNB, closedOf, locked, newDexApp, type DexHarness } from './helpers.js';
import { writeRecentPrices as writeRP } from '../../../../src/modules/dex/store.js';

const alice = key('br-alice');
const bob = key('br-bob');
const DAY = 86_400_000;
const at = (day: number, s = 1) => GENESIS_MS + day * DAY + s * 1000;

async function setup(dexParams?: unknown): Promise<{ h: DexHarness; s: Signer }> {
  const h = await newDexApp({
    bnb: [
      [alice, 10_000n * BNB],
      [bob, 100n * BNB],
      [VAL1.operator, BNB],
      [VAL2.operator, BNB],
      [VAL3.operator, BNB],
    ],
    tokens: [{ symbol: XYZ, owner: alice, supply: 1000n * BNB }],
    pairs: [[XYZ, 'BNB', BNB]],
    dexParams,
  });
  await runBlock(h, [], { timeMs: at(0, 1) });
  return { h, s: new Signer(h) };
}

async function ok(h: DexHarness, txs: Uint8Array[], timeMs: number) {
  const res = await runBlock(h, txs, { timeMs });
  for (const r of res.txResults) assert.equal(r.code, 0, r.log);
  assertInvariants(h);
  return res;
}

async function closedStatus(h: DexHarness, k: typeof alice): Promise<string[]> {
  return (await closedOf(h, k.bech32)).map((o) => o.status);
}

/** Day 0: an unfilled GTE sell (o1) and a partially filled one (o2); breathe blocks on days 1–3. */
async function restingOrders(h: DexHarness, s: Signer) {
  const o1 = s.order(alice, XYZ_BNB, 2, 2n * BNB, 5n * BNB);
  const o2 = s.order(alice, XYZ_BNB, 2, BNB, 10n * BNB);
  await ok(h, [o1.tx, o2.tx], at(0, 2));
  await ok(h, [s.order(bob, XYZ_BNB, 1, BNB, 4n * BNB).tx], at(0, 3));
  await ok(h, [], at(1)); // breathe: day 1 → height 4
  await ok(h, [], at(2));
  await ok(h, [], at(3)); // expiry day = day 0: no breathe block recorded → nothing expires
  assert.equal(locked(h, alice, XYZ), 11n * BNB);
  return { o1, o2 };
}

describe('dex breathe block: GTE expiry', () => {
  it('orders older than the breathe block of 3 days ago expire; unfilled pays the expire fee, partial is free', async () => {
    const { h, s } = await setup({ top_levels: 0 });
    await restingOrders(h, s);
    const bnb0 = bal(h, alice);
    await ok(h, [], at(4)); // expiry day = day 1 (height 4) > created height 2
    assert.equal(locked(h, alice, XYZ), 0n);
    assert.equal(bal(h, alice), bnb0 - 10_000n); // ExpireFeeNative for o1 only
    assert.equal(bal(h, alice, XYZ), 996n * BNB);
    assert.deepEqual((await closedStatus(h, alice)), [OrderStatus.Expired, OrderStatus.Expired]);
    assert.equal(h.dex.bookSnapshot(view(h), XYZ_BNB).size, 0);
  });

  it('orders in the best 500 levels live 30 days', async () => {
    const { h, s } = await setup();
    await restingOrders(h, s);
    await ok(h, [], at(4));
    assert.equal(locked(h, alice, XYZ), 11n * BNB); // still there
    await ok(h, [], at(31)); // 30 days back = day 1
    assert.equal(locked(h, alice, XYZ), 0n);
    assert.deepEqual((await closedStatus(h, alice)), [OrderStatus.Expired, OrderStatus.Expired]);
  });
});

describe('dex breathe block: delisting', () => {
  it('a passed delist proposal runs at the first breathe block 3 days after voting ends', async () => {
    const { h, s } = await setup();
    const o = s.order(alice, XYZ_BNB, 2, 2n * BNB, 5n * BNB);
    const desc = JSON.stringify({ base_asset_symbol: XYZ, quote_asset_symbol: 'BNB', justification: 'bye', is_executed: false });
    const submit: SubmitProposalMsg = {
      type: 'cosmos-sdk/MsgSubmitProposal',
      title: 'delist',
      description: desc,
      proposal_type: 8,
      proposer: bob.addr,
      initial_deposit: [{ denom: 'BNB', amount: 1000n * BNB }],
      voting_period: 3_600_000_000_000n,
    };
    const res = await runBlock(h, [o.tx, s.sign(bob, submit)], { timeMs: at(0, 2) });
    assert.equal(res.txResults[0]!.code, 0, res.txResults[0]!.log);
    assert.notEqual(res.txResults[1]!.code, 0); // bob has only 100 BNB
    (s as unknown as { seq: Map<string, bigint> }).seq.clear();
    const r2 = await ok(h, [s.sign(alice, { ...submit, proposer: alice.addr, initial_deposit: [{ denom: 'BNB', amount: 50n * BNB }] })], at(0, 3));
    const id = BigInt(r2.txResults[0]!.data[1]!);
    const vote = (v: typeof VAL1): Msg => ({ type: 'cosmos-sdk/MsgVote', proposal_id: id, voter: v.operator.addr, option: 1 });
    // deposit below min: still in the deposit period, votes are refused
    const r3 = await runBlock(h, [s.sign(VAL1.operator, vote(VAL1))], { timeMs: at(0, 4) });
    assert.notEqual(r3.txResults[0]!.code, 0);
    (s as unknown as { seq: Map<string, bigint> }).seq.clear();
    await ok(h, [s.sign(bob, { type: 'cosmos-sdk/MsgDeposit', proposal_id: id, depositor: bob.addr, amount: [{ denom: 'BNB', amount: 50n * BNB }] })], at(0, 5));
    assert.equal(h.gov.getProposal(view(h), id)!.status, ProposalStatus.DepositPeriod);
    await ok(h, [s.sign(alice, { type: 'cosmos-sdk/MsgDeposit', proposal_id: id, depositor: alice.addr, amount: [{ denom: 'BNB', amount: 900n * BNB }] })], at(0, 6));
    assert.equal(h.gov.getProposal(view(h), id)!.status, ProposalStatus.VotingPeriod);
    await ok(h, [s.sign(VAL1.operator, vote(VAL1)), s.sign(VAL2.operator, vote(VAL2))], at(0, 7));
    await ok(h, [], at(0, 7 + 3600));
    assert.equal(h.gov.getProposal(view(h), id)!.status, ProposalStatus.Passed);
    assert.equal(bal(h, bob), 100n * BNB - 125_000n); // deposit refunded, deposit fee kept
    await ok(h, [], at(1));
    await ok(h, [], at(3)); // 3 days after the end of voting is day 3 + 1h: not yet
    assert.ok(h.dex.getPair(view(h), XYZ_BNB));
    const bnb0 = bal(h, alice);
    await ok(h, [], at(4));
    assert.equal(h.dex.getPair(view(h), XYZ_BNB), undefined);
    assert.equal(locked(h, alice, XYZ), 0n);
    assert.equal(bal(h, alice, XYZ), 1000n * BNB);
    assert.equal(bal(h, alice), bnb0 - 10_000n);
    assert.deepEqual((await closedStatus(h, alice)), [OrderStatus.Expired]);
    assert.equal(parseDelistParams(h.gov.getProposal(view(h), id)!.description).isExecuted, true);
  });
});

describe('dex breathe block: tick and lot sizes from recent prices', () => {
  it('WMA weights the newest price most', () => {
    assert.equal(priceWMA([1n, 2n, 3n]), (1n * 1n + 2n * 2n + 3n * 3n) / 6n);
    assert.equal(priceWMA([]), 0n);
  });

  it('a pair with ≥ 500 recent prices gets tick/lot from their WMA at the breathe block', async () => {
    const { h } = await setup();
    writeRP(h.store.working(), XYZ_BNB, Array.from({ length: 500 }, () => 10n * BNB));
    await ok(h, [], at(0, 5));
    assert.equal(h.dex.getPair(view(h), XYZ_BNB)!.tickSize, 1000n); // not a breathe block yet
    await ok(h, [], at(1));
    const p = h.dex.getPair(view(h), XYZ_BNB)!;
    assert.equal(p.tickSize, 10_000n); // 10^(9-5)
    assert.equal(p.lotSize, 10_000n); // 10^(13-9)
  });
});
