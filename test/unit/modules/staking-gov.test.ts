/** Validator-set changes by governance: CreateValidator and RemoveValidator proposals. */
import assert from 'node:assert/strict';
import type { Msg, SubmitProposalMsg } from '../../../src/codec/types.js';
import { ProposalKind } from '../../../src/codec/types.js';
import { VAL1, VAL2, VAL3, assertInvariants, key, runBlock, validator, view } from '../app/helpers.js';
import { BNB, Signer, newDexApp, type DexHarness } from './dex/helpers.js';

const alice = key('sg-alice');
const NEW = validator('v4');

function proposal(kind: number, description: string): SubmitProposalMsg {
  return {
    type: 'cosmos-sdk/MsgSubmitProposal',
    title: 'validator set',
    description,
    proposal_type: kind,
    proposer: alice.addr,
    initial_deposit: [{ denom: 'BNB', amount: 1000n * BNB }],
    voting_period: 3_600_000_000_000n,
  };
}

async function pass(h: DexHarness, s: Signer, id: bigint, msg: SubmitProposalMsg) {
  const sub = await runBlock(h, [s.sign(alice, msg)]);
  assert.equal(sub.txResults[0]!.code, 0, sub.txResults[0]!.log);
  const votes = await runBlock(h, [VAL1, VAL2, VAL3].map((v) => s.sign(v.operator, { type: 'cosmos-sdk/MsgVote', proposal_id: id, voter: v.operator.addr, option: 1 } as Msg)));
  for (const r of votes.txResults) assert.equal(r.code, 0, r.log);
  return runBlock(h, [], { timeMs: h.timeMs + 3_600_000 });
}

describe('staking: validator set by governance', () => {
  it('CreateValidator adds a validator (an update for consensus); RemoveValidator takes it out', async () => {
    const h = await newDexApp({ bnb: [[alice, 5000n * BNB], [VAL1.operator, BNB], [VAL2.operator, BNB], [VAL3.operator, BNB]] });
    await runBlock(h, []);
    const s = new Signer(h);
    const create = JSON.stringify({ name: 'v4', consensus_pub_key: Buffer.from(NEW.edPub).toString('base64'), operator: NEW.operator.bech32, power: '10' });
    const res = await pass(h, s, 1n, proposal(ProposalKind.CreateValidator, create));
    assert.deepEqual(res.validatorUpdates.map((u) => [Buffer.from(u.pubKey).toString('hex'), u.power]), [[Buffer.from(NEW.edPub).toString('hex'), 10n]]);
    assert.equal(h.app.staking.getByConsensusAddress(view(h), NEW.consAddr)!.power, 10n);
    assertInvariants(h);

    const remove = JSON.stringify({ consensus_address: Buffer.from(NEW.consAddr).toString('hex') });
    const res2 = await pass(h, s, 2n, proposal(ProposalKind.RemoveValidator, remove));
    assert.deepEqual(res2.validatorUpdates.map((u) => u.power), [0n]);
    assert.equal(h.app.staking.getByConsensusAddress(view(h), NEW.consAddr)!.power, 0n);
  });

  it('a malformed validator proposal is refused at submission', async () => {
    const h = await newDexApp({ bnb: [[alice, 5000n * BNB]] });
    await runBlock(h, []);
    const s = new Signer(h);
    const r = await runBlock(h, [s.sign(alice, proposal(ProposalKind.CreateValidator, '{"name":"x","consensus_pub_key":"AAAA","operator":"nope","power":"1"}'))]);
    assert.notEqual(r.txResults[0]!.code, 0);
    assert.match(r.txResults[0]!.log, /consensus_pub_key|operator/);
  });
});
