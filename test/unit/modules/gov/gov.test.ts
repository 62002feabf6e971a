/** Gov: deposit period, activation by later deposits, expiry without enough deposit, tally, params, queries. */
import assert from 'node:assert/strict';
import { abciCode } from '../../../../src/errors.js';
import type { Msg, SubmitProposalMsg } from '../../../../src/codec/types.js';
import { GOV_DEPOSIT_ESCROW, GovCode, ProposalStatus, govParamsFromJson } from '../../../../src/modules/gov/index.js';
import { VAL1, VAL2, VAL3, assertInvariants, bal, key, runBlock, view } from '../../app/helpers.js';
import { BNB, Signer, newDexApp, type DexHarness } from '../dex/helpers.js';

const govCode = (k: keyof typeof GovCode) => abciCode('gov', GovCode[k]);
const alice = key('gov-alice');
const bob = key('gov-bob');
const DAY_MS = 86_400_000;

const text = (deposit: bigint, period = 3_600_000_000_000n): SubmitProposalMsg => ({
  type: 'cosmos-sdk/MsgSubmitProposal',
  title: 'a text proposal',
  description: 'nothing to see',
  proposal_type: 1,
  proposer: alice.addr,
  initial_deposit: deposit > 0n ? [{ denom: 'BNB', amount: deposit }] : [],
  voting_period: period,
});

async function setup(govParams?: unknown): Promise<{ h: DexHarness; s: Signer }> {
  const h = await newDexApp({
    bnb: [
      [alice, 5000n * BNB],
      [bob, 5000n * BNB],
      [VAL1.operator, BNB],
      [VAL2.operator, BNB],
      [VAL3.operator, BNB],
    ],
    govParams,
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

const q = (h: DexHarness, path: string) => {
  const r = h.app.query(path, new Uint8Array(0));
  assert.equal(r.code, 0, r.log);
  return JSON.parse(new TextDecoder().decode(r.value));
};

describe('gov', () => {
  it('a proposal below min_deposit waits; a later deposit starts voting; queries show it', async () => {
    const { h, s } = await setup();
    const res = await ok(h, [s.sign(alice, text(400n * BNB))]);
    assert.deepEqual([...res.txResults[0]!.data], [1, 1]); // amino length-prefixed int64 1
    assert.equal(h.gov.getProposal(view(h), 1n)!.status, ProposalStatus.DepositPeriod);
    const v = await runBlock(h, [s.sign(VAL1.operator, { type: 'cosmos-sdk/MsgVote', proposal_id: 1n, voter: VAL1.operator.addr, option: 1 })]);
    assert.equal(v.txResults[0]!.code, govCode('inactiveProposal'));
    (s as unknown as { seq: Map<string, bigint> }).seq.clear();
    await ok(h, [s.sign(bob, { type: 'cosmos-sdk/MsgDeposit', proposal_id: 1n, depositor: bob.addr, amount: [{ denom: 'BNB', amount: 600n * BNB }] })]);
    const p = q(h, 'gov/proposal/1');
    assert.equal(p.value.proposal_status, 'VotingPeriod');
    assert.deepEqual(p.value.total_deposit, [{ denom: 'BNB', amount: (1000n * BNB).toString() }]);
    assert.equal(p.value.proposal_type, 'Text');
    assert.equal(q(h, 'gov/deposits/1').length, 2);
    assert.equal(q(h, 'gov/proposals').length, 1);
    assert.equal(q(h, 'gov/proposals/Passed').length, 0);
    await ok(h, [1, 2, 3].map((i) => {
      const val = [VAL1, VAL2, VAL3][i - 1]!;
      return s.sign(val.operator, { type: 'cosmos-sdk/MsgVote', proposal_id: 1n, voter: val.operator.addr, option: i === 3 ? 3 : 1 } as Msg);
    }));
    assert.deepEqual(q(h, 'gov/votes/1').map((x: { option: string }) => x.option).sort(), ['No', 'Yes', 'Yes']);
    assert.deepEqual(q(h, 'gov/tally/1'), { yes: '20', abstain: '0', no: '10', no_with_veto: '0' });
    await ok(h, [], h.timeMs + 3_600_000);
    assert.equal(q(h, 'gov/proposal/1').value.proposal_status, 'Passed');
    assert.equal(bal(h, GOV_DEPOSIT_ESCROW), 0n);
    assert.equal(bal(h, bob), 5000n * BNB - 125_000n);
    assert.equal(q(h, 'gov/deposits/1').length, 0);
    assert.notEqual(h.app.query('gov/proposal/9', new Uint8Array(0)).code, 0);
  });

  it('a proposal that never reaches min_deposit is dropped after max_deposit_period; deposits go to validators', async () => {
    const { h, s } = await setup();
    const ops = [VAL1, VAL2, VAL3].map((v) => bal(h, v.operator));
    await ok(h, [s.sign(alice, text(300n * BNB))]);
    await ok(h, [], h.timeMs + 2 * DAY_MS - 5_000);
    assert.equal(h.gov.getProposal(view(h), 1n)!.status, ProposalStatus.DepositPeriod);
    await ok(h, [], h.timeMs + 10_000);
    assert.equal(h.gov.getProposal(view(h), 1n)!.status, ProposalStatus.Rejected);
    const gains = [VAL1, VAL2, VAL3].map((v, i) => bal(h, v.operator) - ops[i]!);
    assert.deepEqual(gains, [100n * BNB + 10n * BNB, 100n * BNB, 100n * BNB]); // + VAL1's submit fee as proposer
    const late = await runBlock(h, [s.sign(bob, { type: 'cosmos-sdk/MsgDeposit', proposal_id: 1n, depositor: bob.addr, amount: [{ denom: 'BNB', amount: BNB }] })]);
    assert.equal(late.txResults[0]!.code, govCode('alreadyFinishedProposal'));
  });

  it('genesis params: custom min deposit and tally fractions; bad values are rejected', async () => {
    const { h, s } = await setup({ deposit_params: { min_deposit: [{ denom: 'BNB', amount: '100000000' }] }, tally_params: { quorum: '0.9' } });
    await ok(h, [s.sign(alice, text(BNB))]);
    assert.equal(h.gov.getProposal(view(h), 1n)!.status, ProposalStatus.VotingPeriod);
    await ok(h, [VAL1, VAL2].map((v) => s.sign(v.operator, { type: 'cosmos-sdk/MsgVote', proposal_id: 1n, voter: v.operator.addr, option: 1 })));
    await ok(h, [], h.timeMs + 3_600_000);
    assert.equal(h.gov.getProposal(view(h), 1n)!.status, ProposalStatus.Rejected); // 20/30 < 0.9 quorum
    assert.equal(q(h, 'gov/params').tally_params.quorum, '0.90000000');
    assert.throws(() => govParamsFromJson({ tally_params: { veto: '1.5' } }), /between 0 and 1/);
    assert.throws(() => govParamsFromJson({ deposit_params: { max_deposit_period: '-1' } }), /integer/);
  });

  it('stateless checks: empty title, long description, bad type, zero voting period, unknown proposal', async () => {
    const { h, s } = await setup();
    const bad = async (msg: Msg, code: number) => {
      const r = await runBlock(h, [s.sign(alice, msg)]);
      assert.equal(r.txResults[0]!.code, code, r.txResults[0]!.log);
      (s as unknown as { seq: Map<string, bigint> }).seq.clear();
    };
    await bad({ ...text(BNB), title: '' }, govCode('invalidTitle'));
    await bad({ ...text(BNB), description: 'd'.repeat(2049) }, govCode('invalidDescription'));
    await bad({ ...text(BNB), proposal_type: 0 }, govCode('invalidProposalType'));
    await bad({ ...text(BNB), proposal_type: 9 }, govCode('invalidProposalType'));
    await bad(text(BNB, 0n), govCode('invalidVotingPeriod'));
    await bad({ type: 'cosmos-sdk/MsgDeposit', proposal_id: 7n, depositor: alice.addr, amount: [{ denom: 'BNB', amount: BNB }] }, govCode('unknownProposal'));
    assertInvariants(h);
  });
});
