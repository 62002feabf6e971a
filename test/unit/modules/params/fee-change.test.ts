/** FeeChange proposals: checked at submission, applied at the next breathe block. */
import assert from 'node:assert/strict';
import type { Msg, SubmitProposalMsg } from '../../../../src/codec/types.js';
import { ProposalKind } from '../../../../src/codec/types.js';
import { defaultFeeTable, parseFeeChange } from '../../../../src/modules/params/index.js';
import { GENESIS_MS, VAL1, VAL2, VAL3, bal, key, runBlock, view } from '../../app/helpers.js';
import { BNB, Signer, newDexApp, type DexHarness } from '../dex/helpers.js';

const alice = key('fc-alice');
const bob = key('fc-bob');
const DAY = 86_400_000;
const at = (day: number, s = 1) => GENESIS_MS + day * DAY + s * 1000;

const fixed = (msg_type: string, fee: string, fee_for = 1) => ({ type: 'params/FixedFeeParams', value: { msg_type, fee, fee_for } });
const transfer = (fee: string, multi: string) => ({
  type: 'params/TransferFeeParams',
  value: { fixed_fee_params: { msg_type: 'send', fee, fee_for: 1 }, multi_transfer_fee: multi, lower_limit_as_multi: '2' },
});
const dexFees = (...f: [string, string][]) => ({ type: 'params/DexFeeParam', value: { dex_fee_fields: f.map(([fee_name, fee_value]) => ({ fee_name, fee_value })) } });
const desc = (...fee_params: unknown[]) => JSON.stringify({ fee_params, description: 'fees' });

describe('params: FeeChange description', () => {
  const table = defaultFeeTable();
  it('reads fixed, transfer and DEX entries', () => {
    const c = parseFeeChange(desc(fixed('issueMsg', '500', 2), transfer('37500', '30000'), dexFees(['FeeRateNative', '400'], ['CancelFee', '7'])), table);
    assert.deepEqual(c.table.fixed_fee_params, [{ msg_type: 'issueMsg', fee: '500', fee_for: 2 }]);
    assert.equal(c.table.transfer_fee_param?.fee, '37500');
    assert.deepEqual(c.dex, { feeRateNative: 400n, cancelFee: 7n });
  });
  it('refuses what would be a silent mistake, saying what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['not json', /not JSON/],
      [JSON.stringify({ fee_params: [] }), /non-empty/],
      [desc(fixed('issueMsgg', '1')), /unknown msg_type "issueMsgg"/],
      [desc(fixed('send', '1')), /TransferFeeParams/],
      [desc(fixed('issueMsg', '1'), fixed('issueMsg', '2')), /listed twice/],
      [desc(fixed('issueMsg', '1', 4)), /fee_for/],
      [desc(fixed('issueMsg', '-1')), /non-negative int64/],
      [desc(fixed('issueMsg', '9223372036854775808')), /non-negative int64/],
      [desc(dexFees(['FeeRate', '1000001'])), /exceeds/],
      [desc(dexFees(['Feerate', '1'])), /unknown fee_name/],
      [desc({ type: 'params/Other', value: {} }), /is not params/],
      [desc(transfer('1', '1'), transfer('2', '2')), /listed twice/],
    ];
    for (const [d, re] of cases) assert.throws(() => parseFeeChange(d, table), re, d);
  });
});

function proposal(description: string): SubmitProposalMsg {
  return {
    type: 'cosmos-sdk/MsgSubmitProposal',
    title: 'fees',
    description,
    proposal_type: ProposalKind.FeeChange,
    proposer: alice.addr,
    initial_deposit: [{ denom: 'BNB', amount: 1000n * BNB }],
    voting_period: 3_600_000_000_000n,
  };
}

const send = (amount: bigint): Msg =>
  ({ type: 'cosmos-sdk/Send', inputs: [{ address: alice.addr, coins: [{ denom: 'BNB', amount }] }], outputs: [{ address: bob.addr, coins: [{ denom: 'BNB', amount }] }] }) as Msg;

async function sendFee(h: DexHarness, s: Signer, timeMs: number): Promise<bigint> {
  const before = bal(h, alice);
  const r = await runBlock(h, [s.sign(alice, send(1n))], { timeMs });
  assert.equal(r.txResults[0]!.code, 0, r.txResults[0]!.log);
  return before - bal(h, alice) - 1n;
}

describe('params: FeeChange by governance', () => {
  it('a passed proposal changes the listed fees at the next breathe block, and only those', async () => {
    const h = await newDexApp({ bnb: [[alice, 5000n * BNB], [VAL1.operator, BNB], [VAL2.operator, BNB], [VAL3.operator, BNB]] });
    await runBlock(h, [], { timeMs: at(0, 1) });
    const s = new Signer(h);
    const sub = await runBlock(h, [s.sign(alice, proposal(desc(transfer('37500', '30000'), fixed('tokensBurn', '5'), dexFees(['FeeRateNative', '400']))))], { timeMs: at(0, 2) });
    assert.equal(sub.txResults[0]!.code, 0, sub.txResults[0]!.log);
    const votes = await runBlock(h, [VAL1, VAL2, VAL3].map((v) => s.sign(v.operator, { type: 'cosmos-sdk/MsgVote', proposal_id: 1n, voter: v.operator.addr, option: 1 } as Msg)), { timeMs: at(0, 3) });
    for (const r of votes.txResults) assert.equal(r.code, 0, r.log);
    await runBlock(h, [], { timeMs: at(0, 3700) }); // voting period over: passed
    assert.equal(await sendFee(h, s, at(0, 3701)), 62_500n, 'unchanged until the breathe block');
    const breathe = await runBlock(h, [], { timeMs: at(1, 1) });
    assert.ok(breathe.events.some((e) => e.type === 'fee_change'), 'fee_change event');
    assert.equal(await sendFee(h, s, at(1, 2)), 37_500n);
    const t = h.app.params.getFeeTable(view(h));
    assert.equal(t.fixed.tokensBurn!.fee, 5n);
    assert.equal(t.fixed.issueMsg!.fee, defaultFeeTable().fixed.issueMsg!.fee, 'unlisted entries keep their fee');
    assert.equal(h.dex.getParams(view(h)).fees.feeRateNative, 400n);
    // applied once: the next breathe block changes nothing
    const next = await runBlock(h, [], { timeMs: at(2, 1) });
    assert.ok(!next.events.some((e) => e.type === 'fee_change'));
  });

  it('a malformed FeeChange is refused at submission', async () => {
    const h = await newDexApp({ bnb: [[alice, 5000n * BNB]] });
    await runBlock(h, [], { timeMs: at(0, 1) });
    const s = new Signer(h);
    const r = await runBlock(h, [s.sign(alice, proposal(desc(fixed('nosuchMsg', '1'))))], { timeMs: at(0, 2) });
    assert.notEqual(r.txResults[0]!.code, 0);
    assert.match(r.txResults[0]!.log, /unknown msg_type/);
  });
});
