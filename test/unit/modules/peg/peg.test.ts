/** Peg module: attestations, limits, delays, pause, reserves — the attack cases, with every invariant after every block. */
import assert from 'node:assert/strict';
import { abciCode, RootCode } from '../../../../src/errors.js';
import { PegCode, PEG_ESCROW_ADDRESS, type WithdrawMsg } from '../../../../src/modules/peg/index.js';
import {
  ALICE,
  BNB,
  BOB,
  BTC,
  C,
  GOV,
  OUTSIDER,
  USDT,
  USERS,
  attestDeposit,
  bal,
  block,
  events,
  fails,
  govAction,
  mint,
  newPegApp,
  ok,
  q,
  send,
  setReserves,
  sign,
  txid,
  type PegHarness,
} from './helpers.js';

const peg = (k: keyof typeof PegCode) => abciCode('peg', PegCode[k]);
const root = (k: keyof typeof RootCode) => abciCode('root', RootCode[k]);

const withdraw = (from: typeof ALICE, amount: bigint, o: { asset?: string; network?: string; to?: string } = {}): WithdrawMsg => ({
  type: 'peg/Withdraw',
  from: from.addr,
  asset: o.asset ?? 'BTC',
  network: o.network ?? 'bitcoin',
  ext_address: o.to ?? '1BoatSLRHtKNngkdXEeobR76b53LETtpyT',
  amount,
});
const attestPayout = (from: typeof ALICE, id: bigint, tx: string) => ({ type: 'peg/AttestWithdrawal' as const, from: from.addr, request_id: id, ext_tx_id: tx });
const cancel = (from: typeof ALICE, id: bigint, reason = '') => ({ type: 'peg/CancelWithdrawal' as const, from: from.addr, request_id: id, reason });
const pause = (from: typeof ALICE, asset: string, direction: string) => ({ type: 'peg/Pause' as const, from: from.addr, asset, direction });

async function funded(o: Parameters<typeof newPegApp>[0] = {}): Promise<PegHarness> {
  const h = await newPegApp(o);
  await setReserves(h, 'BTC', 'bitcoin', 1000n * BNB, 100n);
  return h;
}

describe('modules/peg deposits', () => {
  it('genesis: module-owned tokens with deterministic symbols, supply 0, not mintable by anyone', async () => {
    const h = await newPegApp();
    assert.match(BTC, /^BTC-[0-9A-F]{3}$/);
    const t = h.app.queries.token(BTC)!;
    assert.equal(t.total_supply, '0.00000000');
    assert.equal(t.mintable, false);
    const assets = q(h, 'peg/assets');
    assert.deepEqual(assets.map((a: { symbol: string }) => a.symbol), ['BTC', 'USDT']);
    assert.deepEqual(assets[1].networks.map((n: { name: string }) => n.name), ['omni', 'erc20']);
    // the tokens module's MintMsg cannot mint it: the owner is the module address, nobody holds its key
    await fails(h, ALICE, { type: 'tokens/MintMsg', from: ALICE.addr, symbol: BTC, amount: 1n }, abciCode('tokens', 4));
  });

  it('threshold: 2 of 3 identical attestations mint once; reserves must cover the supply first', async () => {
    const h = await newPegApp();
    const d = { txid: txid(1), to: ALICE, amount: 150_000_000n };
    await ok(h, C[0]!, attestDeposit(C[0]!, d));
    assert.equal(bal(h, ALICE, BTC), 0n);
    // threshold reached but no attested reserves: the mint waits in the queue
    await ok(h, C[1]!, attestDeposit(C[1]!, d));
    assert.equal(bal(h, ALICE, BTC), 0n);
    assert.equal(q(h, `peg/deposit/bitcoin:${txid(1)}:0`).status, 'queued');
    assert.match(q(h, `peg/deposit/bitcoin:${txid(1)}:0`).note, /reserves of BTC/);
    await setReserves(h, 'BTC', 'bitcoin', 2n * BNB, 7n);
    // the end-block retry mints it
    assert.equal(bal(h, ALICE, BTC), 150_000_000n);
    assert.equal(q(h, `peg/deposit/bitcoin:${txid(1)}:0`).status, 'minted');
    assert.equal(events(h, 'peg_deposit_minted').length, 1);
    // the third custodian may still confirm it: rejected as already minted, no second mint
    await fails(h, C[2]!, attestDeposit(C[2]!, d), peg('depositAlreadyMinted'));
    assert.equal(bal(h, ALICE, BTC), 150_000_000n);
  });

  it('a replayed deposit attestation mints nothing more (same tx, same claim, other spelling of the tx id)', async () => {
    const h = await funded();
    const d = { txid: 'AB'.repeat(32), to: ALICE, amount: BNB };
    const tx0 = sign(h, C[0]!, attestDeposit(C[0]!, d));
    assert.equal((await block(h, [tx0])).txResults[0]!.code, 0);
    // the same signed bytes again: the sequence was used
    assert.equal((await block(h, [tx0])).txResults[0]!.code, root('invalidSequence'));
    // the same custodian, same claim, new tx: duplicate
    await fails(h, C[0]!, attestDeposit(C[0]!, d), peg('duplicateAttestation'));
    await ok(h, C[1]!, attestDeposit(C[1]!, d));
    assert.equal(bal(h, ALICE, BTC), BNB);
    // replays after the mint: any custodian, and the 0x/upper-case spelling of the same id
    for (const c of C) await fails(h, c, attestDeposit(c, d), peg('depositAlreadyMinted'));
    await fails(h, C[0]!, attestDeposit(C[0]!, { ...d, txid: '0x' + 'ab'.repeat(32) }), peg('depositAlreadyMinted'));
    // a whole new 2-of-3 round for the same key cannot mint again either
    await fails(h, C[2]!, attestDeposit(C[2]!, { ...d, txid: 'ab'.repeat(32) }), peg('depositAlreadyMinted'));
    assert.equal(bal(h, ALICE, BTC), BNB);
    assert.equal(q(h, 'peg/asset/BTC').minted, '1.00000000');
  });

  it('one custodian of three attesting a fake deposit mints nothing', async () => {
    const h = await funded();
    await ok(h, C[2]!, attestDeposit(C[2]!, { txid: txid(66), to: OUTSIDER, amount: 500n * BNB }));
    for (let i = 0; i < 5; i++) await block(h, []);
    assert.equal(bal(h, OUTSIDER, BTC), 0n);
    assert.equal(h.app.queries.token(BTC)!.total_supply, '0.00000000');
    const d = q(h, `peg/deposit/bitcoin:${txid(66)}:0`);
    assert.equal(d.status, 'pending');
    assert.deepEqual(d.claims[0].custodians, [C[2]!.bech32]);
  });

  it('two conflicting payloads for one deposit key: frozen, evidence names the custodians, governance resolves', async () => {
    const h = await funded();
    await ok(h, C[0]!, attestDeposit(C[0]!, { txid: txid(7), to: ALICE, amount: BNB }));
    const r = await ok(h, C[1]!, attestDeposit(C[1]!, { txid: txid(7), to: BOB, amount: 2n * BNB }));
    assert.equal(JSON.parse(new TextDecoder().decode(r.data)).status, 'frozen');
    const ev = events(h, 'peg_deposit_conflict');
    assert.equal(ev.length, 1);
    assert.equal(ev[0]!.key, `bitcoin:${txid(7)}:0`);
    assert.equal(ev[0]!.custodians_0, C[0]!.bech32);
    assert.equal(ev[0]!.custodians_1, C[1]!.bech32);
    assert.equal(ev[0]!.custodians, [C[0]!.bech32, C[1]!.bech32].sort().join(','));
    // the third custodian siding with either payload changes nothing: the key is frozen
    await fails(h, C[2]!, attestDeposit(C[2]!, { txid: txid(7), to: ALICE, amount: BNB }), peg('depositFrozen'));
    assert.equal(bal(h, ALICE, BTC), 0n);
    assert.equal(bal(h, BOB, BTC), 0n);
    // a custodian changing its own story is a conflict too
    await ok(h, C[2]!, attestDeposit(C[2]!, { txid: txid(8), to: ALICE, amount: BNB }));
    await ok(h, C[2]!, attestDeposit(C[2]!, { txid: txid(8), to: ALICE, amount: BNB + 1n }));
    assert.equal(q(h, `peg/deposit/bitcoin:${txid(8)}:0`).status, 'frozen');
    // governance: mint the true payload of one, reject the other
    await ok(h, GOV, govAction({ type: 'peg/resolve_deposit', network: 'bitcoin', ext_tx_id: txid(7), ext_index: 0, decision: 'mint', asset: 'BTC', recipient: ALICE.bech32, amount: String(BNB) }));
    await ok(h, GOV, govAction({ type: 'peg/resolve_deposit', network: 'bitcoin', ext_tx_id: txid(8), ext_index: 0, decision: 'reject' }));
    assert.equal(bal(h, ALICE, BTC), BNB);
    await fails(h, C[0]!, attestDeposit(C[0]!, { txid: txid(8), to: ALICE, amount: BNB }), peg('depositRejected'));
    await fails(h, GOV, govAction({ type: 'peg/resolve_deposit', network: 'bitcoin', ext_tx_id: txid(7), decision: 'mint', asset: 'BTC', recipient: BOB.bech32, amount: '1' }), peg('invalidGovAction'), 'already minted');
  });

  it('a non-custodian cannot attest anything', async () => {
    const h = await funded();
    await fails(h, OUTSIDER, attestDeposit(OUTSIDER, { txid: txid(9), to: OUTSIDER, amount: BNB }), peg('notCustodian'), 'is not a custodian');
    await fails(h, OUTSIDER, { type: 'peg/AttestReserves', from: OUTSIDER.addr, asset: 'BTC', network: 'bitcoin', amount: 1n, ext_height: 999n }, peg('notCustodian'));
    await fails(h, OUTSIDER, pause(OUTSIDER, 'BTC', 'both'), peg('notCustodian'));
    // signing GOV's msg with another key
    await fails(h, OUTSIDER, govAction({ type: 'peg/unpause', asset: 'BTC', direction: 'both' }), root('invalidPubKey'));
    const fake = { ...govAction({ type: 'peg/unpause', asset: 'BTC', direction: 'both' }), from: OUTSIDER.addr };
    await fails(h, OUTSIDER, fake, peg('notAuthorized'));
    assert.equal(bal(h, OUTSIDER, BTC), 0n);
    assert.equal(q(h, `peg/asset/BTC`).supply, '0.00000000');
  });

  it('stateless checks: bad tx id, network, zero amount', async () => {
    const h = await funded();
    await fails(h, C[0]!, attestDeposit(C[0]!, { txid: 'not-hex', to: ALICE, amount: 1n }), root('invalidRequest'));
    await fails(h, C[0]!, attestDeposit(C[0]!, { txid: txid(1), to: ALICE, amount: 0n }), root('invalidCoins'));
    await fails(h, C[0]!, attestDeposit(C[0]!, { txid: txid(1), to: ALICE, amount: 1n, network: 'Bitcoin' }), root('invalidRequest'));
    await fails(h, C[0]!, attestDeposit(C[0]!, { txid: txid(1), to: ALICE, amount: 1n, network: 'erc20' }), peg('unknownNetwork'));
    await fails(h, C[0]!, attestDeposit(C[0]!, { txid: txid(1), to: ALICE, amount: 1n, asset: 'ETH' }), peg('unknownAsset'));
  });

  it('inflow quota holds back mints beyond the window; they mint when the next window opens', async () => {
    const h = await funded({ btcLimits: { inflow_abs: String(3n * BNB) } });
    await mint(h, { txid: txid(1), to: ALICE, amount: 2n * BNB });
    await mint(h, { txid: txid(2), to: BOB, amount: 2n * BNB });
    assert.equal(bal(h, BOB, BTC), 0n);
    assert.equal(q(h, `peg/deposit/bitcoin:${txid(2)}:0`).status, 'queued');
    assert.match(q(h, `peg/deposit/bitcoin:${txid(2)}:0`).note, /inflow quota of BTC/);
    await block(h, [], h.timeMs + 3_600_000);
    assert.equal(bal(h, BOB, BTC), 2n * BNB);
  });
});

describe('modules/peg withdrawals', () => {
  it('escrow → ready → two payout attestations burn it; a payout tx cannot complete two requests', async () => {
    const h = await funded();
    await mint(h, { txid: txid(1), to: ALICE, amount: 3n * BNB });
    const r = await ok(h, ALICE, withdraw(ALICE, BNB));
    const id = BigInt(JSON.parse(new TextDecoder().decode(r.data)).id);
    assert.equal(bal(h, PEG_ESCROW_ADDRESS, BTC), BNB);
    let w = q(h, `peg/withdrawal/${id}`);
    assert.equal(w.status, 'ready');
    assert.deepEqual(w.history.map((x: { status: string }) => x.status), ['pending', 'ready']);
    await ok(h, C[0]!, attestPayout(C[0]!, id, txid(500)));
    assert.equal(q(h, `peg/withdrawal/${id}`).status, 'ready');
    await ok(h, C[2]!, attestPayout(C[2]!, id, txid(500)));
    w = q(h, `peg/withdrawal/${id}`);
    assert.equal(w.status, 'completed');
    assert.equal(w.ext_tx_id, txid(500));
    assert.equal(bal(h, PEG_ESCROW_ADDRESS, BTC), 0n);
    assert.equal(h.app.queries.token(BTC)!.total_supply, '2.00000000');
    assert.equal(q(h, 'peg/asset/BTC').burned, '1.00000000');
    // reserve shrinks by the payout
    assert.equal(q(h, 'peg/reserves')[0].networks[0].reserve, '999.00000000');
    const r2 = await ok(h, ALICE, withdraw(ALICE, BNB));
    const id2 = BigInt(JSON.parse(new TextDecoder().decode(r2.data)).id);
    await fails(h, C[0]!, attestPayout(C[0]!, id2, txid(500)), peg('payoutReused'));
    await fails(h, C[0]!, attestPayout(C[0]!, id, txid(501)), peg('invalidWithdrawalState'), 'completed');
    // conflicting payouts freeze the request; governance completes it
    await ok(h, C[0]!, attestPayout(C[0]!, id2, txid(600)));
    await ok(h, C[1]!, attestPayout(C[1]!, id2, txid(601)));
    assert.equal(q(h, `peg/withdrawal/${id2}`).frozen, true);
    assert.equal(events(h, 'peg_withdrawal_conflict').length, 1);
    await fails(h, C[2]!, attestPayout(C[2]!, id2, txid(600)), peg('withdrawalFrozen'));
    await ok(h, GOV, govAction({ type: 'peg/resolve_withdrawal', request_id: String(id2), decision: 'complete', ext_tx_id: txid(600) }));
    assert.equal(q(h, `peg/withdrawal/${id2}`).status, 'completed');
  });

  it('50 accounts withdrawing just under the per-account limit in one window: the aggregate quota stops the rest', async () => {
    const h = await funded({ btcLimits: { per_account_outflow: String(BNB), outflow_abs: String(10n * BNB) } });
    // 50 deposits of 2 BTC, attested by two custodians in one block
    const txs: Uint8Array[] = [];
    USERS.forEach((u, i) => {
      const d = { txid: txid(1000 + i), to: u, amount: 2n * BNB };
      txs.push(sign(h, C[0]!, attestDeposit(C[0]!, d)), sign(h, C[1]!, attestDeposit(C[1]!, d)));
    });
    const minted = await block(h, txs);
    assert.ok(minted.txResults.every((r) => r.code === 0));
    assert.ok(USERS.every((u) => bal(h, u, BTC) === 2n * BNB));

    const just = BNB - 1000n; // just under the per-account limit
    const res = await block(h, USERS.map((u) => sign(h, u, withdraw(u, just))));
    const okCount = res.txResults.filter((r) => r.code === 0).length;
    assert.equal(okCount, 10); // 10 × 0.99999 ≤ 10 BTC < 11 × 0.99999
    const refused = res.txResults.filter((r) => r.code !== 0);
    assert.equal(refused.length, 40);
    for (const r of refused) {
      assert.equal(r.code, peg('aggregateQuota'));
      assert.match(r.log, /aggregate BTC withdrawal quota exhausted: 9\.99990000 of 10\.00000000 withdrawn by all accounts/);
    }
    // those refused kept their coins
    assert.equal(bal(h, USERS[49]!, BTC), 2n * BNB);
    // a second withdrawal by an account that already used its quota: per-account limit
    await fails(h, USERS[0]!, withdraw(USERS[0]!, 2000n), peg('accountLimit'), 'per-account BTC withdrawal limit');
    // the next window opens: the rest can go again
    await block(h, [], h.timeMs + 3_600_000);
    await ok(h, USERS[49]!, withdraw(USERS[49]!, just));
    const lim = q(h, `peg/limits/BTC/${USERS[49]!.bech32}`);
    assert.equal(lim.outflow_window.used, '0.99999000');
    assert.equal(lim.account_window.used, '0.99999000');
  });

  it('a large withdrawal is delayed, cancelled by a guardian and refunded; another one completes after the delay', async () => {
    const h = await funded({ btcLimits: { large_withdrawal: String(5n * BNB), delay_blocks: 10 } });
    await mint(h, { txid: txid(1), to: ALICE, amount: 20n * BNB });
    const r = await ok(h, ALICE, withdraw(ALICE, 6n * BNB));
    const id = BigInt(JSON.parse(new TextDecoder().decode(r.data)).id);
    const w = q(h, `peg/withdrawal/${id}`);
    assert.equal(w.status, 'delayed');
    assert.equal(Number(w.release_height), h.height + 10);
    assert.equal(bal(h, ALICE, BTC), 14n * BNB);
    await fails(h, C[0]!, attestPayout(C[0]!, id, txid(5)), peg('invalidWithdrawalState'), 'delayed until height');
    await fails(h, OUTSIDER, cancel(OUTSIDER, id), peg('notGuardian'));
    await ok(h, C[2]!, cancel(C[2]!, id, 'looks like the hot-wallet attack'));
    const c = q(h, `peg/withdrawal/${id}`);
    assert.equal(c.status, 'refunded');
    assert.deepEqual(c.history.map((x: { status: string }) => x.status), ['pending', 'delayed', 'cancelled', 'refunded']);
    assert.match(c.history[2].note, /looks like the hot-wallet attack/);
    assert.equal(bal(h, ALICE, BTC), 20n * BNB);
    assert.equal(q(h, 'peg/asset/BTC').escrow, '0.00000000');
    assert.equal(events(h, 'peg_withdrawal_refunded').length, 1);

    const r2 = await ok(h, ALICE, withdraw(ALICE, 7n * BNB));
    const id2 = BigInt(JSON.parse(new TextDecoder().decode(r2.data)).id);
    for (let i = 0; i < 9; i++) await block(h, []);
    assert.equal(q(h, `peg/withdrawal/${id2}`).status, 'delayed');
    await block(h, []);
    assert.equal(q(h, `peg/withdrawal/${id2}`).status, 'ready');
    // a ready request can no longer be cancelled (it may be paid already)
    await fails(h, C[2]!, cancel(C[2]!, id2), peg('invalidWithdrawalState'));
    await ok(h, C[0]!, attestPayout(C[0]!, id2, txid(77)));
    await ok(h, C[1]!, attestPayout(C[1]!, id2, txid(77)));
    assert.equal(q(h, `peg/withdrawal/${id2}`).status, 'completed');
  });

  it('governance refunds a request only after the timeout', async () => {
    const h = await funded();
    await mint(h, { txid: txid(1), to: ALICE, amount: 2n * BNB });
    await ok(h, ALICE, withdraw(ALICE, BNB));
    await fails(h, GOV, govAction({ type: 'peg/refund', request_id: '1' }), peg('timeoutNotReached'));
    for (let i = 0; i < 20; i++) await block(h, []);
    await ok(h, GOV, govAction({ type: 'peg/refund', request_id: '1' }));
    assert.equal(bal(h, ALICE, BTC), 2n * BNB);
    assert.equal(q(h, 'peg/withdrawal/1').status, 'refunded');
  });

  it('a withdrawal above a network\'s attested reserve is refused while the other network of the asset pays it', async () => {
    const h = await newPegApp();
    await setReserves(h, 'USDT', 'omni', 100n * BNB, 500n);
    await setReserves(h, 'USDT', 'erc20', 1000n * BNB, 9000n);
    await mint(h, { asset: 'USDT', network: 'erc20', txid: txid(3), to: ALICE, amount: 500n * BNB });
    assert.equal(bal(h, ALICE, USDT), 500n * BNB);
    const log = await fails(h, ALICE, withdraw(ALICE, 200n * BNB, { asset: 'USDT', network: 'omni' }), peg('reserveExceeded'));
    assert.match(log, /omni can pay at most 100\.00000000 USDT/);
    assert.match(log, /erc20 has 1000\.00000000 available/);
    await ok(h, ALICE, withdraw(ALICE, 200n * BNB, { asset: 'USDT', network: 'erc20', to: '0x' + 'ab'.repeat(20) }));
    // omni still pays what its reserve covers, and what is owed counts against it
    await ok(h, ALICE, withdraw(ALICE, 60n * BNB, { asset: 'USDT', network: 'omni' }));
    await fails(h, ALICE, withdraw(ALICE, 60n * BNB, { asset: 'USDT', network: 'omni' }), peg('reserveExceeded'), 'omni can pay at most 40.00000000');
    // 6 decimals on erc20: a payable amount only; an EVM address only
    await fails(h, ALICE, withdraw(ALICE, 1n, { asset: 'USDT', network: 'erc20', to: '0x' + 'ab'.repeat(20) }), peg('invalidAmount'), 'multiple of 0.00000100');
    await fails(h, ALICE, withdraw(ALICE, BNB, { asset: 'USDT', network: 'erc20', to: '1BoatSLRHtKNngkdXEeobR76b53LETtpyT' }), peg('invalidExtAddress'));
    const res = q(h, 'peg/reserves').find((x: { asset: string }) => x.asset === 'USDT');
    assert.deepEqual(
      res.networks.map((n: { name: string; available: string }) => [n.name, n.available]),
      [['omni', '40.00000000'], ['erc20', '800.00000000']],
    );
  });

  it('stale and conflicting reserve claims', async () => {
    const h = await funded();
    await fails(h, C[0]!, { type: 'peg/AttestReserves', from: C[0]!.addr, asset: 'BTC', network: 'bitcoin', amount: 5n, ext_height: 100n }, peg('staleReserve'));
    await ok(h, C[0]!, { type: 'peg/AttestReserves', from: C[0]!.addr, asset: 'BTC', network: 'bitcoin', amount: 5n, ext_height: 101n });
    await ok(h, C[1]!, { type: 'peg/AttestReserves', from: C[1]!.addr, asset: 'BTC', network: 'bitcoin', amount: 6n, ext_height: 101n });
    assert.equal(events(h, 'peg_reserve_conflict').length, 1);
    await fails(h, C[2]!, { type: 'peg/AttestReserves', from: C[2]!.addr, asset: 'BTC', network: 'bitcoin', amount: 5n, ext_height: 101n }, peg('reserveConflict'));
    assert.equal(q(h, 'peg/reserves')[0].networks[0].reserve, '1000.00000000');
  });

  it('coverage below 100 %: an event, and mints beyond coverage wait', async () => {
    const h = await funded();
    await mint(h, { txid: txid(1), to: ALICE, amount: 10n * BNB });
    await setReserves(h, 'BTC', 'bitcoin', 8n * BNB, 200n);
    const low = events(h, 'peg_coverage_low');
    assert.equal(low.length, 1);
    assert.equal(low[0]!.coverage_bps, '8000');
    await mint(h, { txid: txid(2), to: BOB, amount: BNB });
    assert.equal(bal(h, BOB, BTC), 0n);
    assert.equal(q(h, `peg/deposit/bitcoin:${txid(2)}:0`).status, 'queued');
    await setReserves(h, 'BTC', 'bitcoin', 11n * BNB, 201n);
    assert.equal(bal(h, BOB, BTC), BNB);
    assert.equal(events(h, 'peg_coverage_restored').length, 1);
  });
});

describe('modules/peg pause and governance', () => {
  it('a guardian pauses withdrawals; the token still moves and deposits still mint; only governance unpauses', async () => {
    const h = await funded();
    await mint(h, { txid: txid(1), to: ALICE, amount: 5n * BNB });
    await ok(h, C[1]!, pause(C[1]!, 'BTC', 'withdraw'));
    assert.equal(q(h, 'peg/asset/BTC').paused_withdrawals, true);
    await fails(h, ALICE, withdraw(ALICE, BNB), peg('paused'), 'DEX trading of');
    await ok(h, ALICE, { type: 'cosmos-sdk/Send', inputs: [{ address: ALICE.addr, coins: [{ denom: BTC, amount: BNB }] }], outputs: [{ address: BOB.addr, coins: [{ denom: BTC, amount: BNB }] }] });
    assert.equal(bal(h, BOB, BTC), BNB);
    await mint(h, { txid: txid(2), to: BOB, amount: BNB });
    assert.equal(bal(h, BOB, BTC), 2n * BNB);
    await ok(h, GOV, govAction({ type: 'peg/unpause', asset: 'BTC', direction: 'withdraw' }));
    await ok(h, ALICE, withdraw(ALICE, BNB));
  });

  it('paused deposits queue the approved mints until governance unpauses', async () => {
    const h = await funded();
    await ok(h, C[0]!, pause(C[0]!, 'BTC', 'deposit'));
    await mint(h, { txid: txid(3), to: ALICE, amount: BNB });
    assert.equal(bal(h, ALICE, BTC), 0n);
    await ok(h, GOV, govAction({ type: 'peg/unpause', asset: 'BTC', direction: 'deposit' }));
    await block(h, []);
    assert.equal(bal(h, ALICE, BTC), BNB);
  });

  it('a guardian threshold above one custodian needs several votes', async () => {
    const h = await funded({ params: { guardian_threshold: { num: 2, den: 3 } } });
    await ok(h, C[0]!, pause(C[0]!, 'BTC', 'both'));
    assert.equal(q(h, 'peg/asset/BTC').paused_deposits, false);
    await fails(h, C[0]!, pause(C[0]!, 'BTC', 'both'), peg('duplicateAttestation'));
    await ok(h, C[2]!, pause(C[2]!, 'BTC', 'both'));
    assert.equal(q(h, 'peg/asset/BTC').paused_deposits, true);
    assert.equal(q(h, 'peg/asset/BTC').paused_withdrawals, true);
  });

  it('a custodian set change takes effect only after the delay', async () => {
    const h = await funded();
    const X = USERS[10]!;
    await ok(h, GOV, govAction({ type: 'peg/custodian_set', custodians: [{ address: X.bech32, weight: 1 }, { address: C[0]!.bech32, weight: 1 }] }));
    assert.equal(q(h, 'peg/params').pending_custodian_set.custodians.length, 2);
    // not yet: X is no custodian, C[2] still is
    await fails(h, X, attestDeposit(X, { txid: txid(4), to: X, amount: BNB }), peg('notCustodian'));
    for (let i = 0; i < 4; i++) await block(h, []);
    assert.deepEqual(q(h, 'peg/custodians').map((c: { address: string }) => c.address).sort(), [X.bech32, C[0]!.bech32].sort());
    await fails(h, C[2]!, attestDeposit(C[2]!, { txid: txid(4), to: X, amount: BNB }), peg('notCustodian'));
    await ok(h, X, attestDeposit(X, { txid: txid(4), to: X, amount: BNB }));
    await ok(h, C[0]!, attestDeposit(C[0]!, { txid: txid(4), to: X, amount: BNB }));
    assert.equal(bal(h, X, BTC), BNB);
  });

  it('governance changes limits, networks, params and adds assets; bad actions are refused', async () => {
    const h = await funded();
    await ok(h, GOV, govAction({ type: 'peg/limits', asset: 'BTC', limits: { per_account_outflow: '5' } }));
    assert.equal(q(h, 'peg/limits/BTC').per_account_outflow, '0.00000005');
    await ok(h, GOV, govAction({ type: 'peg/network', asset: 'BTC', network: 'bitcoin', withdrawals_enabled: false, custody_addresses: ['bc1qnew000000000000000000000000000000000'] }));
    assert.equal(q(h, 'peg/asset/BTC').networks[0].withdrawals_enabled, false);
    await ok(h, GOV, govAction({ type: 'peg/add_asset', asset: { symbol: 'ETH', name: 'Pegged Ether', networks: [{ name: 'ethereum', kind: 'evm', decimals: 18 }] } }));
    assert.equal(q(h, 'peg/asset/ETH').supply, '0.00000000');
    await ok(h, GOV, govAction({ type: 'peg/params', params: { withdrawal_timeout_blocks: 50 } }));
    assert.equal(q(h, 'peg/params').withdrawal_timeout_blocks, '50');
    await fails(h, GOV, govAction({ type: 'peg/params', params: { attest_threshold: { num: 1, den: 2 } } }), peg('invalidGovAction'), 'more than 1/2');
    await fails(h, GOV, govAction({ type: 'peg/nope' }), peg('invalidGovAction'));
    await fails(h, GOV, { type: 'peg/GovAction', from: GOV.addr, action: 'not json' }, peg('invalidGovAction'));
  });

  it('the direct governance path is off without an authority', async () => {
    const h = await newPegApp({ params: { gov_authority: '' } });
    await fails(h, GOV, govAction({ type: 'peg/unpause', asset: 'BTC', direction: 'both' }), peg('govDisabled'));
  });
});
