/** Bank: keeper, Send rules, account flags, invariants, coin arithmetic properties. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RootCode, abciCode } from '../../../src/errors.js';
import type { Coin, SendMsg } from '../../../src/codec/types.js';
import { memoryStateStore } from '../../../src/state/index.js';
import { Bank, addCoins, subCoins, validateCoins, nonNegativeBalances, totalSupplyMatchesBalances } from '../../../src/modules/bank/index.js';
import { BNB, acc, assertInvariants, bal, expectRejected, key, newApp, runBlock, signTx, type Key } from '../app/helpers.js';

const root = (k: keyof typeof RootCode) => abciCode('root', RootCode[k]);
const alice = key('alice');
const bob = key('bob');
const carol = key('carol');
const INT64_MAX = (1n << 63n) - 1n;

function send(inputs: [Key, Coin[]][], outputs: [Key, Coin[]][]): SendMsg {
  return {
    type: 'cosmos-sdk/Send',
    inputs: inputs.map(([k, coins]) => ({ address: k.addr, coins })),
    outputs: outputs.map(([k, coins]) => ({ address: k.addr, coins })),
  };
}
const bnb = (amount: bigint): Coin[] => [{ denom: 'BNB', amount }];

describe('modules/bank keeper', () => {
  it('creates accounts with increasing numbers, adds/subtracts, locks, freezes', () => {
    const store = memoryStateStore();
    const kv = store.working();
    const bank = new Bank();
    bank.addCoins(kv, alice.addr, bnb(100n));
    bank.addCoins(kv, bob.addr, [{ denom: 'AAA-000', amount: 5n }, { denom: 'BNB', amount: 1n }]);
    assert.equal(bank.getAccount(kv, alice.addr)!.accountNumber, 0n);
    assert.equal(bank.getAccount(kv, bob.addr)!.accountNumber, 1n);
    assert.equal(bank.getBalance(kv, bob.addr, 'AAA-000'), 5n);
    assert.throws(() => bank.subtractCoins(kv, alice.addr, bnb(101n)), (e: { code: number; message: string }) => {
      assert.equal(e.code, 65546);
      assert.equal(e.message, 'insufficient coins: have 100BNB, need 101BNB');
      return true;
    });
    bank.lockCoins(kv, alice.addr, bnb(30n));
    bank.freeze(kv, alice.addr, { denom: 'BNB', amount: 20n });
    const a = bank.getAccount(kv, alice.addr)!;
    assert.deepEqual([a.coins, a.locked, a.frozen], [bnb(50n), bnb(30n), bnb(20n)]);
    bank.unlockCoins(kv, alice.addr, bnb(30n));
    bank.unfreeze(kv, alice.addr, { denom: 'BNB', amount: 20n });
    assert.deepEqual(bank.getAccount(kv, alice.addr)!.coins, bnb(100n));
    assert.throws(() => bank.unfreeze(kv, alice.addr, { denom: 'BNB', amount: 1n }), /insufficient frozen coins/);
    bank.transfer(kv, alice.addr, carol.addr, bnb(100n));
    assert.deepEqual(bank.getAccount(kv, alice.addr)!.coins, []);
    assert.equal(bank.getAccount(kv, carol.addr)!.accountNumber, 2n);
    assert.equal(nonNegativeBalances(kv, bank), undefined);
    assert.equal(totalSupplyMatchesBalances(kv, bank, new Map([['BNB', 101n], ['AAA-000', 5n]])), undefined);
    assert.match(totalSupplyMatchesBalances(kv, bank, new Map([['BNB', 100n], ['AAA-000', 5n]]))!, /supply 100, balances sum to 101/);
    assert.match(totalSupplyMatchesBalances(kv, bank, new Map([['BNB', 101n]]))!, /no token AAA-000/);
  });

  it('addCoins beyond int64 → overflow', () => {
    const kv = memoryStateStore().working();
    const bank = new Bank();
    bank.addCoins(kv, alice.addr, bnb(INT64_MAX));
    assert.throws(() => bank.addCoins(kv, alice.addr, bnb(1n)), (e: { code: number }) => e.code === root('overflow'));
  });

  it('coin arithmetic: add then subtract is the identity; results stay sorted and valid', () => {
    const denom = fc.constantFrom('AAA-000', 'BNB', 'XYZ-14A', 'ZZZ-FFF');
    const coins = fc
      .uniqueArray(fc.record({ denom, amount: fc.bigInt({ min: 1n, max: 1n << 60n }) }), { selector: (c) => c.denom })
      .map((l) => l.map((c) => ({ denom: c.denom, amount: c.amount })).sort((a, b) => (a.denom < b.denom ? -1 : 1)));
    fc.assert(
      fc.property(coins, coins, (a, b) => {
        const s = addCoins(a, b);
        if (s.length > 0) validateCoins(s, 'sum');
        assert.deepEqual(subCoins(s, b), a);
        assert.deepEqual(addCoins(a, b), addCoins(b, a));
      }),
    );
  });
});

describe('modules/bank Send', () => {
  async function setup() {
    return newApp({ bnb: [[alice, 1000n * BNB], [bob, 1000n * BNB]], tokens: [{ symbol: 'AAA-000', owner: alice, supply: 1000n }] });
  }

  it('single transfer pays 62,500; two coins pay 50,000 × 2', async () => {
    const h = await setup();
    const r1 = await runBlock(h, [signTx(alice.priv, send([[alice, bnb(10n)]], [[carol, bnb(10n)]]), { accountNumber: 0, sequence: 0 })]);
    assert.equal(r1.txResults[0]!.code, 0);
    const two = [{ denom: 'AAA-000', amount: 1n }, { denom: 'BNB', amount: 1n }];
    const r2 = await runBlock(h, [signTx(alice.priv, send([[alice, two]], [[carol, two]]), { accountNumber: 0, sequence: 1 })]);
    assert.equal(r2.txResults[0]!.code, 0, r2.txResults[0]!.log);
    assert.equal(bal(h, alice), 1000n * BNB - 11n - 62_500n - 100_000n);
    assert.equal(bal(h, carol, 'AAA-000'), 1n);
    assertInvariants(h);
  });

  it('rejects bad coin lists with invalidCoins and mismatched sums', async () => {
    const h = await setup();
    const bad: [string, SendMsg][] = [
      ['zero amount', send([[alice, bnb(0n)]], [[carol, bnb(0n)]])],
      ['unsorted', send([[alice, [{ denom: 'BNB', amount: 1n }, { denom: 'AAA-000', amount: 1n }]]], [[carol, [{ denom: 'BNB', amount: 1n }, { denom: 'AAA-000', amount: 1n }]]])],
      ['duplicate denom', send([[alice, [{ denom: 'BNB', amount: 1n }, { denom: 'BNB', amount: 1n }]]], [[carol, bnb(2n)]])],
      ['sum mismatch', send([[alice, bnb(2n)]], [[carol, bnb(1n)]])],
      ['no outputs', send([[alice, bnb(2n)]], [])],
      ['empty coins', send([[alice, []]], [[carol, []]])],
    ];
    for (const [what, msg] of bad) {
      await expectRejected(h, signTx(alice.priv, msg, { accountNumber: 0, sequence: 0 }), root('invalidCoins')).catch((e) => {
        throw new Error(`${what}: ${(e as Error).message}`);
      });
    }
  });

  it('outputs summing beyond int64 → overflow', async () => {
    const h = await setup();
    const half = INT64_MAX / 2n + 1n;
    const msg = send([[alice, bnb(INT64_MAX)]], [[carol, bnb(half)], [bob, bnb(half)]]);
    await expectRejected(h, signTx(alice.priv, msg, { accountNumber: 0, sequence: 0 }), root('overflow'));
  });

  it('a token the sender does not hold → insufficientCoins', async () => {
    const h = await setup();
    const msg = send([[bob, [{ denom: 'AAA-000', amount: 1n }]]], [[carol, [{ denom: 'AAA-000', amount: 1n }]]]);
    await expectRejected(h, signTx(bob.priv, msg, { accountNumber: 1, sequence: 0 }), root('insufficientCoins'), 'have 0AAA-000, need 1AAA-000');
  });

  it('receiver flag 0x1 requires a non-empty all-digit memo', async () => {
    const h = await setup();
    const flags = { type: 'scripts/SetAccountFlagsMsg' as const, from: bob.addr, flags: 1n };
    const r = await runBlock(h, [signTx(bob.priv, flags, { accountNumber: 1, sequence: 0 })]);
    assert.equal(r.txResults[0]!.code, 0, r.txResults[0]!.log);
    assert.equal(bal(h, bob), 1000n * BNB - BNB);
    const msg = send([[alice, bnb(5n)]], [[bob, bnb(5n)]]);
    await expectRejected(h, signTx(alice.priv, msg, { accountNumber: 0, sequence: 0 }), root('invalidRequest'), 'non-empty memo of digits');
    await expectRejected(h, signTx(alice.priv, msg, { accountNumber: 0, sequence: 0, memo: '12a' }), root('invalidRequest'));
    const ok = await runBlock(h, [signTx(alice.priv, msg, { accountNumber: 0, sequence: 0, memo: '0123456789' })]);
    assert.equal(ok.txResults[0]!.code, 0, ok.txResults[0]!.log);
    assert.equal(acc(h, bob)!.flags, 1n);
    // unknown flag bits are refused
    const bad = { type: 'scripts/SetAccountFlagsMsg' as const, from: alice.addr, flags: 2n };
    await expectRejected(h, signTx(alice.priv, bad, { accountNumber: 0, sequence: 1 }), root('invalidRequest'), 'unknown account flags');
  });
});
