/** Peg/insurance codecs, queries, HTTP routes, genesis helper, insurance fund, gov hook. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { abciCode } from '../../../../src/errors.js';
import { decodeMsg, encodeMsg, msgSignJson, sortedJson } from '../../../../src/codec/index.js';
import { EventSink } from '../../../../src/app/context.js';
import { Overlay } from '../../../../src/app/overlay.js';
import { memoryStateStore } from '../../../../src/state/index.js';
import { DexApp } from '../../../../src/app/app.js';
import {
  PEG_PROPOSAL_KIND,
  addDefaultPegGenesis,
  pegDenom,
  pegGovExecutor,
  pegGovHook,
  pegModule,
  pegRoutes,
  type PegMsg,
} from '../../../../src/modules/peg/index.js';
import { INSURANCE_FUND_ADDRESS, InsuranceCode, insuranceGovExecutor, insuranceModule } from '../../../../src/modules/insurance/index.js';
import type { GenesisDoc } from '../../../../src/node/genesis-file.js';
import { countingVerifier, genesisDoc, view } from '../../app/helpers.js';
import { ALICE, BNB, BOB, C, GOV, bal, fails, mint, newPegApp, ok, q, setReserves, txid } from './helpers.js';

const HRP = 'tbnb';
const addr = (n: number) => new Uint8Array(20).fill(n);

describe('modules/peg codec', () => {
  const samples: PegMsg[] = [
    { type: 'peg/AttestDeposit', from: addr(1), asset: 'BTC', network: 'bitcoin', ext_tx_id: 'ab'.repeat(32), ext_index: 3n, recipient: addr(2), amount: 150_000_000n },
    { type: 'peg/Withdraw', from: addr(1), asset: 'USDT', network: 'erc20', ext_address: '0x' + '1'.repeat(40), amount: 5n },
    { type: 'peg/AttestWithdrawal', from: addr(1), request_id: 7n, ext_tx_id: 'cd'.repeat(32) },
    { type: 'peg/CancelWithdrawal', from: addr(1), request_id: 7n, reason: 'suspicious' },
    { type: 'peg/Pause', from: addr(1), asset: 'BTC', direction: 'withdraw' },
    { type: 'peg/AttestReserves', from: addr(1), asset: 'BTC', network: 'bitcoin', amount: 0n, ext_height: 800_000n },
    { type: 'peg/GovAction', from: addr(1), action: '{"type":"peg/unpause","asset":"BTC","direction":"both"}' },
  ];

  it('amino round trip and Go-style sign JSON (ints as numbers)', () => {
    for (const m of samples) {
      const b = encodeMsg(m);
      assert.deepEqual(decodeMsg(b), m);
    }
    const j = sortedJson(msgSignJson(samples[0]!, HRP));
    assert.match(j, /"amount":150000000,/);
    assert.match(j, /"ext_index":3,/);
    assert.match(j, /"from":"tbnb1/);
    const pay = { type: 'insurance/GovPayout' as const, from: addr(1), recipient: addr(2), amount: [{ denom: 'BNB', amount: 5n }], reason: 'loss' };
    assert.deepEqual(decodeMsg(encodeMsg(pay)), pay);
    assert.match(sortedJson(msgSignJson(pay, HRP)), /"amount":\[\{"amount":5,"denom":"BNB"\}\]/);
  });

  it('garbage never crashes the decoder, only clear errors', () => {
    const prefix = encodeMsg(samples[0]!).subarray(0, 4);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (tail) => {
        const b = new Uint8Array(4 + tail.length);
        b.set(prefix);
        b.set(tail, 4);
        try {
          decodeMsg(b);
        } catch (e) {
          assert.equal((e as { codespace?: string }).codespace, 'root');
        }
      }),
    );
  });
});

describe('modules/peg queries and routes', () => {
  it('abci routes and /api/v1 routes agree', async () => {
    const h = await newPegApp({ insurance: { fee_share_bps: 1000 } });
    await setReserves(h, 'BTC', 'bitcoin', 100n * BNB, 10n);
    await mint(h, { txid: txid(1), to: ALICE, amount: 3n * BNB });
    await ok(h, ALICE, { type: 'peg/Withdraw', from: ALICE.addr, asset: 'BTC', network: 'bitcoin', ext_address: '1BoatSLRHtKNngkdXEeobR76b53LETtpyT', amount: BNB });
    const route = pegRoutes(h.app);
    const get = (path: string, qs = '') => route(path, new URLSearchParams(qs));
    assert.deepEqual(get('peg/assets')!.body, q(h, 'peg/assets'));
    const d = get(`peg/deposits/bitcoin:${txid(1)}:0`)!;
    assert.equal(d.status, 200);
    assert.equal((d.body as { status: string }).status, 'minted');
    assert.equal(get('peg/deposits/bitcoin:ff:0')!.status, 404);
    const ws = get('peg/withdrawals', `address=${ALICE.bech32}&status=ready`)!.body as { id: string; amount: string }[];
    assert.deepEqual(ws.map((w) => [w.id, w.amount]), [['1', '1.00000000']]);
    assert.deepEqual(get('peg/withdrawals', 'status=completed')!.body, []);
    assert.equal((get('peg/withdrawals/1')!.body as { status: string }).status, 'ready');
    const r = get('peg/reserves')!.body as { asset: string; coverage_bps: number }[];
    assert.equal(r[0]!.coverage_bps, Math.floor((100 * 10_000) / 3));
    const l = get('peg/limits', `asset=BTC&address=${ALICE.bech32}`)!.body as { account_window: { used: string } };
    assert.equal(l.account_window.used, '1.00000000');
    assert.equal(get('peg/limits')!.status, 200);
    assert.equal(get('peg/withdrawals', 'address=nope')!.status, 400);
    assert.equal(get('peg/nothing'), undefined);
    assert.equal(get('markets'), undefined);
    const ins = get('insurance')!.body as { address: string; fee_share_bps: number };
    assert.equal(ins.fee_share_bps, 1000);
    assert.deepEqual(q(h, 'peg/invariants'), []);
    assert.equal(q(h, `peg/deposits/${ALICE.bech32}`).length, 1);
  });
});

describe('modules/peg genesis helper', () => {
  it('addDefaultPegGenesis: three custodians, BTC on bitcoin, USDT on omni + erc20; the chain starts', async () => {
    const doc = genesisDoc() as unknown as GenesisDoc;
    addDefaultPegGenesis(doc, C.map((c) => c.bech32));
    const p = doc.app_state.peg as { custodians: unknown[]; assets: { symbol: string; networks: { name: string }[] }[] };
    assert.equal(p.custodians.length, 3);
    assert.deepEqual(p.assets.map((a) => [a.symbol, a.networks.map((n) => n.name)]), [['BTC', ['bitcoin']], ['USDT', ['omni', 'erc20']]]);
    const app = new DexApp({ store: memoryStateStore(), verifier: countingVerifier() });
    await app.initChain(doc);
    assert.equal(app.queries.token(pegDenom('USDT'))!.original_symbol, 'USDT');
    assert.throws(() => addDefaultPegGenesis(doc, []), /at least one custodian/);
  });

  it('bad peg genesis is refused with the path', async () => {
    const doc = genesisDoc() as Record<string, unknown>;
    (doc.app_state as Record<string, unknown>).peg = { custodians: [{ address: C[0]!.bech32 }], params: { attest_threshold: { num: 1, den: 2 } } };
    const app = new DexApp({ store: memoryStateStore(), verifier: countingVerifier() });
    await assert.rejects(app.initChain(doc), /app_state\.peg\.params: attest_threshold 1\/2 must be more than 1\/2/);
  });
});

describe('modules/insurance', () => {
  it('takes its share of every block\'s fees; pays out only on governance\'s word', async () => {
    const h = await newPegApp({ insurance: { fee_share_bps: 2500, gov_authority: GOV.bech32 } });
    await setReserves(h, 'BTC', 'bitcoin', 100n * BNB, 10n);
    await mint(h, { txid: txid(1), to: ALICE, amount: 3n * BNB });
    // a withdrawal pays 0.01 BNB; a send 0.000625 BNB
    await ok(h, ALICE, { type: 'peg/Withdraw', from: ALICE.addr, asset: 'BTC', network: 'bitcoin', ext_address: '1BoatSLRHtKNngkdXEeobR76b53LETtpyT', amount: BNB });
    assert.equal(bal(h, INSURANCE_FUND_ADDRESS, 'BNB'), 250_000n);
    await ok(h, ALICE, { type: 'cosmos-sdk/Send', inputs: [{ address: ALICE.addr, coins: [{ denom: 'BNB', amount: 1n }] }], outputs: [{ address: BOB.addr, coins: [{ denom: 'BNB', amount: 1n }] }] });
    assert.equal(bal(h, INSURANCE_FUND_ADDRESS, 'BNB'), 250_000n + 15_625n);
    const ins = q(h, 'insurance');
    assert.deepEqual(ins.received, [{ denom: 'BNB', amount: '0.00265625' }]);
    const pay = (from: typeof GOV, amount: bigint) => ({ type: 'insurance/GovPayout' as const, from: from.addr, recipient: BOB.addr, amount: [{ denom: 'BNB', amount }], reason: 'hot wallet loss' });
    await fails(h, ALICE, pay(ALICE, 1n), abciCode('insurance', InsuranceCode.notAuthorized));
    await fails(h, GOV, pay(GOV, 10n * BNB), abciCode('insurance', InsuranceCode.insufficientFund));
    const before = bal(h, BOB, 'BNB');
    await ok(h, GOV, pay(GOV, 200_000n));
    assert.equal(bal(h, BOB, 'BNB') - before, 200_000n);
    const after = q(h, 'insurance');
    assert.equal(after.payouts.length, 1);
    assert.equal(after.payouts[0].reason, 'hot wallet loss');
    assert.deepEqual(after.paid, [{ denom: 'BNB', amount: '0.00200000' }]);
  });

  it('without an authority only a proposal pays', async () => {
    const h = await newPegApp();
    await fails(h, GOV, { type: 'insurance/GovPayout', from: GOV.addr, recipient: BOB.addr, amount: [{ denom: 'BNB', amount: 1n }], reason: '' }, abciCode('insurance', InsuranceCode.govDisabled));
  });
});

describe('modules/peg gov hook', () => {
  it('validates proposals at submission and runs passed ones in an overlay (a refused action leaves no trace)', async () => {
    const h = await newPegApp();
    await setReserves(h, 'BTC', 'bitcoin', 100n * BNB, 10n);
    const hook = pegGovHook([pegGovExecutor(h.peg), insuranceGovExecutor(h.ins)], () => h.app.chain());
    assert.throws(() => hook.validateProposal(view(h), 0, PEG_PROPOSAL_KIND, '{"type":"peg/what"}'), /unknown peg action/);
    assert.throws(() => hook.validateProposal(view(h), 0, PEG_PROPOSAL_KIND, 'nope'), /not JSON/);
    hook.validateProposal(view(h), 0, 0x01, 'a text proposal is none of our business');
    const kv = new Overlay(view(h));
    const events = new EventSink();
    const ctx = { kv, chain: h.app.chain(), block: { height: h.height + 1, timeMs: h.timeMs + 1000, prevTimeMs: h.timeMs, breathe: false, proposerAddress: new Uint8Array(), lastCommitVotes: [], misbehavior: [], hash: '' }, events, fees: undefined as never, logger: undefined as never, history: undefined as never };
    hook.proposalPassed(ctx, { id: 9n, kind: PEG_PROPOSAL_KIND, description: JSON.stringify({ type: 'peg/refund', request_id: '77' }) });
    assert.equal(events.events.at(-1)!.type, 'peg_gov_failed');
    assert.equal(kv.size, 0);
    hook.proposalPassed(ctx, { id: 10n, kind: PEG_PROPOSAL_KIND, description: JSON.stringify({ type: 'peg/limits', asset: 'BTC', limits: { delay_blocks: 42 } }) });
    assert.equal(events.events.at(-1)!.type, 'peg_gov_executed');
    assert.equal(h.peg.asset(kv, 'BTC')!.limits.delayBlocks, 42n);
    assert.ok(events.events.some((e) => e.type === 'peg_limits_changed' && e.attributes.some((a) => a.value === 'proposal:10')));
  });
});

