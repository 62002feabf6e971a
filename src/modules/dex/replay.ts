/**
 * Replays an `integration_block_match` case (shared vectors, `match.json`) through a real
 * application: a genesis built from the case (one funded account per `addrN`, the pair listed at
 * the case's reference price, the case's fee rates), every order a signed NewOrder tx in its
 * block, blocks finalized and committed one by one. It then reads back what the chain did —
 * trades with their fees, balances and locks, the book — and compares it to the unit with
 * what the case expects. `dexchain dex replay` prints the result; the vector tests assert it.
 *
 * The app is passed in (`newApp`), so this module does not depend on the app layer above it.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { encodeAddress, encodeTx, stdSignBytes } from '../../codec/index.js';
import type { Address, Msg, NewOrderMsg } from '../../codec/types.js';
import { addressFromPubKey, consensusAddress, sha256, toHex } from '../../crypto/hash.js';
import { publicKeyFromPrivate, signHash } from '../../crypto/secp256k1.js';
import type { FinalizeBlockResponse, InitChainResponse, QueryResponse } from '../../app/abci.js';
import type { FinalizeBlockRequest } from '../../app/abci.js';
import type { KVReader, StateStore } from '../../state/types.js';
import type { BankKeeper } from '../bank/keeper.js';
import { TICK_TYPE_NAMES, type TickType } from './match/index.js';
import type { DexKeeper } from './keeper.js';
import type { TradeRecord } from './types.js';
import { bookSidePrefix, decodeOrder } from './store.js';

/** What the replay needs of the app (DexApp fits). */
export interface ReplayApp {
  readonly bank: Pick<BankKeeper, 'getAccount'>;
  readonly dex: Pick<DexKeeper, 'getPair'>;
  initChain(genesis: unknown): Promise<InitChainResponse>;
  finalizeBlock(req: FinalizeBlockRequest): FinalizeBlockResponse;
  commit(): Promise<{ height: number; appHash: Uint8Array }>;
  query(path: string, data: Uint8Array, height?: number): QueryResponse;
}

export interface ReplayDeps {
  store: StateStore;
  app: ReplayApp;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export const REPLAY_CHAIN_ID = 'dexchain-replay';
export const REPLAY_HRP = 'tbnb';
export const REPLAY_GENESIS_TIME = '2024-01-01T00:00:00Z';
const GENESIS_MS = Date.parse(REPLAY_GENESIS_TIME);
/** BNB total supply of the replay chain; what the case accounts do not hold sits with a treasury. */
const BNB_SUPPLY = 20_000_000_000_000_000n;

interface ReplayKey {
  label: string;
  priv: Uint8Array;
  pub: Uint8Array;
  addr: Address;
  bech32: string;
}

function keyOf(label: string): ReplayKey {
  const priv = sha256(new TextEncoder().encode(`dexchain-replay-${label}`));
  const pub = publicKeyFromPrivate(priv);
  const addr = addressFromPubKey(pub);
  return { label, priv, pub, addr, bech32: encodeAddress(addr, REPLAY_HRP) };
}

export interface ReplayTrade {
  height: number;
  /** Vector ids (`addrN-S`), mapped back from the chain's `HEX-N` ids. */
  sid: string;
  bid: string;
  price: string;
  qty: string;
  buyCumQty: string;
  sellCumQty: string;
  tickType: string;
  buyer_fee: string;
  seller_fee: string;
}

export interface ReplayCheck {
  what: string;
  expected: string;
  actual: string;
  ok: boolean;
}

export interface ReplayResult {
  case: string;
  pair: string;
  lot_size: string;
  last_trade_price: string;
  /** Vector id → chain order id. */
  order_ids: Record<string, string>;
  blocks: { height: number; tx_codes: number[]; tx_logs: string[]; app_hash: string }[];
  /** Trades of the last block that had orders (what the case's `expected` describes). */
  trades: ReplayTrade[];
  /** Every trade of the replay, in chain order. */
  all_trades: ReplayTrade[];
  /** `addrN` → `SYMBOL_avail` / `SYMBOL_locked` → amount. */
  balances: Record<string, Record<string, string>>;
  book: { buy: ReplayLevel[]; sell: ReplayLevel[] };
  checks: ReplayCheck[];
  ok: boolean;
}

export interface ReplayLevel {
  price: string;
  orders: { id: string; time: number; qty: string; cumQty: string }[];
}

/** Accounts named by a case: the `addrN` of its order ids and its expected balances. */
function accountLabels(c: Json): string[] {
  const set = new Set<string>();
  for (const b of c.blocks ?? []) for (const o of b.orders ?? []) set.add(String(o.id).split('-')[0]!);
  for (const k of Object.keys(c.expected?.balances_after ?? {})) set.add(k);
  return [...set].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

function caseGenesis(c: Json, accounts: ReplayKey[], operator: ReplayKey, edPub: Uint8Array): Record<string, unknown> {
  const p = c.params;
  const [base, quote] = String(p.pair).split('_') as [string, string];
  const start: Record<string, bigint> = {};
  for (const [d, v] of Object.entries(p.start_balance_each_account ?? {})) start[d] = BigInt(v as number | string);
  for (const d of [base, quote]) if (start[d] === undefined) start[d] = 0n;
  const n = BigInt(accounts.length);
  const treasury = keyOf('treasury');
  const coinsOf = (m: Record<string, bigint>) =>
    Object.keys(m)
      .sort()
      .filter((d) => m[d]! > 0n)
      .map((d) => ({ denom: d, amount: m[d]!.toString() }));
  const accs = accounts.map((a) => ({ address: a.bech32, coins: coinsOf(start) }));
  accs.push({ address: treasury.bech32, coins: coinsOf({ BNB: BNB_SUPPLY - n * (start.BNB ?? 0n) }) });
  const tokens: Record<string, unknown>[] = [
    { name: 'Binance Chain Native Token', symbol: 'BNB', original_symbol: 'BNB', total_supply: BNB_SUPPLY.toString(), owner: treasury.bech32, mintable: false },
  ];
  for (const d of Object.keys(start).sort()) {
    if (d === 'BNB') continue;
    const supply = n * start[d]!;
    if (supply <= 0n) throw new Error(`replay: token ${d} would have no supply (no start balance)`);
    tokens.push({ name: `${d} token`, symbol: d, original_symbol: d.split('-')[0], total_supply: supply.toString(), owner: treasury.bech32, mintable: false });
  }
  const fees: Record<string, string> = {};
  if (p.fee_rate_native_ppm !== undefined) fees.fee_rate_native = String(p.fee_rate_native_ppm);
  if (p.fee_rate_ppm !== undefined) fees.fee_rate = String(p.fee_rate_ppm);
  if (p.ioc_expire_fee_native !== undefined) fees.ioc_expire_fee_native = String(p.ioc_expire_fee_native);
  return {
    chain_id: REPLAY_CHAIN_ID,
    address_prefix: REPLAY_HRP,
    genesis_time: REPLAY_GENESIS_TIME,
    app_state: {
      accounts: accs,
      tokens,
      validators: [{ name: 'replay', consensus_pub_key: Buffer.from(edPub).toString('base64'), operator: operator.bech32, power: '10' }],
      dex: {
        pairs: [{ base_asset_symbol: base, quote_asset_symbol: quote, list_price: String(p.ref_price_LastTradePrice) }],
        params: { fees },
      },
    },
  };
}

const sideOf = (s: unknown): 1 | 2 => {
  if (s === 'BUY' || s === 1) return 1;
  if (s === 'SELL' || s === 2) return 2;
  throw new Error(`replay: bad side ${JSON.stringify(s)}`);
};
const tifOf = (s: unknown): 1 | 3 => (s === 'IOC' || s === 3 ? 3 : 1);

function coinAmount(coins: readonly { denom: string; amount: bigint }[] | undefined, d: string): bigint {
  return coins?.find((c) => c.denom === d)?.amount ?? 0n;
}

function bookOf(kv: KVReader, symbol: string, back: (id: string) => string): { buy: ReplayLevel[]; sell: ReplayLevel[] } {
  const side = (s: 1 | 2): ReplayLevel[] => {
    const out: ReplayLevel[] = [];
    for (const [, v] of kv.iterate(bookSidePrefix(symbol, s))) {
      const o = decodeOrder(v);
      let l = out[out.length - 1];
      if (!l || l.price !== o.price.toString()) {
        l = { price: o.price.toString(), orders: [] };
        out.push(l);
      }
      l.orders.push({ id: back(o.id), time: o.createdHeight, qty: o.qty.toString(), cumQty: o.cumQty.toString() });
    }
    return out;
  };
  return { buy: side(1), sell: side(2) };
}

/** Runs the case through `deps.app` (fresh, before genesis) and compares what it can. */
export async function replayIntegrationCase(c: Json, deps: ReplayDeps): Promise<ReplayResult> {
  if (c.kind !== undefined && c.kind !== 'integration_block_match') throw new Error(`replay: case ${c.id} is a ${c.kind} case, not integration_block_match`);
  if (!c.params?.pair || !Array.isArray(c.blocks)) throw new Error('replay: the case needs params.pair and blocks[]');
  const { app, store } = deps;
  const symbol = String(c.params.pair);
  const labels = accountLabels(c);
  const keys = labels.map((l) => keyOf(`${c.id ?? 'case'}-${l}`));
  const byLabel = new Map(labels.map((l, i) => [l, keys[i]!]));
  const operator = keyOf('operator');
  const edPub = ed25519.getPublicKey(sha256(new TextEncoder().encode('dexchain-replay-validator')));
  const proposer = consensusAddress(edPub);
  await app.initChain(caseGenesis(c, keys, operator, edPub));

  const view = (): KVReader => (store.height === 0 ? store.working() : store.committed());
  const seq = new Map<string, bigint>();
  const accNum = (k: ReplayKey): bigint => app.bank.getAccount(view(), k.addr)?.accountNumber ?? 0n;
  const toChain = new Map<string, string>();
  const toVec = new Map<string, string>();
  const back = (id: string) => toVec.get(id) ?? id;
  const blocks: ReplayResult['blocks'] = [];
  let height = 0;
  let lastOrderHeight = 0;
  const iocIds = new Set<string>();
  /** Every trade of the run, from each block's history (trades are not kept in state). */
  const traded: TradeRecord[] = [];

  const run = async (txs: Uint8Array[]) => {
    height++;
    const res = app.finalizeBlock({
      height,
      timeMs: GENESIS_MS + height * 1000,
      proposerAddress: proposer,
      txs,
      lastCommitVotes: height === 1 ? [] : [{ validatorAddress: proposer, power: 10n, signedLastBlock: true }],
      misbehavior: [],
      hash: toHex(sha256(new TextEncoder().encode(`replay-block-${height}`))).toUpperCase(),
    });
    const { appHash } = await app.commit();
    traded.push(...res.history.trades);
    blocks.push({ height, tx_codes: res.txResults.map((r) => r.code), tx_logs: res.txResults.map((r) => r.log), app_hash: toHex(appHash).toUpperCase() });
    return res;
  };

  for (const b of c.blocks) {
    const h = Number(b.height);
    if (!Number.isSafeInteger(h) || h <= height) throw new Error(`replay: block heights must increase from 1, got ${b.height}`);
    while (height < h - 1) await run([]);
    const txs: Uint8Array[] = [];
    for (const o of b.orders ?? []) {
      const vecId = String(o.id);
      const label = vecId.split('-')[0]!;
      const k = byLabel.get(label)!;
      const hex = toHex(k.addr);
      const s = seq.get(hex) ?? app.bank.getAccount(view(), k.addr)?.sequence ?? 0n;
      seq.set(hex, s + 1n);
      let msg: Msg;
      if (o.cancel !== undefined || o.refid !== undefined) {
        const ref = String(o.cancel ?? o.refid);
        msg = { type: 'dex/CancelOrder', sender: k.addr, symbol, refid: toChain.get(ref) ?? ref };
      } else {
        const id = `${hex.toUpperCase()}-${s + 1n}`;
        if (toChain.has(vecId)) throw new Error(`replay: duplicate order id ${vecId} in the case`);
        toChain.set(vecId, id);
        toVec.set(id, vecId);
        if (tifOf(o.tif) === 3) iocIds.add(vecId);
        const m: NewOrderMsg = {
          type: 'dex/NewOrder',
          sender: k.addr,
          id,
          symbol,
          ordertype: 2,
          side: sideOf(o.side),
          price: BigInt(o.price),
          quantity: BigInt(o.qty),
          timeinforce: tifOf(o.tif),
        };
        msg = m;
      }
      const signBytes = stdSignBytes({ chainId: REPLAY_CHAIN_ID, accountNumber: accNum(k), sequence: s, memo: '', source: 0n, msgs: [msg], hrp: REPLAY_HRP });
      txs.push(
        encodeTx({
          msgs: [msg],
          signatures: [{ pub_key: k.pub, signature: signHash(sha256(signBytes), k.priv), account_number: accNum(k), sequence: s }],
          memo: '',
          source: 0n,
          data: new Uint8Array(0),
        }),
      );
    }
    await run(txs);
    if ((b.orders ?? []).length > 0) lastOrderHeight = height;
  }

  // read back
  const kv = view();
  const pair = app.dex.getPair(kv, symbol);
  if (!pair) throw new Error(`replay: pair ${symbol} is not listed`);
  const cum = new Map<string, bigint>();
  const feeBnb = (coins: readonly { denom: string; amount: bigint }[]) => coins.map((x) => `${x.amount}:${x.denom}`).join(',');
  const allTrades: ReplayTrade[] = traded
    .filter((t) => t.symbol === symbol)
    .sort((a, b) => a.height - b.height || Number(a.id.split('-')[1]) - Number(b.id.split('-')[1]))
    .map((t) => {
      const bc = (cum.get(t.buyerOrderId) ?? 0n) + t.qty;
      const sc = (cum.get(t.sellerOrderId) ?? 0n) + t.qty;
      cum.set(t.buyerOrderId, bc);
      cum.set(t.sellerOrderId, sc);
      return {
        height: t.height,
        sid: back(t.sellerOrderId),
        bid: back(t.buyerOrderId),
        price: t.price.toString(),
        qty: t.qty.toString(),
        buyCumQty: bc.toString(),
        sellCumQty: sc.toString(),
        tickType: TICK_TYPE_NAMES[t.tickType as TickType] ?? 'Unknown',
        buyer_fee: feeBnb(t.buyerFee),
        seller_fee: feeBnb(t.sellerFee),
      };
    });
  const trades = allTrades.filter((t) => t.height === lastOrderHeight);
  const denoms = new Set<string>([...Object.keys(c.params.start_balance_each_account ?? {}), ...symbol.split('_')]);
  const balances: ReplayResult['balances'] = {};
  for (const [label, k] of byLabel) {
    const a = app.bank.getAccount(kv, k.addr);
    const row: Record<string, string> = {};
    for (const d of [...denoms].sort()) {
      row[`${d}_avail`] = coinAmount(a?.coins, d).toString();
      row[`${d}_locked`] = coinAmount(a?.locked, d).toString();
    }
    balances[label] = row;
  }
  const book = bookOf(kv, symbol, back);

  // compare
  const checks: ReplayCheck[] = [];
  const check = (what: string, expected: unknown, actual: unknown) => {
    const e = typeof expected === 'string' ? expected : JSON.stringify(expected);
    const a = typeof actual === 'string' ? actual : JSON.stringify(actual);
    checks.push({ what, expected: e, actual: a, ok: e === a });
  };
  blocks.forEach((b) => b.tx_codes.forEach((code, i) => check(`block ${b.height} tx ${i} code (${b.tx_logs[i]})`, '0', String(code))));
  if (c.params.lot_size !== undefined) check('lot size', String(c.params.lot_size), pair.lotSize.toString());
  const exp = c.expected ?? {};
  if (exp.concluded_price_lastPx !== undefined) check('last trade price', String(exp.concluded_price_lastPx), pair.lastTradePrice.toString());
  if (exp.trade_count !== undefined) check('trade count', String(exp.trade_count), String(trades.length));
  (exp.trades_asserted_fields ?? []).forEach((t: Json, i: number) => {
    if (t.qty !== undefined) check(`trade ${i} qty`, String(t.qty), trades[i]?.qty ?? '-');
    if (t.tickType !== undefined) check(`trade ${i} tickType`, String(t.tickType), trades[i]?.tickType ?? '-');
    if (t.price !== undefined) check(`trade ${i} price`, String(t.price), trades[i]?.price ?? '-');
  });
  const perTradeFees: Json[] | undefined = exp.trade_fee_BNB_each_side ?? c.derived_by_port?.fee_each_side_per_trade;
  (perTradeFees ?? []).forEach((f: Json, i: number) => {
    check(`trade ${i} buyer fee`, `${f}:BNB`, trades[i]?.buyer_fee ?? '-');
    check(`trade ${i} seller fee`, `${f}:BNB`, trades[i]?.seller_fee ?? '-');
  });
  for (const [label, fields] of Object.entries(exp.balances_after ?? {})) {
    for (const [field, v] of Object.entries(fields as Record<string, unknown>)) {
      check(`${label} ${field}`, String(v), balances[label]?.[field] ?? '-');
    }
  }
  const d = c.derived_by_port;
  if (d?.trades) {
    d.trades.forEach((t: Json, i: number) => {
      const a = trades[i];
      check(
        `trade ${i}`,
        { sid: String(t.sid), bid: String(t.bid), price: String(t.price), qty: String(t.qty), buyCumQty: String(t.buyCumQty), sellCumQty: String(t.sellCumQty), tickType: t.tickType },
        a ? { sid: a.sid, bid: a.bid, price: a.price, qty: a.qty, buyCumQty: a.buyCumQty, sellCumQty: a.sellCumQty, tickType: a.tickType } : null,
      );
    });
  }
  if (d?.book_after_DropFilledOrder) {
    // the vector's book is before the IOC remainders leave; the chain's is after
    const side = (levels: Json[]): ReplayLevel[] =>
      levels
        .map((l: Json) => ({
          price: String(l.price),
          orders: l.orders
            .filter((o: Json) => !iocIds.has(String(o.id)))
            .map((o: Json) => ({ id: String(o.id), time: Number(o.time), qty: String(o.qty), cumQty: String(o.cumQty) })),
        }))
        .filter((l: ReplayLevel) => l.orders.length > 0);
    check('book buy side', side(d.book_after_DropFilledOrder.buy), book.buy);
    check('book sell side', side(d.book_after_DropFilledOrder.sell), book.sell);
  }

  return {
    case: String(c.id ?? ''),
    pair: symbol,
    lot_size: pair.lotSize.toString(),
    last_trade_price: pair.lastTradePrice.toString(),
    order_ids: Object.fromEntries(toChain),
    blocks,
    trades,
    all_trades: allTrades,
    balances,
    book,
    checks,
    ok: checks.every((x) => x.ok),
  };
}
