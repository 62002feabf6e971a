/** Tokens: issue, mint, burn, freeze, ownership, time locks — happy paths and every rejection. */
import assert from 'node:assert/strict';
import { RootCode, abciCode } from '../../../src/errors.js';
import { decodeTx, escrowAddress, encodeAddress } from '../../../src/codec/index.js';
import type { Coin, Msg } from '../../../src/codec/types.js';
import { TokenCode, TIME_LOCK_ESCROW, validateIssueSymbol, validateTokenSymbol } from '../../../src/modules/tokens/index.js';
import { BNB, GENESIS_MS, acc, bal, deliverOk, expectRejected, key, newApp, runBlock, signNext, type Harness } from '../app/helpers.js';

const tok = (k: keyof typeof TokenCode) => abciCode('tokens', TokenCode[k]);
const root = (k: keyof typeof RootCode) => abciCode('root', RootCode[k]);
const alice = key('alice');
const bob = key('bob');
const MAX = 9_000_000_000_000_000_000n;

async function setup(): Promise<Harness> {
  return newApp({
    bnb: [[alice, 100_000n * BNB], [bob, 1000n * BNB]],
    tokens: [
      { symbol: 'AAA-000', owner: alice, supply: 1000n * BNB, mintable: true },
      { symbol: 'NMT-111', owner: alice, supply: 50n * BNB, mintable: false },
    ],
  });
}

const issue = (symbol: string, supply: bigint, name = 'Some Token', mintable = true): Msg => ({
  type: 'tokens/IssueMsg',
  from: alice.addr,
  name,
  symbol,
  total_supply: supply,
  mintable,
});
const amountMsg = (type: 'tokens/MintMsg' | 'tokens/BurnMsg' | 'tokens/FreezeMsg' | 'tokens/UnfreezeMsg', from: Uint8Array, symbol: string, amount: bigint): Msg =>
  ({ type, from, symbol, amount }) as Msg;

describe('modules/tokens symbols', () => {
  it('issue symbols: 2–8 alphanumerics (optional .B), BNB reserved', () => {
    for (const ok of ['AB', 'abc', 'XYZ12345', 'BTC.B']) validateIssueSymbol(ok);
    for (const bad of ['A', 'ABCDEFGHI', 'AB_C', 'AB-C', '', 'BNB', 'bnb', 'ÄBC']) assert.throws(() => validateIssueSymbol(bad), /token symbol/);
  });
  it('referenced symbols: BNB or BASE-XXX', () => {
    for (const ok of ['BNB', 'XYZ-14A', 'BTC.B-918']) validateTokenSymbol(ok);
    for (const bad of ['XYZ', 'xyz-14a', 'XYZ-14G', 'XYZ-14AB', 'X-Y-Z']) assert.throws(() => validateTokenSymbol(bad));
  });
});

describe('modules/tokens handlers', () => {
  it('issue: suffix from the tx hash, supply to the issuer, 1000 BNB fee', async () => {
    const h = await setup();
    const tx = signNext(h, alice, issue('abc', 5n * BNB));
    const symbol = `ABC-${decodeTx(tx).hash.slice(0, 3)}`;
    const r = await deliverOk(h, tx);
    assert.equal(JSON.parse(new TextDecoder().decode(r.data)).symbol, symbol);
    assert.equal(bal(h, alice, symbol), 5n * BNB);
    assert.equal(bal(h, alice), 100_000n * BNB - 1000n * BNB);
    assert.ok(h.app.queries.tokens(0, 10).some((t) => t.symbol === symbol));
    const ev = r.events.find((e) => e.type === 'issue_token')!;
    assert.deepEqual(ev.attributes.map((a) => a.key), ['symbol', 'owner', 'total_supply']);
  });

  it('issue rejections: bad symbol, name, supply', async () => {
    const h = await setup();
    await expectRejected(h, signNext(h, alice, issue('A', BNB)), tok('invalidSymbol'));
    await expectRejected(h, signNext(h, alice, issue('ABCDEFGHI', BNB)), tok('invalidSymbol'));
    await expectRejected(h, signNext(h, alice, issue('AB_C', BNB)), tok('invalidSymbol'));
    await expectRejected(h, signNext(h, alice, issue('BNB', BNB)), tok('invalidSymbol'));
    await expectRejected(h, signNext(h, alice, issue('ABC', BNB, '')), tok('invalidName'));
    await expectRejected(h, signNext(h, alice, issue('ABC', BNB, 'n'.repeat(33))), tok('invalidName'));
    await expectRejected(h, signNext(h, alice, issue('ABC', 0n)), tok('invalidAmount'));
    await expectRejected(h, signNext(h, alice, issue('ABC', MAX + 1n)), tok('invalidAmount'));
  });

  it('issue with too little BNB for the 1000 BNB fee → insufficientFunds', async () => {
    const h = await newApp({ bnb: [[bob, 1000n * BNB - 1n]] });
    const m = { ...issue('ABC', BNB), from: bob.addr } as Msg;
    await expectRejected(h, signNext(h, bob, m), root('insufficientFunds'));
  });

  it('mint: owner only, mintable only, supply ≤ 9e18', async () => {
    const h = await setup();
    await expectRejected(h, signNext(h, bob, amountMsg('tokens/MintMsg', bob.addr, 'AAA-000', 1n)), tok('notOwner'));
    await expectRejected(h, signNext(h, alice, amountMsg('tokens/MintMsg', alice.addr, 'NMT-111', 1n)), tok('notMintable'));
    await expectRejected(h, signNext(h, alice, amountMsg('tokens/MintMsg', alice.addr, 'AAA-000', MAX - 1000n * BNB + 1n)), tok('invalidAmount'));
    await expectRejected(h, signNext(h, alice, amountMsg('tokens/MintMsg', alice.addr, 'NOP-123', 1n)), tok('unknownSymbol'));
    await expectRejected(h, signNext(h, alice, amountMsg('tokens/MintMsg', alice.addr, 'NOP', 1n)), tok('invalidSymbol'));
    await expectRejected(h, signNext(h, alice, amountMsg('tokens/MintMsg', alice.addr, 'BNB', 1n)), tok('notMintable'));
    await expectRejected(h, signNext(h, alice, amountMsg('tokens/MintMsg', alice.addr, 'AAA-000', 0n)), tok('invalidAmount'));
    const r = await deliverOk(h, signNext(h, alice, amountMsg('tokens/MintMsg', alice.addr, 'AAA-000', MAX - 1000n * BNB)));
    assert.equal(new TextDecoder().decode(r.data), MAX.toString());
    assert.equal(bal(h, alice), 100_000n * BNB - 200n * BNB);
  });

  it('burn: any holder from its free balance; more than the balance → insufficientCoins', async () => {
    const h = await setup();
    const send = { type: 'cosmos-sdk/Send' as const, inputs: [{ address: alice.addr, coins: [{ denom: 'AAA-000', amount: 10n }] }], outputs: [{ address: bob.addr, coins: [{ denom: 'AAA-000', amount: 10n }] }] };
    await deliverOk(h, signNext(h, alice, send));
    await expectRejected(h, signNext(h, bob, amountMsg('tokens/BurnMsg', bob.addr, 'AAA-000', 11n)), root('insufficientCoins'), 'have 10AAA-000, need 11AAA-000');
    await deliverOk(h, signNext(h, bob, amountMsg('tokens/BurnMsg', bob.addr, 'AAA-000', 4n)));
    assert.equal(bal(h, bob, 'AAA-000'), 6n);
    assert.equal(h.app.queries.token('AAA-000')!.total_supply, '999.99999996');
    assert.equal(bal(h, bob), 1000n * BNB - BNB);
  });

  it('freeze / unfreeze move free ↔ frozen; beyond the balance → insufficientCoins', async () => {
    const h = await setup();
    await expectRejected(h, signNext(h, alice, amountMsg('tokens/FreezeMsg', alice.addr, 'AAA-000', 1001n * BNB)), root('insufficientCoins'));
    await deliverOk(h, signNext(h, alice, amountMsg('tokens/FreezeMsg', alice.addr, 'AAA-000', 7n)));
    assert.deepEqual(acc(h, alice)!.frozen, [{ denom: 'AAA-000', amount: 7n }]);
    const j = h.app.queries.account(alice.bech32)!;
    assert.deepEqual(j.balances.find((b) => b.symbol === 'AAA-000'), { symbol: 'AAA-000', free: '999.99999993', frozen: '0.00000007', locked: '0.00000000' });
    await expectRejected(h, signNext(h, alice, amountMsg('tokens/UnfreezeMsg', alice.addr, 'AAA-000', 8n)), root('insufficientCoins'));
    await deliverOk(h, signNext(h, alice, amountMsg('tokens/UnfreezeMsg', alice.addr, 'AAA-000', 7n)));
    assert.deepEqual(acc(h, alice)!.frozen, []);
    assert.equal(bal(h, alice), 100_000n * BNB - 2n * 1_000_000n);
  });

  it('transfer ownership: owner only; the new owner can mint', async () => {
    const h = await setup();
    const to = (from: Uint8Array, newOwner: Uint8Array): Msg => ({ type: 'tokens/TransferOwnershipMsg', from, symbol: 'AAA-000', new_owner: newOwner });
    await expectRejected(h, signNext(h, bob, to(bob.addr, alice.addr)), tok('notOwner'));
    await deliverOk(h, signNext(h, alice, to(alice.addr, bob.addr)));
    assert.equal(h.app.queries.token('AAA-000')!.owner, bob.bech32);
    await expectRejected(h, signNext(h, alice, amountMsg('tokens/MintMsg', alice.addr, 'AAA-000', 1n)), tok('notOwner'));
    await deliverOk(h, signNext(h, bob, amountMsg('tokens/MintMsg', bob.addr, 'AAA-000', 1n)));
  });
});

describe('modules/tokens time locks', () => {
  const coins = (amount: bigint, denom = 'BNB'): Coin[] => [{ denom, amount }];
  const lock = (amount: Coin[], lockTime: bigint, description = 'vesting'): Msg => ({ type: 'tokens/TimeLockMsg', from: alice.addr, description, amount, lock_time: lockTime });
  const unlock = (id: bigint): Msg => ({ type: 'tokens/TimeUnlockMsg', from: alice.addr, time_lock_id: id });
  const relock = (id: bigint, amount: Coin[], lockTime: bigint, description = ''): Msg => ({ type: 'tokens/TimeRelockMsg', from: alice.addr, time_lock_id: id, description, amount, lock_time: lockTime });
  const sec = (ms: number) => BigInt(Math.floor(ms / 1000));

  it('escrow is AddressHash("BinanceChainTimeLockCoins")', () => {
    assert.equal(encodeAddress(TIME_LOCK_ESCROW, 'bnb'), 'bnb1hn8ym9xht925jkncjpf7lhjnax6z8nv24fv2yq');
    assert.deepEqual(TIME_LOCK_ESCROW, escrowAddress('BinanceChainTimeLockCoins'));
  });

  it('lock → id = sequence after ante; unlock only once due', async () => {
    const h = await setup();
    const t = GENESIS_MS + 1000;
    const lockTime = sec(t) + 120n;
    const r = await deliverOk(h, signNext(h, alice, lock(coins(10n * BNB), lockTime)), { timeMs: t });
    assert.equal(new TextDecoder().decode(r.data), '1');
    assert.equal(bal(h, TIME_LOCK_ESCROW), 10n * BNB);
    assert.equal(bal(h, alice), 100_000n * BNB - 10n * BNB - 1_000_000n);
    const [tl] = h.app.queries.timelocks(alice.bech32);
    assert.deepEqual(tl, { id: 1, description: 'vesting', amount: [{ denom: 'BNB', amount: '1000000000' }], lock_time: new Date(Number(lockTime) * 1000).toISOString() });
    await expectRejected(h, signNext(h, alice, unlock(1n)), tok('timeLockNotDue'));
    await expectRejected(h, signNext(h, alice, unlock(9n)), tok('timeLockNotFound'));
    await deliverOk(h, signNext(h, alice, unlock(1n)), { timeMs: Number(lockTime) * 1000 });
    assert.equal(bal(h, TIME_LOCK_ESCROW), 0n);
    assert.deepEqual(h.app.queries.timelocks(alice.bech32), []);
    assert.equal(bal(h, alice), 100_000n * BNB - 2n * 1_000_000n);
  });

  it('lock rejections: time too close, description, coins, balance', async () => {
    const h = await setup();
    const now = () => sec(h.timeMs + 1000); // time of the next block
    await expectRejected(h, signNext(h, alice, lock(coins(BNB), now() + 60n)), tok('invalidTimeLock'));
    await expectRejected(h, signNext(h, alice, lock(coins(BNB), 253_402_300_800n)), tok('invalidTimeLock'));
    await expectRejected(h, signNext(h, alice, lock(coins(BNB), now() + 100n, '')), tok('invalidDescription'));
    await expectRejected(h, signNext(h, alice, lock(coins(BNB), now() + 100n, 'd'.repeat(129))), tok('invalidDescription'));
    await expectRejected(h, signNext(h, alice, lock([], now() + 100n)), root('invalidCoins'));
    await expectRejected(h, signNext(h, alice, lock(coins(1n, 'NMT-111').concat(coins(1n, 'AAA-000')), now() + 100n)), root('invalidCoins'));
    await expectRejected(h, signNext(h, alice, lock(coins(200_000n * BNB), now() + 100n)), root('insufficientCoins'));
    await deliverOk(h, signNext(h, alice, lock(coins(BNB), now() + 61n)));
  });

  it('relock: larger amount moves the difference; later time; the rest is refused', async () => {
    const h = await setup();
    const t0 = GENESIS_MS + 1000;
    const lt = sec(t0) + 1000n;
    await deliverOk(h, signNext(h, alice, lock(coins(10n), lt)), { timeMs: t0 });
    await expectRejected(h, signNext(h, alice, relock(1n, [], 0n)), tok('invalidTimeLock'), 'nothing to relock');
    await expectRejected(h, signNext(h, alice, relock(1n, coins(9n), 0n)), tok('invalidTimeLock'), 'must be larger');
    await expectRejected(h, signNext(h, alice, relock(1n, coins(10n), 0n)), tok('invalidTimeLock'), 'must be larger');
    await expectRejected(h, signNext(h, alice, relock(1n, coins(10n, 'AAA-000'), 0n)), tok('invalidTimeLock'));
    await expectRejected(h, signNext(h, alice, relock(1n, [], lt)), tok('invalidTimeLock'), 'after the current lock time');
    await expectRejected(h, signNext(h, alice, relock(2n, coins(11n), 0n)), tok('timeLockNotFound'));
    await deliverOk(h, signNext(h, alice, relock(1n, coins(15n), lt + 10n, 'more')));
    assert.equal(bal(h, TIME_LOCK_ESCROW), 15n);
    const [r] = h.app.queries.timelocks(alice.bech32);
    assert.equal(r!.description, 'more');
    assert.equal(r!.amount[0]!.amount, '15');
    // a lock whose time has passed can only be pushed more than 60 s past the block time
    const late = Number(lt + 10n) * 1000 + 5000;
    await runBlock(h, [], { timeMs: late });
    await expectRejected(h, signNext(h, alice, relock(1n, [], sec(late) + 30n)), tok('invalidTimeLock'));
  });
});
