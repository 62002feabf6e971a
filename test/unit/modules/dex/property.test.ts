/**
 * Property: random order flows (several accounts, two pairs, GTE/IOC, cancels) conserve every
 * token's supply, never make a balance negative, keep `locked` equal to what the open orders
 * hold, and give the same app hash on an app with a warm book cache and on one rebuilt from
 * state every block.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { memoryStateStore } from '../../../../src/state/index.js';
import { toHex } from '../../../../src/crypto/hash.js';
import { notional } from '../../../../src/modules/dex/match/index.js';
import { openOrdersOf } from '../../../../src/modules/dex/index.js';
import { GENESIS_MS, assertInvariants, key, runBlock } from '../../app/helpers.js';
import { ABC, BNB, Signer, XYZ, buildApp, dexGenesis, newDexApp, type DexGenesisOpts, type DexHarness } from './helpers.js';

const accounts = [key('pp-a'), key('pp-b'), key('pp-c'), key('pp-d')];
const PAIRS = [`${XYZ}_BNB`, `${ABC}_${XYZ}`];
const GEN: DexGenesisOpts = {
  bnb: accounts.map((k, i) => [k, BigInt(20 + i * 5) * BNB] as [typeof k, bigint]),
  tokens: [
    { symbol: XYZ, owner: accounts[0]!, supply: 400n * BNB },
    { symbol: ABC, owner: accounts[1]!, supply: 400n * BNB },
  ],
  pairs: [
    [XYZ, 'BNB', BNB],
    [ABC, 'BNB', BNB],
    [ABC, XYZ, BNB],
  ],
};

type Action =
  | { kind: 'order'; who: number; pair: number; side: 1 | 2; tick: number; lots: number; ioc: boolean }
  | { kind: 'cancel'; who: number; pick: number }
  | { kind: 'give'; from: number; to: number; token: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('order' as const), who: fc.nat(3), pair: fc.nat(1), side: fc.constantFrom(1 as const, 2 as const), tick: fc.integer({ min: -2, max: 2 }), lots: fc.integer({ min: 1, max: 40 }), ioc: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), who: fc.nat(3), pick: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('give' as const), from: fc.nat(1), to: fc.nat(3), token: fc.nat(1) }) },
);

function send(s: Signer, from: (typeof accounts)[number], to: (typeof accounts)[number], token: string): Uint8Array {
  const amount = 10n * BNB;
  return s.sign(from, {
    type: 'cosmos-sdk/Send',
    inputs: [{ address: from.addr, coins: [{ denom: token, amount }] }],
    outputs: [{ address: to.addr, coins: [{ denom: token, amount }] }],
  });
}

/** Σ over open orders of what they hold locked, per account and denom. */
function expectedLocks(h: DexHarness): Map<string, bigint> {
  const m = new Map<string, bigint>();
  const kv = h.store.committed();
  for (const k of accounts) {
    for (const o of openOrdersOf(kv, k.addr)) {
      const [base, quote] = o.symbol.split('_') as [string, string];
      const denom = o.side === 1 ? quote : base;
      const amt = o.side === 1 ? notional(o.price, o.qty) - notional(o.price, o.cumQty) : o.qty - o.cumQty;
      const id = `${toHex(k.addr)}/${denom}`;
      m.set(id, (m.get(id) ?? 0n) + amt);
    }
  }
  return m;
}

function actualLocks(h: DexHarness): Map<string, bigint> {
  const m = new Map<string, bigint>();
  for (const k of accounts) {
    for (const c of h.app.bank.getAccount(h.store.committed(), k.addr)?.locked ?? []) m.set(`${toHex(k.addr)}/${c.denom}`, c.amount);
  }
  return m;
}

describe('dex property: random order flows', () => {
  const stats = { trades: 0, ok: 0, failed: 0 };
  after(() => { assert.ok(stats.trades > 20 && stats.ok > stats.failed, `too few trades: ${JSON.stringify(stats)}`); });
  it('conserve supplies, keep balances non-negative, locks consistent; warm and cold caches agree', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(action, { minLength: 1, maxLength: 6 }), { minLength: 3, maxLength: 6 }), async (blocks) => {
        const warm = await newDexApp(GEN);
        const coldStore = memoryStateStore();
        const cold0 = buildApp(coldStore);
        await cold0.app.initChain(dexGenesis(GEN));
        let cold: DexHarness = { ...cold0, store: coldStore, height: 0, timeMs: GENESIS_MS };
        const s = new Signer(warm);
        await runBlock(warm, []);
        await runBlock(cold, []);
        // spread the tokens: every account holds some of each
        const spread = [
          ...[1, 2, 3].map((i) => send(s, accounts[0]!, accounts[i]!, XYZ)),
          ...[0, 2, 3].map((i) => send(s, accounts[1]!, accounts[i]!, ABC)),
        ];
        for (const tx of spread) {
          const a = await runBlock(warm, [tx]);
          await runBlock(cold, [tx]);
          assert.equal(a.txResults[0]!.code, 0, a.txResults[0]!.log);
        }
        const ids: string[][] = accounts.map(() => []);
        let day = 0;
        for (const acts of blocks) {
          const txs: Uint8Array[] = [];
          const busy = new Set<number>(); // one tx per account per block: a failure never shifts later sequences
          for (const a of acts) {
            const who = a.kind === 'give' ? a.token : a.who;
            if (busy.has(who)) continue;
            busy.add(who);
            if (a.kind === 'order') {
              const pair = PAIRS[a.pair]!;
              const price = BNB + BigInt(a.tick) * 1_000_000n;
              const o = s.order(accounts[a.who]!, pair, a.side, price, BigInt(a.lots) * 10_000_000n, a.ioc ? 3 : 1);
              ids[a.who]!.push(`${pair}|${o.id}`);
              txs.push(o.tx);
            } else if (a.kind === 'cancel') {
              const list = ids[a.who]!;
              if (list.length === 0) continue;
              const [pair, id] = list[a.pick % list.length]!.split('|') as [string, string];
              txs.push(s.cancel(accounts[a.who]!, pair, id));
            } else {
              txs.push(send(s, accounts[a.token]!, accounts[a.to]!, a.token === 0 ? XYZ : ABC));
            }
          }
          // every few blocks cross a UTC day so breathe-block work runs too
          day++;
          const timeMs = GENESIS_MS + Math.floor(day / 3) * 86_400_000 + day * 1000;
          const r1 = await runBlock(warm, txs, { timeMs });
          const r2 = await runBlock(cold, txs, { timeMs });
          assert.equal(toHex(r1.appHash), toHex(r2.appHash), 'warm and cold caches diverged');
          assert.deepEqual(r1.txResults.map((r) => r.code), r2.txResults.map((r) => r.code));
          // failed txs leave no sequence bump: resync the signer
          if (r1.txResults.some((r) => r.code !== 0)) (s as unknown as { seq: Map<string, bigint> }).seq.clear();
          assertInvariants(warm);
          for (const e of r1.events) if (e.type === 'dex_trade') stats.trades++;
          for (const r of r1.txResults) if (r.code !== 0) stats.failed++; else stats.ok++;
          assert.deepEqual(actualLocks(warm), expectedLocks(warm));
          // a fresh app over the same store: the next block rebuilds every book from state
          const next = buildApp(coldStore);
          cold = { ...cold, app: next.app, gov: next.gov, dex: next.dex };
        }
      }),
      { numRuns: 25, seed: 4242 },
    );
  });
});
