/** DEX/gov test harness: an app with gov + dex registered before genesis, and msg builders. */
import { memoryStateStore } from '../../../../src/state/index.js';
import type { StateStore } from '../../../../src/state/types.js';
import { DexApp } from '../../../../src/app/app.js';
import type { Msg, NewOrderMsg } from '../../../../src/codec/types.js';
import { toHex } from '../../../../src/crypto/hash.js';
import { GovKeeper, govModule } from '../../../../src/modules/gov/index.js';
import { DexKeeper, dexModule } from '../../../../src/modules/dex/index.js';
import {
  BNB,
  GENESIS_MS,
  countingVerifier,
  genesisDoc,
  signTx,
  view,
  type GenesisOpts,
  type Harness,
  type Key,
  newHistory,
} from '../../app/helpers.js';
import { decodeAddress } from '../../../../src/codec/index.js';
import { orderJson, tradeJson, type OrderJson, type TradeJson } from '../../../../src/modules/dex/queries.js';
import type { ClosedFilter, TradeFilter } from '../../../../src/modules/dex/history.js';

export interface DexHarness extends Harness {
  gov: GovKeeper;
  dex: DexKeeper;
}

export interface DexGenesisOpts extends GenesisOpts {
  pairs?: [string, string, bigint][];
  dexParams?: unknown;
  govParams?: unknown;
}

export function dexGenesis(o: DexGenesisOpts): Record<string, unknown> {
  const doc = genesisDoc(o);
  const app_state = doc.app_state as Record<string, unknown>;
  app_state.dex = {
    pairs: (o.pairs ?? []).map(([b, q, p]) => ({ base_asset_symbol: b, quote_asset_symbol: q, list_price: p.toString() })),
    ...(o.dexParams !== undefined ? { params: o.dexParams } : {}),
  };
  if (o.govParams !== undefined) app_state.gov = o.govParams;
  return doc;
}

/** A DexApp (gov and dex are part of it) and its keepers. */
export function buildApp(store: StateStore): { app: DexApp; gov: GovKeeper; dex: DexKeeper; verifier: ReturnType<typeof countingVerifier> } {
  const verifier = countingVerifier();
  const app = new DexApp({ store, verifier });
  return { app, gov: app.gov, dex: app.dex, verifier };
}

export async function newDexApp(o: DexGenesisOpts = {}, store: StateStore = memoryStateStore()): Promise<DexHarness> {
  const { app, gov, dex, verifier } = buildApp(store);
  await app.initChain(dexGenesis(o));
  return { app, store, verifier, height: 0, timeMs: GENESIS_MS, gov, dex, ...newHistory() };
}

/** Tracks sequences locally so one account can send several txs in a block. */
export class Signer {
  private readonly seq = new Map<string, bigint>();
  constructor(private readonly h: Harness) {}
  sign(k: Key, msg: Msg): Uint8Array {
    const a = this.h.app.bank.getAccount(view(this.h), k.addr);
    const key = toHex(k.addr);
    const committed = a?.sequence ?? 0n;
    const s = this.seq.get(key);
    const seq = s !== undefined && s > committed ? s : committed;
    this.seq.set(key, seq + 1n);
    return signTx(k.priv, msg, { accountNumber: a?.accountNumber ?? 0n, sequence: seq });
  }
  /** The order id the next tx of `k` will get (`HEX-(seq+1)`). */
  nextOrderId(k: Key): string {
    const a = this.h.app.bank.getAccount(view(this.h), k.addr);
    const committed = a?.sequence ?? 0n;
    const s = this.seq.get(toHex(k.addr));
    const seq = s !== undefined && s > committed ? s : committed;
    return `${toHex(k.addr).toUpperCase()}-${seq + 1n}`;
  }
  /** Signs a NewOrder with the right id. */
  order(k: Key, symbol: string, side: 1 | 2, price: bigint, qty: bigint, tif: 1 | 3 = 1): { tx: Uint8Array; id: string } {
    const id = this.nextOrderId(k);
    const msg: NewOrderMsg = { type: 'dex/NewOrder', sender: k.addr, id, symbol, ordertype: 2, side, price, quantity: qty, timeinforce: tif };
    return { tx: this.sign(k, msg), id };
  }
  cancel(k: Key, symbol: string, refid: string): Uint8Array {
    return this.sign(k, { type: 'dex/CancelOrder', sender: k.addr, symbol, refid });
  }
}

export function locked(h: Harness, k: Key, denom: string): bigint {
  const a = h.app.bank.getAccount(view(h), k.addr);
  return a?.locked.find((c) => c.denom === denom)?.amount ?? 0n;
}

export const XYZ = 'XYZ-000';
export const ABC = 'ABC-111';
export const XYZ_BNB = `${XYZ}_BNB`;
export { BNB };

const ALL = { offset: 0, limit: 1_000_000 };

/** An address's closed orders from the harness's history index, oldest first, as `/api/v1` shows them. */
export async function closedOf(h: Harness, bech32: string, f: ClosedFilter = {}): Promise<OrderJson[]> {
  const hrp = h.app.chain().hrp;
  const r = await h.history!.closedOrders(decodeAddress(bech32, hrp), f, ALL);
  return r.orders.reverse().map((o) => orderJson(o, hrp));
}

/** Trades from the harness's history index, oldest first, as `/api/v1` shows them. */
export async function tradesOf(h: Harness, f: TradeFilter = {}): Promise<TradeJson[]> {
  const hrp = h.app.chain().hrp;
  const r = await h.history!.trades(f, ALL);
  return r.trades.reverse().map((t) => tradeJson(t, hrp));
}
