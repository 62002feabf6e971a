/** Peg test harness: an app with the peg and insurance modules, custodians, users, invariants after every block. */
import assert from 'node:assert/strict';
import { DexApp } from '../../../../src/app/app.js';
import type { FinalizeBlockResponse, TxResult, AppEvent } from '../../../../src/app/abci.js';
import type { Msg } from '../../../../src/codec/types.js';
import { memoryStateStore } from '../../../../src/state/index.js';
import type { AppModule } from '../../../../src/app/router.js';
import {
  PegKeeper,
  pegDenom,
  pegInvariants,
  pegModule,
  type AttestDepositMsg,
  type AttestReservesMsg,
  type PegMsg,
} from '../../../../src/modules/peg/index.js';
import { InsuranceKeeper, insuranceFundBacked, insuranceModule } from '../../../../src/modules/insurance/index.js';
import { BNB, GENESIS_MS, countingVerifier, genesisDoc, key, runBlock, signTx, view, type GenesisOpts, type Harness, type Key } from '../../app/helpers.js';

export { BNB, key, type Key };
export const C = [key('custodian0'), key('custodian1'), key('custodian2')];
export const GOV = key('peg-gov');
export const USERS = Array.from({ length: 50 }, (_, i) => key(`peg-user-${i}`));
export const ALICE = USERS[0]!;
export const BOB = USERS[1]!;
export const OUTSIDER = key('outsider');
export const BTC = pegDenom('BTC');
export const USDT = pegDenom('USDT');

export interface PegHarness extends Harness {
  peg: PegKeeper;
  ins: InsuranceKeeper;
  /** Events of every block and tx since the start. */
  log: AppEvent[];
  /** Sequences already used by txs signed for the next block. */
  seq: Map<string, bigint>;
}

export interface PegOpts {
  btcLimits?: Record<string, unknown>;
  usdtLimits?: Record<string, unknown>;
  params?: Record<string, unknown>;
  insurance?: Record<string, unknown>;
  extraModules?: (app: DexApp) => AppModule[];
  extraGenesis?: (doc: Record<string, unknown>) => void;
  genesis?: Partial<GenesisOpts>;
}

export function pegGenesis(o: PegOpts = {}): Record<string, unknown> {
  return {
    custodians: C.map((c) => ({ address: c.bech32, weight: 1 })),
    params: { gov_authority: GOV.bech32, custodian_change_delay_blocks: 5, withdrawal_timeout_blocks: 20, ...(o.params ?? {}) },
    assets: [
      {
        symbol: 'BTC',
        name: 'Pegged Bitcoin',
        limits: { window_ms: 3_600_000, outflow_pct_bps: 0, min_withdrawal: 1000, ...(o.btcLimits ?? {}) },
        networks: [{ name: 'bitcoin', kind: 'bitcoin', custody_addresses: ['bc1qcustody0000000000000000000000000000000'], confirmations: 6 }],
      },
      {
        symbol: 'USDT',
        name: 'Pegged Tether',
        limits: { window_ms: 3_600_000, outflow_pct_bps: 0, ...(o.usdtLimits ?? {}) },
        networks: [
          { name: 'omni', kind: 'omni', confirmations: 6 },
          { name: 'erc20', kind: 'evm', decimals: 6, confirmations: 12 },
        ],
      },
    ],
  };
}

export async function newPegApp(o: PegOpts = {}): Promise<PegHarness> {
  const store = memoryStateStore();
  const verifier = countingVerifier();
  const app = new DexApp({ store, verifier });
  // the app carries the peg and insurance modules (and gov, dex) itself
  const pm = { keeper: app.peg };
  const im = { keeper: app.insurance };
  for (const m of o.extraModules?.(app) ?? []) app.registerModule(m);
  const doc = genesisDoc({
    bnb: [...C, GOV, OUTSIDER, ...USERS].map((k) => [k, 1000n * BNB] as [Key, bigint]),
    ...(o.genesis ?? {}),
  });
  const appState = doc.app_state as Record<string, unknown>;
  appState.peg = pegGenesis(o);
  if (o.insurance) appState.insurance = o.insurance;
  o.extraGenesis?.(doc);
  await app.initChain(doc);
  return { app, store, verifier, height: 0, timeMs: GENESIS_MS, peg: pm.keeper, ins: im.keeper, log: [], seq: new Map() };
}

export function assertAllInvariants(h: PegHarness): void {
  const kv = view(h);
  const breaches = [...h.app.checkInvariants(), ...pegInvariants(kv, h.peg)];
  const ins = insuranceFundBacked(kv, h.ins, true);
  if (ins) breaches.push(`insuranceFundBacked: ${ins}`);
  if (breaches.length) throw new Error(`invariants broken at height ${h.height}:\n${breaches.join('\n')}`);
}

/** Signs for the next block: consecutive txs of one signer get consecutive sequences. */
export function sign(h: PegHarness, k: Key, msg: PegMsg | Msg | { type: string }): Uint8Array {
  const a = h.app.bank.getAccount(view(h), k.addr);
  const id = k.bech32;
  const seq = h.seq.get(id) ?? a?.sequence ?? 0n;
  h.seq.set(id, seq + 1n);
  return signTx(k.priv, msg as Msg, { accountNumber: a?.accountNumber ?? 0n, sequence: seq });
}

/** Runs a block, checks every invariant, records events. */
export async function block(h: PegHarness, txs: Uint8Array[], timeMs?: number): Promise<FinalizeBlockResponse> {
  h.seq.clear();
  const res = await runBlock(h, txs, timeMs === undefined ? {} : { timeMs });
  for (const r of res.txResults) h.log.push(...r.events);
  h.log.push(...res.events);
  assertAllInvariants(h);
  return res;
}

/** One msg in its own block. */
export async function send(h: PegHarness, k: Key, msg: PegMsg | Msg | { type: string }): Promise<TxResult & { blockEvents: AppEvent[] }> {
  const res = await block(h, [sign(h, k, msg)]);
  return { ...res.txResults[0]!, blockEvents: res.events };
}

export async function ok(h: PegHarness, k: Key, msg: PegMsg | Msg | { type: string }): Promise<TxResult & { blockEvents: AppEvent[] }> {
  const r = await send(h, k, msg);
  if (r.code !== 0) throw new Error(`${msg.type} failed: code ${r.code}: ${r.log}`);
  return r;
}

export async function fails(h: PegHarness, k: Key, msg: PegMsg | Msg | { type: string }, code: number, logIncludes?: string | RegExp): Promise<string> {
  const r = await send(h, k, msg);
  assert.equal(r.code, code, `expected code ${code}, got ${r.code}: ${r.log}`);
  if (logIncludes instanceof RegExp) assert.match(r.log, logIncludes);
  else if (logIncludes) assert.ok(r.log.includes(logIncludes), `log ${JSON.stringify(r.log)} lacks ${JSON.stringify(logIncludes)}`);
  return r.log;
}

export function attestDeposit(from: Key, o: { asset?: string; network?: string; txid: string; index?: bigint; to: Key; amount: bigint }): AttestDepositMsg {
  return {
    type: 'peg/AttestDeposit',
    from: from.addr,
    asset: o.asset ?? 'BTC',
    network: o.network ?? 'bitcoin',
    ext_tx_id: o.txid,
    ext_index: o.index ?? 0n,
    recipient: o.to.addr,
    amount: o.amount,
  };
}

export function attestReserves(from: Key, asset: string, network: string, amount: bigint, extHeight: bigint): AttestReservesMsg {
  return { type: 'peg/AttestReserves', from: from.addr, asset, network, amount, ext_height: extHeight };
}

/** Two custodians (the 2/3 threshold) attest reserves in one block. */
export async function setReserves(h: PegHarness, asset: string, network: string, amount: bigint, extHeight: bigint): Promise<void> {
  const res = await block(h, [sign(h, C[0]!, attestReserves(C[0]!, asset, network, amount, extHeight)), sign(h, C[1]!, attestReserves(C[1]!, asset, network, amount, extHeight))]);
  for (const r of res.txResults) assert.equal(r.code, 0, r.log);
}

/** Two custodians attest a deposit in one block (it mints). */
export async function mint(h: PegHarness, o: Parameters<typeof attestDeposit>[1]): Promise<void> {
  const res = await block(h, [sign(h, C[0]!, attestDeposit(C[0]!, o)), sign(h, C[1]!, attestDeposit(C[1]!, o))]);
  for (const r of res.txResults) assert.equal(r.code, 0, r.log);
}

export function bal(h: PegHarness, k: Key | Uint8Array, denom: string): bigint {
  return h.app.bank.getBalance(view(h), k instanceof Uint8Array ? k : k.addr, denom);
}

export function q<T = any>(h: PegHarness, path: string): T { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = h.app.query(path, new Uint8Array(0));
  if (r.code !== 0) throw new Error(`query ${path}: ${r.code} ${r.log}`);
  return JSON.parse(new TextDecoder().decode(r.value)) as T;
}

export function events(h: PegHarness, type: string): Record<string, string>[] {
  return h.log.filter((e) => e.type === type).map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));
}

export function govAction(action: Record<string, unknown>) {
  return { type: 'peg/GovAction' as const, from: GOV.addr, action: JSON.stringify(action) };
}

export const txid = (n: number): string => n.toString(16).padStart(64, '0');
