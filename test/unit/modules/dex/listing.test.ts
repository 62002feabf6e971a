/** Listing through gov (§C): submit → deposit → validator votes → passed → ListMsg, and every failure mode. */
import assert from 'node:assert/strict';
import { abciCode } from '../../../../src/errors.js';
import type { ListMsg, Msg, SubmitProposalMsg } from '../../../../src/codec/types.js';
import { DexCode } from '../../../../src/modules/dex/index.js';
import { GOV_DEPOSIT_ESCROW, GovCode, ProposalStatus } from '../../../../src/modules/gov/index.js';
import { VAL1, VAL2, VAL3, assertInvariants, bal, key, runBlock, view } from '../../app/helpers.js';
import { ABC, BNB, Signer, XYZ, newDexApp, type DexHarness } from './helpers.js';

const dexCode = (k: keyof typeof DexCode) => abciCode('dex', DexCode[k]);
const govCode = (k: keyof typeof GovCode) => abciCode('gov', GovCode[k]);
const alice = key('list-alice');
const bob = key('list-bob');
const HOUR_NS = 3_600_000_000_000n;
const HOUR_MS = 3_600_000;

function listDescription(base: string, quote: string, price: bigint, expireMs: number): string {
  return JSON.stringify({
    base_asset_symbol: base,
    quote_asset_symbol: quote,
    init_price: Number(price),
    description: 'please list',
    expire_time: new Date(expireMs).toISOString(),
  });
}

function submit(from: typeof alice, description: string, kind = 4, deposit = 1000n * BNB): SubmitProposalMsg {
  return {
    type: 'cosmos-sdk/MsgSubmitProposal',
    title: 'list a pair',
    description,
    proposal_type: kind,
    proposer: from.addr,
    initial_deposit: deposit > 0n ? [{ denom: 'BNB', amount: deposit }] : [],
    voting_period: HOUR_NS,
  };
}

const vote = (v: typeof VAL1, id: bigint, option = 1): Msg => ({ type: 'cosmos-sdk/MsgVote', proposal_id: id, voter: v.operator.addr, option });
const list = (from: typeof alice, id: bigint, base: string, quote: string, price: bigint): ListMsg => ({
  type: 'dex/ListMsg',
  from: from.addr,
  proposal_id: id,
  base_asset_symbol: base,
  quote_asset_symbol: quote,
  init_price: price,
});

async function setup(): Promise<{ h: DexHarness; s: Signer }> {
  const h = await newDexApp({
    bnb: [
      [alice, 10_000n * BNB],
      [bob, 10_000n * BNB],
      [VAL1.operator, BNB],
      [VAL2.operator, BNB],
      [VAL3.operator, BNB],
    ],
    tokens: [
      { symbol: ABC, owner: alice, supply: 1000n * BNB },
      { symbol: XYZ, owner: alice, supply: 1000n * BNB },
    ],
    pairs: [[XYZ, 'BNB', BNB]],
  });
  await runBlock(h, []);
  return { h, s: new Signer(h) };
}

async function ok(h: DexHarness, txs: Uint8Array[], timeMs?: number) {
  const res = await runBlock(h, txs, timeMs === undefined ? {} : { timeMs });
  for (const r of res.txResults) assert.equal(r.code, 0, r.log);
  assertInvariants(h);
  return res;
}

/** Submits a ListTradingPair proposal for base/quote, votes with the given validators, ends the voting period. */
async function proposeAndVote(h: DexHarness, s: Signer, base: string, quote: string, price: bigint, voters: (typeof VAL1)[], expireMs?: number) {
  const res = await ok(h, [s.sign(alice, submit(alice, listDescription(base, quote, price, expireMs ?? h.timeMs + 10 * HOUR_MS)))]);
  const id = BigInt(res.txResults[0]!.data[1]!);
  await ok(h, voters.map((v) => s.sign(v.operator, vote(v, id))));
  await ok(h, [], h.timeMs + HOUR_MS);
  return id;
}

describe('dex listing through gov', () => {
  it('passed proposal → ListMsg lists the pair with tick/lot from the price; deposit refunded; fee FeeForAll', async () => {
    const { h, s } = await setup();
    const price = 1_000_000n; // 0.01 BNB
    const a0 = bal(h, alice);
    const res = await ok(h, [s.sign(alice, submit(alice, listDescription(ABC, 'BNB', price, h.timeMs + 10 * HOUR_MS)))]);
    const id = BigInt(res.txResults[0]!.data[1]!);
    assert.equal(id, 1n);
    assert.equal(bal(h, alice), a0 - 10n * BNB - 1000n * BNB); // submit fee + deposit
    assert.equal(bal(h, GOV_DEPOSIT_ESCROW), 1000n * BNB);
    assert.equal(h.gov.getProposal(view(h), id)!.status, ProposalStatus.VotingPeriod);
    await ok(h, [s.sign(VAL1.operator, vote(VAL1, id)), s.sign(VAL2.operator, vote(VAL2, id))]);
    await ok(h, [], h.timeMs + HOUR_MS);
    const p = h.gov.getProposal(view(h), id)!;
    assert.equal(p.status, ProposalStatus.Passed);
    assert.equal(p.tally.yes, 20n);
    assert.equal(bal(h, alice), a0 - 10n * BNB); // deposit back
    assert.equal(bal(h, GOV_DEPOSIT_ESCROW), 0n);

    const ops = [VAL1, VAL2, VAL3].map((v) => bal(h, v.operator));
    await ok(h, [s.sign(alice, list(alice, id, ABC, 'BNB', price))]);
    const pair = h.dex.getPair(view(h), `${ABC}_BNB`)!;
    assert.equal(pair.listPrice, price);
    assert.equal(pair.tickSize, 10n); // 10^(6-5)
    assert.equal(pair.lotSize, 10_000_000n); // 10^(13-6)
    assert.equal(bal(h, alice), a0 - 10n * BNB - 2000n * BNB);
    // 2000 BNB split over the 3 validators of the last commit, remainder to the proposer (VAL1)
    const each = (2000n * BNB) / 3n;
    const rem = 2000n * BNB - each * 3n;
    assert.deepEqual(
      [VAL1, VAL2, VAL3].map((v, i) => bal(h, v.operator) - ops[i]!),
      [each + rem, each, each],
    );
    // the markets query and the amino pairs query see it
    const m = JSON.parse(new TextDecoder().decode(h.app.query('dex/api/markets/0/10', new Uint8Array(0)).value));
    assert.deepEqual(m[0], { base_asset_symbol: ABC, quote_asset_symbol: 'BNB', list_price: '0.01000000', tick_size: '0.00000010', lot_size: '0.10000000' });
  });

  it('not passed (no quorum): deposits are distributed to the validators; ListMsg fails', async () => {
    const { h, s } = await setup();
    const ops = [VAL1, VAL2, VAL3].map((v) => bal(h, v.operator));
    const id = await proposeAndVote(h, s, ABC, 'BNB', BNB, [VAL1]); // 10 of 30 power
    assert.equal(h.gov.getProposal(view(h), id)!.status, ProposalStatus.Rejected);
    const each = (1000n * BNB) / 3n;
    const rem = 1000n * BNB - each * 3n;
    assert.deepEqual(
      [VAL1, VAL2, VAL3].map((v, i) => bal(h, v.operator) - ops[i]!),
      [each + rem + 10n * BNB, each, each], // VAL1 proposed every block: it also got the 10 BNB submit fee
    );
    const res = await runBlock(h, [s.sign(alice, list(alice, id, ABC, 'BNB', BNB))]);
    assert.equal(res.txResults[0]!.code, dexCode('invalidProposal'));
    assertInvariants(h);
  });

  it('vetoed proposals fail; only bonded validator operators may vote; no votes after the period', async () => {
    const { h, s } = await setup();
    const res = await ok(h, [s.sign(alice, submit(alice, listDescription(ABC, 'BNB', BNB, h.timeMs + 10 * HOUR_MS)))]);
    const id = BigInt(res.txResults[0]!.data[1]!);
    const r = await runBlock(h, [s.sign(bob, { type: 'cosmos-sdk/MsgVote', proposal_id: id, voter: bob.addr, option: 1 })]);
    assert.equal(r.txResults[0]!.code, govCode('onlyValidatorVote'));
    (s as unknown as { seq: Map<string, bigint> }).seq.clear();
    await ok(h, [s.sign(VAL1.operator, vote(VAL1, id)), s.sign(VAL2.operator, vote(VAL2, id)), s.sign(VAL3.operator, vote(VAL3, id, 4))]);
    await ok(h, [], h.timeMs + HOUR_MS);
    // veto 10/30 = 0.333 ≤ 0.334 ⇒ not vetoed; yes 20/30 > 0.5 ⇒ passed
    assert.equal(h.gov.getProposal(view(h), id)!.status, ProposalStatus.Passed);
    const late = await runBlock(h, [s.sign(VAL1.operator, vote(VAL1, id, 3))]);
    assert.equal(late.txResults[0]!.code, govCode('inactiveProposal'));

    (s as unknown as { seq: Map<string, bigint> }).seq.clear();
    const res2 = await ok(h, [s.sign(alice, submit(alice, listDescription(XYZ, ABC, BNB, h.timeMs + 10 * HOUR_MS)))], undefined).catch((e) => e);
    assert.ok(res2 instanceof Error); // ABC has no BNB pair yet (BNB-quote rule) — rejected at submission
    (s as unknown as { seq: Map<string, bigint> }).seq.clear();
  });

  it('a 2-of-3 veto rejects', async () => {
    const { h, s } = await setup();
    const res = await ok(h, [s.sign(alice, submit(alice, listDescription(ABC, 'BNB', BNB, h.timeMs + 10 * HOUR_MS)))]);
    const id = BigInt(res.txResults[0]!.data[1]!);
    await ok(h, [s.sign(VAL1.operator, vote(VAL1, id)), s.sign(VAL2.operator, vote(VAL2, id, 4)), s.sign(VAL3.operator, vote(VAL3, id, 4))]);
    await ok(h, [], h.timeMs + HOUR_MS);
    assert.equal(h.gov.getProposal(view(h), id)!.status, ProposalStatus.Rejected);
  });

  it('ListMsg failure modes: expired, wrong price, wrong symbols, not owner, pair exists', async () => {
    const { h, s } = await setup();
    const expireMs = h.timeMs + 2 * HOUR_MS;
    const id = await proposeAndVote(h, s, ABC, 'BNB', BNB, [VAL1, VAL2], expireMs);
    assert.equal(h.gov.getProposal(view(h), id)!.status, ProposalStatus.Passed);
    const fail = async (k: typeof alice, msg: ListMsg, code: number, timeMs?: number) => {
      const r = await runBlock(h, [s.sign(k, msg)], timeMs === undefined ? {} : { timeMs });
      assert.equal(r.txResults[0]!.code, code, r.txResults[0]!.log);
      (s as unknown as { seq: Map<string, bigint> }).seq.clear();
      assertInvariants(h);
    };
    await fail(alice, list(alice, id, ABC, 'BNB', BNB + 1n), dexCode('invalidPrice'));
    await fail(alice, list(alice, id, XYZ, 'BNB', BNB), dexCode('invalidListing'));
    await fail(bob, list(bob, id, ABC, 'BNB', BNB), dexCode('notTokenOwner'));
    await fail(alice, list(alice, 99n, ABC, 'BNB', BNB), dexCode('invalidProposal'));
    // lower-case symbols are accepted (case-insensitive compare)
    await ok(h, [s.sign(alice, list(alice, id, ABC.toLowerCase(), 'bnb', BNB))]);
    assert.ok(h.dex.getPair(view(h), `${ABC}_BNB`));
    await fail(alice, list(alice, id, ABC, 'BNB', BNB), dexCode('pairExists'));
    // a second passed proposal, listed after its expire time
    const id2 = await proposeAndVote(h, s, XYZ, ABC, BNB, [VAL1, VAL2], h.timeMs + 2 * HOUR_MS);
    await fail(alice, list(alice, id2, XYZ, ABC, BNB), dexCode('invalidProposal'), h.timeMs + 2 * HOUR_MS);
  });

  it('submission checks: BNB-quote rule, existing pair, unknown token, bad JSON, past expiry, long title', async () => {
    const { h, s } = await setup();
    const rejected = async (msg: SubmitProposalMsg, code: number) => {
      const r = await runBlock(h, [s.sign(alice, msg)]);
      assert.equal(r.txResults[0]!.code, code, r.txResults[0]!.log);
      (s as unknown as { seq: Map<string, bigint> }).seq.clear();
    };
    const later = h.timeMs + 10 * HOUR_MS;
    await rejected(submit(alice, listDescription(ABC, XYZ, BNB, later)), dexCode('invalidListing'));
    await rejected(submit(alice, listDescription(XYZ, 'BNB', BNB, later)), dexCode('pairExists'));
    await rejected(submit(alice, listDescription('BNB', XYZ, BNB, later)), dexCode('pairExists'));
    await rejected(submit(alice, listDescription('NOPE-000', 'BNB', BNB, later)), dexCode('invalidListing'));
    await rejected(submit(alice, listDescription(ABC, 'BNB', BNB, h.timeMs)), dexCode('invalidListing'));
    await rejected(submit(alice, listDescription(ABC, 'BNB', 0n, later)), dexCode('invalidPrice'));
    await rejected(submit(alice, 'not json'), govCode('invalidDescription'));
    await rejected({ ...submit(alice, listDescription(ABC, 'BNB', BNB, later)), title: 'x'.repeat(129) }, govCode('invalidTitle'));
    await rejected({ ...submit(alice, listDescription(ABC, 'BNB', BNB, later)), voting_period: 15n * 24n * HOUR_NS }, govCode('invalidVotingPeriod'));
    assertInvariants(h);
  });
});
