/**
 * The staking module's answer to duplicate-vote evidence: jail (power 0 in the block's validator
 * updates), slash `slash_fraction` of the operator's free BNB into the slash pool, once.
 */
import assert from 'node:assert/strict';
import { memoryStateStore } from '../../../src/state/index.js';
import { Bank } from '../../../src/modules/bank/index.js';
import { Staking, stakingModule, SLASH_POOL } from '../../../src/modules/staking/index.js';
import { EventSink, HistorySink, silentLogger, type BlockContext } from '../../../src/app/context.js';
import { FeePool } from '../../../src/app/fees.js';
import { consensusAddress, sha256 } from '../../../src/crypto/hash.js';
import { ed25519PublicKey } from '../../../src/consensus/crypto-adapter.js';
import type { Misbehavior } from '../../../src/app/abci.js';
import type { KVWriter } from '../../../src/state/types.js';

const pub = ed25519PublicKey(sha256(new TextEncoder().encode('val-a')));
const cons = consensusAddress(pub);
const operator = sha256(new TextEncoder().encode('op-a')).slice(0, 20);

function ctx(kv: KVWriter, misbehavior: Misbehavior[], height = 10): BlockContext {
  return {
    kv,
    chain: { chainId: 'c', hrp: 'tbnb' },
    block: { height, timeMs: 1, prevTimeMs: 0, breathe: false, proposerAddress: cons, lastCommitVotes: [], misbehavior, hash: '' },
    events: new EventSink(),
    history: new HistorySink(),
    fees: new FeePool(),
    logger: silentLogger,
  };
}

describe('staking: evidence → jail and slash', () => {
  it('jails, slashes the fraction into the slash pool, emits power 0, and only once', () => {
    const kv = memoryStateStore().working();
    const bank = new Bank();
    const staking = new Staking();
    staking.setValidator(kv, { name: 'a', consensusPubKey: pub, consensusAddress: cons, operator, power: 10n, jailed: false });
    staking.setSlashFraction(kv, '0.1');
    bank.addCoins(kv, operator, [{ denom: 'BNB', amount: 1_000_000n }]);
    const mod = stakingModule(staking, bank);
    const m: Misbehavior = { kind: 'duplicate_vote', validatorAddress: cons, height: 9, timeMs: 1, totalVotingPower: 40n };

    const c1 = ctx(kv, [m]);
    mod.beginBlock!.run(c1);
    assert.deepEqual(staking.validatorUpdates(kv), [{ pubKey: pub, power: 0n }]);
    const v = staking.getByConsensusAddress(kv, cons)!;
    assert.equal(v.jailed, true);
    assert.equal(v.slashed, 100_000n);
    assert.equal(v.jailedAtHeight, 9n);
    assert.equal(bank.getBalance(kv, operator, 'BNB'), 900_000n);
    assert.equal(bank.getBalance(kv, SLASH_POOL, 'BNB'), 100_000n);
    assert.equal(c1.events.events[0]!.type, 'slash');

    // the same evidence again (re-proposed after a restart): nothing more happens
    const c2 = ctx(kv, [m], 11);
    mod.beginBlock!.run(c2);
    assert.deepEqual(staking.validatorUpdates(kv), []);
    assert.equal(bank.getBalance(kv, operator, 'BNB'), 900_000n);
    assert.equal(c2.events.events.length, 0);
  });

  it('without a bank it still jails', () => {
    const kv = memoryStateStore().working();
    const staking = new Staking();
    staking.setValidator(kv, { name: 'a', consensusPubKey: pub, consensusAddress: cons, operator, power: 10n, jailed: false });
    stakingModule(staking).beginBlock!.run(ctx(kv, [{ kind: 'duplicate_vote', validatorAddress: cons, height: 3, timeMs: 1, totalVotingPower: 10n }]));
    assert.equal(staking.getByConsensusAddress(kv, cons)!.jailed, true);
    assert.equal(staking.validatorUpdates(kv).length, 1);
  });

  it('ignores evidence against an unknown validator', () => {
    const kv = memoryStateStore().working();
    const staking = new Staking();
    stakingModule(staking).beginBlock!.run(ctx(kv, [{ kind: 'duplicate_vote', validatorAddress: new Uint8Array(20), height: 3, timeMs: 1, totalVotingPower: 10n }]));
    assert.deepEqual(staking.validatorUpdates(kv), []);
  });
});
