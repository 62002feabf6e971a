/** App: block flow, fee distribution, genesis, queries, determinism, persistence, module API. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RootCode, abciCode } from '../../../src/errors.js';
import { decodeAppAccount, encodeAddress, getMsgDef, registerMsg } from '../../../src/codec/index.js';
import type { Msg, NewOrderMsg } from '../../../src/codec/types.js';
import { toHex } from '../../../src/crypto/hash.js';
import { memoryStateStore, openStateStore } from '../../../src/state/index.js';
import { DexApp, isBreatheBlock } from '../../../src/app/app.js';
import { FEE_COLLECTOR } from '../../../src/app/fees.js';
import { validateGenesis } from '../../../src/app/genesis.js';
import { EndBlockOrder } from '../../../src/app/router.js';
import { FeeFor } from '../../../src/modules/params/index.js';
import {
  BNB,
  GENESIS_MS,
  TREASURY,
  VAL1,
  VAL2,
  VAL3,
  assertInvariants,
  bal,
  countingVerifier,
  deliverOk,
  genesisDoc,
  key,
  newApp,
  runBlock,
  signNext,
  signTx,
  validator,
  type Harness,
} from './helpers.js';

const alice = key('alice');
const bob = key('bob');
const send = (amount: bigint): Msg => ({
  type: 'cosmos-sdk/Send',
  inputs: [{ address: alice.addr, coins: [{ denom: 'BNB', amount }] }],
  outputs: [{ address: bob.addr, coins: [{ denom: 'BNB', amount }] }],
});
const issue = (symbol: string): Msg => ({ type: 'tokens/IssueMsg', from: alice.addr, name: 'T', symbol, total_supply: BNB, mintable: false });

describe('app: breathe block', () => {
  it('is the first block of a new UTC day', () => {
    const day = 86_400_000;
    assert.equal(isBreatheBlock(0, 5), false);
    assert.equal(isBreatheBlock(day - 1, day), true);
    assert.equal(isBreatheBlock(day, day + 1000), false);
    assert.equal(isBreatheBlock(day * 5 + 10, day * 7), true);
  });

  it('module hooks see the flag', async () => {
    const h = await newApp({ bnb: [[alice, 10n * BNB]] });
    const seen: boolean[] = [];
    // modules register before genesis in real use; hooks only run per block, so late is fine here
    h.app.registerModule({ name: 'probe', endBlock: { order: 1, run: (ctx) => void seen.push(ctx.block.breathe) } });
    await runBlock(h, []); // 00:00:01 on genesis day (genesis at 00:00:00)
    await runBlock(h, [], { timeMs: GENESIS_MS + 86_400_000 + 5 });
    await runBlock(h, []);
    assert.deepEqual(seen, [false, true, false]);
  });
});

describe('app: fee distribution', () => {
  async function setup(params?: unknown): Promise<Harness> {
    const h = await newApp({ bnb: [[alice, 10_000n * BNB]], params });
    await runBlock(h, []); // so later blocks carry last-commit votes
    return h;
  }

  it('FeeForProposer: all to the proposer fee address', async () => {
    const h = await setup();
    const before = [VAL1, VAL2, VAL3].map((v) => bal(h, v.operator));
    await runBlock(h, [signNext(h, alice, send(1n)), signTx(alice.priv, send(1n), { accountNumber: 0, sequence: 1 })], { proposer: VAL3 });
    assert.deepEqual([VAL1, VAL2, VAL3].map((v, i) => bal(h, v.operator) - before[i]!), [0n, 0n, 125_000n]);
    assertInvariants(h);
  });

  it('FeeForAll if any FeeForAll fee is in the block: whole pool split, remainder to the proposer', async () => {
    const h = await setup();
    const before = [VAL1, VAL2, VAL3].map((v) => bal(h, v.operator));
    const t1 = signNext(h, alice, send(1n));
    const t2 = signTx(alice.priv, issue('ABC'), { accountNumber: 0, sequence: 1 });
    await runBlock(h, [t1, t2], { proposer: VAL1 });
    const pool = 62_500n + 100_000_000_000n;
    const each = pool / 3n;
    assert.deepEqual([VAL1, VAL2, VAL3].map((v, i) => bal(h, v.operator) - before[i]!), [each + (pool - each * 3n), each, each]);
    assertInvariants(h);
  });

  it('only the validators in the last commit share; with no votes the proposer takes all', async () => {
    const h = await setup();
    const before = [VAL1, VAL2, VAL3].map((v) => bal(h, v.operator));
    await runBlock(h, [signNext(h, alice, issue('ABC'))], { proposer: VAL3, votes: [VAL1, VAL3] });
    assert.deepEqual([VAL1, VAL2, VAL3].map((v, i) => bal(h, v.operator) - before[i]!), [50_000_000_000n, 0n, 50_000_000_000n]);
    await runBlock(h, [signNext(h, alice, issue('ABD'))], { proposer: VAL2, votes: [] });
    assert.equal(bal(h, VAL2.operator) - before[1]!, 100_000_000_000n);
  });

  it('when every share rounds to 0 the proposer gets everything (fee table from genesis params)', async () => {
    const h = await setup({ fees: { fixed_fee_params: [{ msg_type: 'issueMsg', fee: '2', fee_for: FeeFor.All }] } });
    const before = bal(h, VAL2.operator);
    await runBlock(h, [signNext(h, alice, issue('ABC'))], { proposer: VAL2 });
    assert.equal(bal(h, VAL2.operator) - before, 2n);
    assert.equal(bal(h, alice), 10_000n * BNB - 2n);
    assert.deepEqual(
      h.app.queries.fees().fixed_fee_params.find((p) => p.msg_type === 'issueMsg'),
      { msg_type: 'issueMsg', fee: '2', fee_for: 2 },
    );
  });

  it('an unknown proposer: fees go to the fee collector, supplies stay whole', async () => {
    const h = await setup();
    await runBlock(h, [signNext(h, alice, send(1n))], { proposer: validator('stranger') });
    assert.equal(bal(h, FEE_COLLECTOR), 62_500n);
    assertInvariants(h);
  });

  it('failed txs pay nothing into the pool', async () => {
    const h = await setup();
    const before = bal(h, VAL1.operator);
    const res = await runBlock(h, [signTx(alice.priv, send(1n), { accountNumber: 0, sequence: 5 })]);
    assert.equal(res.txResults[0]!.code, abciCode('root', RootCode.invalidSequence));
    assert.equal(bal(h, VAL1.operator), before);
  });
});

describe('app: genesis', () => {
  const base = () => genesisDoc({ bnb: [[alice, 10n * BNB]] }) as { app_state: Record<string, unknown> } & Record<string, unknown>;
  const bad = (mut: (g: ReturnType<typeof base>) => void, re: RegExp) => {
    const g = base();
    mut(g);
    assert.throws(() => validateGenesis(g), re);
  };

  it('accepts the helper genesis and lists validators in initChain', async () => {
    const app = new DexApp({ store: memoryStateStore(), verifier: countingVerifier() });
    const res = await app.initChain(base());
    assert.equal(res.validators.length, 3);
    assert.equal(res.appHash.length, 32);
    assert.equal(app.info().chainId, 'Binance-Chain-Ganges');
    await assert.rejects(app.initChain(base()), /already applied/);
  });

  it('reports problems with the field path', () => {
    bad((g) => (g.chain_id = ''), /chain_id/);
    bad((g) => (g.address_prefix = 'cosmos'), /address_prefix/);
    bad((g) => (g.genesis_time = 'yesterday'), /genesis_time/);
    bad((g) => (g.app_state.tokens = (g.app_state.tokens as unknown[]).slice(1)), /tokens\[0\]|native token BNB must be listed|no token BNB/);
    bad((g) => ((g.app_state.accounts as { coins: { amount: string }[] }[])[0]!.coins[0]!.amount = '1'), /balances of BNB sum to/);
    bad((g) => ((g.app_state.accounts as { address: string }[])[0]!.address = alice.bech32.replace('tbnb', 'bnb')), /accounts\[0\]\.address/);
    bad((g) => ((g.app_state.validators as { consensus_pub_key: string }[])[0]!.consensus_pub_key = 'AAAA'), /validators\[0\]\.consensus_pub_key/);
    bad((g) => ((g.app_state.validators as { power: string }[])[0]!.power = '0'), /validators\[0\]\.power/);
    bad((g) => ((g.app_state.tokens as { mintable: boolean }[])[0]!.mintable = true), /BNB is not mintable/);
    bad((g) => ((g.app_state.tokens as { total_supply: string }[])[0]!.total_supply = '99999999999999999999'), /overflows int64/);
    bad((g) => (g.app_state.params = { fees: { fixed_fee_params: [{ msg_type: 'x', fee: '1', fee_for: 7 }] } }), /fee_for/);
  });
});

describe('app: queries', () => {
  it('tokens/info and tokens/list with or without the leading slash; unknown paths get a code', async () => {
    const h = await newApp({ bnb: [[alice, 10_000n * BNB]] });
    await deliverOk(h, signNext(h, alice, issue('ABC')));
    const a = h.app.query('/tokens/info/BNB', new Uint8Array());
    const b = h.app.query('tokens/info/BNB', new Uint8Array());
    assert.equal(a.code, 0);
    assert.deepEqual(a.value, b.value);
    const list = h.app.query('tokens/list/0/10', new Uint8Array());
    assert.equal(list.code, 0);
    assert.ok(list.value.length > 20);
    assert.equal(h.app.queries.tokens(0, 10).length, 2);
    assert.equal(h.app.queries.tokens(1, 10).length, 1);
    assert.notEqual(h.app.query('/tokens/info/NOPE-000', new Uint8Array()).code, 0);
    assert.equal(h.app.query('/nothing/here', new Uint8Array()).code, abciCode('root', RootCode.unknownRequest));
    assert.equal(h.app.query('/tokens/list/0/0', new Uint8Array()).code, abciCode('root', RootCode.invalidRequest));
    assert.equal(h.app.queries.account(key('ghost').bech32), undefined);
    const acct = h.app.queries.account(alice.bech32)!;
    assert.equal(acct.account_number, 0);
    assert.equal(acct.sequence, 1);
    assert.deepEqual(acct.public_key, [...alice.pub]);
    assert.equal(h.app.queries.validators().length, 3);
  });

  it('before the first block, queries and checkTx see genesis', async () => {
    const h = await newApp({ bnb: [[alice, 10n * BNB]] });
    const q = h.app.query(`/account/${alice.bech32}`, new Uint8Array());
    assert.equal(q.code, 0);
    assert.equal(decodeAppAccount(q.value).coins[0]!.amount, 10n * BNB);
    assert.equal(h.app.checkTx(signNext(h, alice, send(1n)), 'new').code, 0);
  });
});

describe('app: determinism and persistence', () => {
  async function script(h: Harness): Promise<string[]> {
    const hashes: string[] = [];
    const blocks: Uint8Array[][] = [
      [signTx(alice.priv, send(5n), { accountNumber: 0, sequence: 0 }), signTx(alice.priv, issue('ABC'), { accountNumber: 0, sequence: 1 })],
      [signTx(alice.priv, send(7n), { accountNumber: 0, sequence: 2 }), signTx(bob.priv, send(1n), { accountNumber: 9, sequence: 0 })],
      [],
    ];
    for (const txs of blocks) {
      const r = await runBlock(h, txs);
      hashes.push(toHex(r.appHash));
    }
    return hashes;
  }

  it('the same txs on two fresh apps give the same app hashes', async () => {
    const a = await newApp({ bnb: [[alice, 10_000n * BNB]] });
    const b = await newApp({ bnb: [[alice, 10_000n * BNB]] });
    const ha = await script(a);
    const hb = await script(b);
    assert.deepEqual(ha, hb);
    assert.equal(new Set(ha).size, 3);
    assert.equal(toHex(a.app.info().lastBlockAppHash), ha[2]);
    // a different tx order gives a different hash
    const c = await newApp({ bnb: [[alice, 10_000n * BNB]] });
    await runBlock(c, [signTx(alice.priv, send(6n), { accountNumber: 0, sequence: 0 })]);
    assert.notEqual(toHex(c.app.info().lastBlockAppHash), ha[0]);
  });

  it('LevelDB store: same hashes as memory; after reopening, info and state come back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dexapp-'));
    try {
      const store = await openStateStore(dir, { sync: false });
      const h = await newApp({ bnb: [[alice, 10_000n * BNB]] }, store);
      const disk = await script(h);
      const mem = await script(await newApp({ bnb: [[alice, 10_000n * BNB]] }));
      assert.deepEqual(disk, mem);
      await store.close();
      const store2 = await openStateStore(dir, { sync: false });
      const app2 = new DexApp({ store: store2, verifier: countingVerifier() });
      const info = app2.info();
      assert.equal(info.lastBlockHeight, 3);
      assert.equal(info.chainId, 'Binance-Chain-Ganges');
      assert.equal(toHex(info.lastBlockAppHash), disk[2]);
      assert.equal(app2.queries.account(bob.bech32)!.balances[0]!.free, '0.00000012');
      const h2: Harness = { app: app2, store: store2, verifier: countingVerifier(), height: 3, timeMs: h.timeMs };
      await deliverOk(h2, signTx(alice.priv, send(1n), { accountNumber: 0, sequence: 3 }));
      await store2.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finalizeBlock twice without commit, or at the wrong height, is refused', async () => {
    const h = await newApp({ bnb: [[alice, 10n * BNB]] });
    const req = { height: 1, timeMs: GENESIS_MS + 1, proposerAddress: VAL1.consAddr, txs: [], lastCommitVotes: [], misbehavior: [], hash: '' };
    assert.throws(() => h.app.finalizeBlock({ ...req, height: 2 }), /expected 1/);
    h.app.finalizeBlock(req);
    assert.throws(() => h.app.finalizeBlock(req), /not committed/);
    await h.app.commit();
    await assert.rejects(h.app.commit(), /without a finalized block/);
  });
});

describe('app: module registration', () => {
  it('a later module registers a handler, a fee key, end-block hook order and a query route', async () => {
    // A msg type of its own, registered with the codec the way a new module does.
    interface ProbeMsg { type: 'test/Probe'; from: Uint8Array; note: string }
    if (!getMsgDef('test/Probe')) {
      registerMsg<ProbeMsg>({
        type: 'test/Probe',
        encodeFields(w, m) {
          w.bytes(1, m.from);
          w.string(2, m.note);
        },
        decodeFields: (r) => ({ type: 'test/Probe', from: r.bytes(1), note: r.string(2) }),
        signJson: (m, hrp) => ({ from: encodeAddress(m.from, hrp), note: m.note }),
      });
    }
    const h = await newApp({ bnb: [[alice, 10n * BNB]] });
    const order: string[] = [];
    const seen: string[] = [];
    h.app.registerModule({
      name: 'probe',
      handlers: [
        {
          type: 'test/Probe',
          feeKey: 'probe',
          route: 'probe',
          signers: (m: { type: string }) => [(m as ProbeMsg).from],
          handle(ctx, msg: { type: string }) {
            const m = msg as ProbeMsg;
            seen.push(m.note);
            ctx.events.emit('probe', { note: m.note });
            return { data: new TextEncoder().encode(JSON.stringify({ note: m.note })) };
          },
        },
      ],
      endBlock: { order: EndBlockOrder.dexMatch + 1, run: () => void order.push('probe') },
      queries: [{ route: 'probe', handle: () => new Uint8Array([42]) }],
    });
    h.app.registerModule({ name: 'late', endBlock: { order: EndBlockOrder.staking + 1, run: () => void order.push('late') } });
    assert.throws(() => h.app.registerModule({ name: 'late' }), /already registered/);
    const r = await deliverOk(h, signNext(h, alice, { type: 'test/Probe', from: alice.addr, note: 'hello' } as unknown as NewOrderMsg));
    assert.equal(new TextDecoder().decode(r.data), JSON.stringify({ note: 'hello' }));
    assert.deepEqual(seen, ['hello']);
    assert.equal(bal(h, alice), 10n * BNB); // no fee key in the table: free
    assert.deepEqual(order, ['probe', 'late']);
    assert.deepEqual(h.app.query('probe/x', new Uint8Array()).value, new Uint8Array([42]));
  });
});
