/**
 * The page's whole data layer: every request the page makes, and the normalisers that turn
 * the node's answers into the shapes the views use. When an API's shape changes, this is the
 * one file to adjust.
 *
 * All URLs are relative to the page, so the page works on any host, port or path prefix.
 * Amount strings from `/api/v1` are fixed8 decimals ("1.50000000"), as the original api-server
 * printed them; raw units (integers in tx messages) are converted with `units8`.
 */

export type ErrorKind = 'down' | 'notFound' | 'bad' | 'server';

export class ApiError extends Error {
  constructor(readonly kind: ErrorKind, readonly status: number, message: string) {
    super(message);
  }
}

type Json = Record<string, unknown>;

/** GET a path relative to the page; 204 → undefined; non-2xx → ApiError with the node's message. */
export async function getJson<T = unknown>(path: string): Promise<T | undefined> {
  let r: Response;
  try {
    r = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
  } catch {
    throw new ApiError('down', 0, 'Cannot reach the node. It may be stopped or restarting; the page retries on its own.');
  }
  if (r.status === 204) return undefined;
  let body: unknown;
  try {
    body = await r.json();
  } catch {
    if (r.status >= 500 || r.status === 0) throw new ApiError('down', r.status, `The node answered ${r.status} without data.`);
    throw new ApiError(r.status === 404 ? 'notFound' : 'server', r.status, `The node answered ${r.status} with something that is not JSON.`);
  }
  if (!r.ok) {
    const msg = (body as Json)?.message ?? (body as { error?: { data?: string } })?.error?.data ?? `HTTP ${r.status}`;
    throw new ApiError(r.status === 404 ? 'notFound' : r.status >= 500 ? 'server' : 'bad', r.status, String(msg));
  }
  return body as T;
}

/** CometBFT URI-style RPC (`GET /status?…`), unwrapping `result` / `error`. */
export async function rpc<T = Json>(method: string, params: Record<string, string | number> = {}): Promise<T> {
  const qs = Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  const j = await getJson<{ result?: T; error?: { message?: string; data?: string } }>(`${method}${qs ? `?${qs}` : ''}`);
  if (!j) throw new ApiError('server', 204, `${method}: empty answer`);
  if (j.error) {
    const msg = j.error.data || j.error.message || 'error';
    throw new ApiError(/not found/i.test(msg) ? 'notFound' : 'bad', 400, msg);
  }
  return j.result as T;
}

/** `/api/v1/...` that may not exist on this node yet (module not enabled): 404 → undefined. */
async function optional<T>(path: string): Promise<T | undefined | null> {
  try {
    return (await getJson<T>(path)) ?? null;
  } catch (e) {
    if (e instanceof ApiError && e.kind === 'notFound' && /no route/i.test(e.message)) return undefined;
    throw e;
  }
}

// --------------------------------------------------------------------------------------------
// small field helpers (tolerant to snake_case / camelCase)
// --------------------------------------------------------------------------------------------

function pick(o: unknown, ...keys: string[]): unknown {
  if (!o || typeof o !== 'object') return undefined;
  for (const k of keys) {
    const v = (o as Json)[k];
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}
const str = (o: unknown, ...keys: string[]): string => {
  const v = pick(o, ...keys);
  return v === undefined ? '' : String(v);
};
const num = (o: unknown, ...keys: string[]): number => {
  const v = pick(o, ...keys);
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : 0;
};
const optStr = (o: unknown, ...keys: string[]): string | undefined => {
  const v = pick(o, ...keys);
  return v === undefined ? undefined : String(v);
};
const bool = (o: unknown, ...keys: string[]): boolean | undefined => {
  const v = pick(o, ...keys);
  if (v === undefined) return undefined;
  return v === true || v === 'true' || v === 1;
};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** A list answered bare or wrapped (`{assets:[…]}`, `{data:[…]}`…). */
function rows(v: unknown, ...keys: string[]): unknown[] {
  if (Array.isArray(v)) return v;
  for (const k of [...keys, 'data', 'items', 'result']) {
    const x = pick(v, k);
    if (Array.isArray(x)) return x;
  }
  return [];
}
const timeOf = (v: unknown): number => {
  if (typeof v === 'number') return v < 1e12 ? v * 1000 : v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return timeOf(Number(v));
  if (typeof v === 'string') return Date.parse(v) || 0;
  return 0;
};

/** Raw integer units → fixed8 decimal string ("150000000" → "1.50000000"). */
export function units8(v: string | number | bigint): string {
  let s = String(v);
  const neg = s.startsWith('-');
  if (neg) s = s.slice(1);
  if (!/^\d+$/.test(s)) return String(v);
  s = s.padStart(9, '0');
  return `${neg ? '-' : ''}${s.slice(0, -8)}.${s.slice(-8)}`;
}

// --------------------------------------------------------------------------------------------
// chain: status, blocks, txs
// --------------------------------------------------------------------------------------------

export interface Status {
  chainId: string;
  moniker: string;
  nodeId: string;
  version: string;
  height: number;
  timeMs: number;
  earliestHeight: number;
  catchingUp: boolean;
  validatorAddress: string;
}

export async function status(): Promise<Status> {
  const r = await rpc('status');
  const ni = pick(r, 'node_info');
  const si = pick(r, 'sync_info');
  return {
    chainId: str(ni, 'network'),
    moniker: str(ni, 'moniker'),
    nodeId: str(ni, 'id'),
    version: str(ni, 'version'),
    height: num(si, 'latest_block_height'),
    timeMs: timeOf(pick(si, 'latest_block_time')),
    earliestHeight: num(si, 'earliest_block_height'),
    catchingUp: bool(si, 'catching_up') ?? false,
    validatorAddress: str(pick(r, 'validator_info'), 'address'),
  };
}

export interface BlockMeta {
  height: number;
  hash: string;
  timeMs: number;
  numTxs: number;
  proposer: string;
}

function metaOf(header: unknown, blockId: unknown, numTxs?: unknown): BlockMeta {
  return {
    height: num(header, 'height'),
    hash: str(blockId, 'hash'),
    timeMs: timeOf(pick(header, 'time')),
    numTxs: Number(numTxs ?? pick(header, 'num_txs') ?? 0),
    proposer: str(header, 'proposer_address'),
  };
}

/** Block headers from `maxHeight` down (at most 20 per call, newest first). */
export async function blockMetas(maxHeight: number, count = 20): Promise<BlockMeta[]> {
  const minHeight = Math.max(1, maxHeight - count + 1);
  const r = await rpc('blockchain', { minHeight, maxHeight });
  return list(pick(r, 'block_metas')).map((m) => metaOf(pick(m, 'header'), pick(m, 'block_id'), pick(m, 'num_txs')));
}

/** Up to `count` headers below and including `maxHeight`, newest first (several calls). */
export async function recentBlocks(maxHeight: number, count: number): Promise<BlockMeta[]> {
  const calls: Promise<BlockMeta[]>[] = [];
  for (let top = maxHeight; top >= 1 && top > maxHeight - count; top -= 20) calls.push(blockMetas(top, Math.min(20, top - (maxHeight - count))));
  return (await Promise.all(calls)).flat();
}

export interface CommitSig {
  validator: string;
  /** 1 absent, 2 commit, 3 nil (CometBFT's BlockIDFlag). */
  flag: number;
  timeMs: number;
}

export interface BlockDetail extends BlockMeta {
  txs: string[];
  appHash: string;
  lastBlockHash: string;
  lastCommit: { height: number; signatures: CommitSig[] };
}

const blockCache = new Map<number, BlockDetail>();

export async function block(height: number): Promise<BlockDetail> {
  const hit = blockCache.get(height);
  if (hit) return hit;
  const r = await rpc('block', { height });
  const b = pick(r, 'block');
  const header = pick(b, 'header');
  const lc = pick(b, 'last_commit');
  const d: BlockDetail = {
    ...metaOf(header, pick(r, 'block_id')),
    txs: list(pick(pick(b, 'data'), 'txs')).map(String),
    appHash: str(header, 'app_hash'),
    lastBlockHash: str(pick(header, 'last_block_id'), 'hash'),
    lastCommit: {
      height: num(lc, 'height'),
      signatures: list(pick(lc, 'signatures')).map((s) => ({ validator: str(s, 'validator_address'), flag: num(s, 'block_id_flag'), timeMs: timeOf(pick(s, 'timestamp')) })),
    },
  };
  d.numTxs = d.txs.length;
  if (blockCache.size > 300) blockCache.delete(blockCache.keys().next().value as number);
  blockCache.set(height, d);
  return d;
}

export interface TxSummary {
  hash: string;
  height: number;
  index: number;
  code: number;
  log: string;
}

export async function txsInBlock(height: number): Promise<TxSummary[]> {
  const r = await rpc('tx_search', { query: `"tx.height=${height}"`, per_page: 100 });
  return list(pick(r, 'txs')).map((t) => ({
    hash: str(t, 'hash'),
    height: num(t, 'height'),
    index: num(t, 'index'),
    code: num(pick(t, 'tx_result'), 'code'),
    log: str(pick(t, 'tx_result'), 'log'),
  }));
}

export interface TxEvent {
  type: string;
  attributes: { key: string; value: string }[];
}

export interface TxMsg {
  type: string;
  value: Json;
}

export interface TxDetail {
  hash: string;
  height: number;
  index: number;
  code: number;
  ok: boolean;
  log: string;
  data: string | null;
  events: TxEvent[];
  msgs: TxMsg[];
  memo: string;
  source?: number;
  signers: string[];
  /** The decoded tx as the node printed it (or hex when it could not be decoded). */
  raw: unknown;
}

export async function tx(hash: string): Promise<TxDetail> {
  const r = await getJson(`api/v1/tx/${encodeURIComponent(hash)}?format=json`);
  if (!r) throw new ApiError('notFound', 404, `tx ${hash} not found`);
  const t = pick(r, 'tx');
  const value = pick(t, 'value') ?? t;
  const msgs = list(pick(value, 'msgs', 'msg')).map((m) => ({ type: str(m, 'type') || 'message', value: (pick(m, 'value') ?? m) as Json }));
  const signers = list(pick(value, 'signatures'))
    .map((s) => str(s, 'address', 'signer'))
    .filter(Boolean);
  return {
    hash: str(r, 'hash'),
    height: num(r, 'height'),
    index: num(r, 'index'),
    code: num(r, 'code'),
    ok: bool(r, 'ok') ?? num(r, 'code') === 0,
    log: str(r, 'log'),
    data: optStr(r, 'data') ?? null,
    events: list(pick(r, 'events')).map((e) => ({ type: str(e, 'type'), attributes: list(pick(e, 'attributes')).map((a) => ({ key: str(a, 'key'), value: str(a, 'value') })) })),
    msgs,
    memo: str(value, 'memo'),
    source: pick(value, 'source') === undefined ? undefined : num(value, 'source'),
    signers,
    raw: t,
  };
}

// --------------------------------------------------------------------------------------------
// network
// --------------------------------------------------------------------------------------------

export interface Validator {
  address: string;
  power: number;
  priority: number;
  name?: string;
  operator?: string;
}

export async function validators(): Promise<Validator[]> {
  const [r, extra] = await Promise.all([rpc('validators'), getJson('api/v1/validators').catch(() => undefined)]);
  const names = new Map(list(extra).map((v) => [str(v, 'address').toUpperCase(), v]));
  return list(pick(r, 'validators')).map((v) => {
    const address = str(v, 'address').toUpperCase();
    const x = names.get(address);
    return { address, power: num(v, 'voting_power'), priority: num(v, 'proposer_priority'), name: optStr(x, 'name'), operator: optStr(x, 'operator') };
  });
}

export interface Peer {
  id: string;
  address: string;
}

export async function peers(): Promise<Peer[]> {
  const r = await getJson('api/v1/peers');
  return list(r).map((p) => ({ id: str(p, 'id', 'node_id'), address: str(p, 'address', 'remote_ip') }));
}

export interface Mempool {
  txs: number;
  bytes: number;
}

export async function mempool(): Promise<Mempool> {
  const r = await rpc('num_unconfirmed_txs');
  return { txs: num(r, 'total', 'n_txs'), bytes: num(r, 'total_bytes') };
}

// --------------------------------------------------------------------------------------------
// accounts and tokens
// --------------------------------------------------------------------------------------------

export interface Balance {
  symbol: string;
  free: string;
  locked: string;
  frozen: string;
}

export interface Account {
  address: string;
  accountNumber: number;
  sequence: number;
  flags: number;
  balances: Balance[];
}

/** null when the address has no account yet (the node answers 204). */
export async function account(address: string): Promise<Account | null> {
  const r = await getJson(`api/v1/account/${encodeURIComponent(address)}`);
  if (!r) return null;
  return {
    address: str(r, 'address'),
    accountNumber: num(r, 'account_number'),
    sequence: num(r, 'sequence'),
    flags: num(r, 'flags'),
    balances: list(pick(r, 'balances')).map((b) => ({ symbol: str(b, 'symbol'), free: str(b, 'free'), locked: str(b, 'locked'), frozen: str(b, 'frozen') })),
  };
}

export interface AddressTx {
  hash: string;
  height: number;
  type: string;
  timeMs: number;
  from: string | null;
  to: string | null;
  value: string | null;
  asset: string | null;
  code: number;
  memo: string;
}

export async function accountTxs(address: string, limit = 25): Promise<{ txs: AddressTx[]; total: number }> {
  const r = await getJson(`api/v1/transactions?address=${encodeURIComponent(address)}&limit=${limit}`);
  return {
    total: num(r, 'total'),
    txs: list(pick(r, 'tx')).map((t) => ({
      hash: str(t, 'txHash'),
      height: num(t, 'blockHeight'),
      type: str(t, 'txType'),
      timeMs: timeOf(pick(t, 'timeStamp')),
      from: optStr(t, 'fromAddr') ?? null,
      to: optStr(t, 'toAddr') ?? null,
      value: optStr(t, 'value') ?? null,
      asset: optStr(t, 'txAsset') ?? null,
      code: num(t, 'code'),
      memo: str(t, 'memo'),
    })),
  };
}

export interface Token {
  name: string;
  symbol: string;
  originalSymbol: string;
  totalSupply: string;
  owner: string;
  mintable: boolean;
}

export async function tokens(): Promise<Token[]> {
  const r = await getJson('api/v1/tokens?limit=1000');
  return list(r).map((t) => ({
    name: str(t, 'name'),
    symbol: str(t, 'symbol'),
    originalSymbol: str(t, 'original_symbol'),
    totalSupply: str(t, 'total_supply'),
    owner: str(t, 'owner'),
    mintable: bool(t, 'mintable') ?? false,
  }));
}

// --------------------------------------------------------------------------------------------
// DEX
// --------------------------------------------------------------------------------------------

export interface Market {
  symbol: string;
  base: string;
  quote: string;
  listPrice: string;
  tickSize: string;
  lotSize: string;
}

/** undefined = the DEX is not served by this node. */
export async function markets(): Promise<Market[] | undefined> {
  const r = await optional('api/v1/markets?limit=1000');
  if (r === undefined) return undefined;
  return rows(r, 'markets').map((m) => {
    const base = str(m, 'base_asset_symbol', 'baseAssetSymbol', 'base');
    const quote = str(m, 'quote_asset_symbol', 'quoteAssetSymbol', 'quote');
    return {
      symbol: str(m, 'symbol') || `${base}_${quote}`,
      base,
      quote,
      listPrice: str(m, 'list_price', 'listPrice', 'price'),
      tickSize: str(m, 'tick_size', 'tickSize'),
      lotSize: str(m, 'lot_size', 'lotSize'),
    };
  });
}

export interface Ticker {
  symbol: string;
  lastPrice: string;
  change: string;
  changePercent: string;
  open: string;
  high: string;
  low: string;
  volume: string;
  quoteVolume: string;
  count: number;
}

export async function tickers(symbol?: string): Promise<Ticker[]> {
  const r = await optional(`api/v1/ticker/24hr${symbol ? `?symbol=${encodeURIComponent(symbol)}` : ''}`);
  return rows(r, 'tickers').map((t) => ({
    symbol: str(t, 'symbol'),
    lastPrice: str(t, 'lastPrice', 'last_price', 'close'),
    change: str(t, 'priceChange', 'price_change'),
    changePercent: str(t, 'priceChangePercent', 'price_change_percent'),
    open: str(t, 'openPrice', 'open_price', 'open'),
    high: str(t, 'highPrice', 'high_price', 'high'),
    low: str(t, 'lowPrice', 'low_price', 'low'),
    volume: str(t, 'volume'),
    quoteVolume: str(t, 'quoteVolume', 'quote_volume'),
    count: num(t, 'count'),
  }));
}

export type Level = [string, string];
export interface Depth {
  bids: Level[];
  asks: Level[];
  height: number;
}

export async function depth(symbol: string, limit = 50): Promise<Depth | undefined> {
  try {
    const r = await getJson(`api/v1/depth?symbol=${encodeURIComponent(symbol)}&limit=${limit}`);
    return depthOf(r);
  } catch (e) {
    if (e instanceof ApiError && e.kind === 'notFound') return undefined;
    throw e;
  }
}

export function depthOf(r: unknown): Depth {
  const lv = (v: unknown): Level[] =>
    list(v).map((l) => (Array.isArray(l) ? [String(l[0]), String(l[1])] : [str(l, 'price'), str(l, 'quantity', 'qty')]) as Level);
  return { bids: lv(pick(r, 'bids')), asks: lv(pick(r, 'asks')), height: num(r, 'height') };
}

export interface Trade {
  id: string;
  symbol: string;
  price: string;
  quantity: string;
  timeMs: number;
  height: number;
  buyer: string;
  seller: string;
  /** Which side took liquidity, when the node says. */
  side: 'BUY' | 'SELL' | '';
}

export function tradeOf(t: unknown): Trade {
  const tick = str(t, 'tickType', 'side');
  return {
    id: str(t, 'tradeId', 'trade_id', 'id'),
    symbol: str(t, 'symbol'),
    price: str(t, 'price', 'lastPx'),
    quantity: str(t, 'quantity', 'qty', 'lastQty'),
    timeMs: timeOf(pick(t, 'time', 'timeMs', 'tradeTime')),
    height: num(t, 'blockHeight', 'height'),
    buyer: str(t, 'buyerId', 'buyer'),
    seller: str(t, 'sellerId', 'seller'),
    side: /buy/i.test(tick) ? 'BUY' : /sell/i.test(tick) ? 'SELL' : '',
  };
}

export async function trades(symbol: string, limit = 50): Promise<Trade[]> {
  const r = await optional(`api/v1/trades?symbol=${encodeURIComponent(symbol)}&limit=${limit}`);
  return rows(r, 'trade', 'trades').map(tradeOf);
}

export interface Kline {
  openTimeMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export async function klines(symbol: string, interval: string, limit = 300): Promise<Kline[]> {
  const r = await optional(`api/v1/klines?symbol=${encodeURIComponent(symbol)}&interval=${encodeURIComponent(interval)}&limit=${limit}`);
  return rows(r, 'klines').map((k) =>
    Array.isArray(k)
      ? { openTimeMs: timeOf(k[0]), open: Number(k[1]), high: Number(k[2]), low: Number(k[3]), close: Number(k[4]), volume: Number(k[5]) }
      : {
          openTimeMs: timeOf(pick(k, 'openTime', 'open_time', 't')),
          open: num(k, 'open', 'o'),
          high: num(k, 'high', 'h'),
          low: num(k, 'low', 'l'),
          close: num(k, 'close', 'c'),
          volume: num(k, 'volume', 'v'),
        },
  );
}

export interface Order {
  id: string;
  symbol: string;
  owner: string;
  side: 'BUY' | 'SELL';
  price: string;
  quantity: string;
  filled: string;
  status: string;
  timeMs: number;
}

export async function openOrders(address: string, symbol?: string): Promise<Order[]> {
  const r = await getJson(`api/v1/orders/open?address=${encodeURIComponent(address)}${symbol ? `&symbol=${encodeURIComponent(symbol)}` : ''}`);
  return rows(r, 'order', 'orders').map((o) => {
    const side = pick(o, 'side');
    return {
      id: str(o, 'orderId', 'order_id', 'id'),
      symbol: str(o, 'symbol'),
      owner: str(o, 'owner'),
      side: side === 2 || side === '2' || /sell/i.test(String(side)) ? 'SELL' : 'BUY',
      price: str(o, 'price'),
      quantity: str(o, 'quantity'),
      filled: str(o, 'cumulateQuantity', 'cumulate_quantity', 'filled'),
      status: str(o, 'status'),
      timeMs: timeOf(pick(o, 'orderCreateTime', 'transactionTime', 'time')),
    };
  });
}

// --------------------------------------------------------------------------------------------
// peg and insurance
// --------------------------------------------------------------------------------------------

export interface PegNetwork {
  network: string;
  reserve: string;
  escrow?: string;
  coverage?: number;
  depositPaused?: boolean;
  withdrawPaused?: boolean;
  custody?: string[];
}

export interface PegAsset {
  symbol: string;
  supply: string;
  escrow: string;
  depositPaused: boolean;
  withdrawPaused: boolean;
  networks: PegNetwork[];
}

function pausedOf(o: unknown, dir: 'deposit' | 'withdraw'): boolean | undefined {
  const p = pick(o, 'paused', 'pause');
  if (typeof p === 'boolean') return p;
  if (p && typeof p === 'object') return bool(p, dir, `${dir}s`, `${dir}_paused`);
  const flag = bool(o, `${dir}_paused`, `${dir}Paused`);
  if (flag !== undefined) return flag;
  const enabled = bool(o, `${dir}_enabled`, `${dir}Enabled`, `${dir}s_enabled`);
  return enabled === undefined ? undefined : !enabled;
}

/** Coverage as a ratio (1 = 100 %), from a ratio, a percent string, or reserve/supply. */
function coverageOf(o: unknown, reserve: string, supply?: string): number | undefined {
  const c = pick(o, 'coverage', 'coverage_ratio', 'coverageRatio');
  if (c !== undefined) {
    const s = String(c);
    const n = Number(s.replace('%', ''));
    if (Number.isFinite(n)) return s.includes('%') ? n / 100 : n;
  }
  const r = Number(reserve);
  const sup = Number(supply);
  if (supply !== undefined && Number.isFinite(r) && sup > 0) return r / sup;
  return undefined;
}

/** undefined = the peg module is not served by this node. */
export async function pegAssets(): Promise<PegAsset[] | undefined> {
  const r = await optional('api/v1/peg/assets');
  if (r === undefined) return undefined;
  return rows(r, 'assets').map((a) => {
    const supply = str(a, 'supply', 'total_supply', 'totalSupply');
    return {
      symbol: str(a, 'symbol', 'asset'),
      supply,
      escrow: str(a, 'escrow', 'escrowed'),
      depositPaused: pausedOf(a, 'deposit') ?? false,
      withdrawPaused: pausedOf(a, 'withdraw') ?? false,
      networks: rows(pick(a, 'networks', 'sources') ?? [], 'networks').map((n) => {
        const reserve = str(n, 'reserve', 'attested_reserve', 'attestedReserve');
        return {
          network: str(n, 'network', 'name', 'id'),
          reserve,
          escrow: optStr(n, 'escrow'),
          coverage: coverageOf(n, reserve, optStr(n, 'supply', 'minted')),
          depositPaused: pausedOf(n, 'deposit'),
          withdrawPaused: pausedOf(n, 'withdraw'),
          custody: list(pick(n, 'custody_addresses', 'custodyAddresses', 'custody')).map(String),
        };
      }),
    };
  });
}

export interface PegReserve {
  symbol: string;
  network: string;
  supply: string;
  escrow: string;
  reserve: string;
  coverage?: number;
  height?: number;
}

export async function pegReserves(): Promise<PegReserve[] | undefined> {
  const r = await optional('api/v1/peg/reserves');
  if (r === undefined) return undefined;
  const out: PegReserve[] = [];
  for (const x of rows(r, 'reserves')) {
    const nets = pick(x, 'networks', 'reserves');
    const symbol = str(x, 'symbol', 'asset');
    const supply = str(x, 'supply', 'total_supply');
    const escrow = str(x, 'escrow');
    const one = (n: unknown): void => {
      const reserve = str(n, 'reserve', 'attested_reserve', 'attestedReserve', 'amount');
      out.push({
        symbol: str(n, 'symbol', 'asset') || symbol,
        network: str(n, 'network', 'name'),
        supply: str(n, 'supply') || supply,
        escrow: str(n, 'escrow') || escrow,
        reserve,
        coverage: coverageOf(n, reserve, str(n, 'supply') || supply || undefined) ?? coverageOf(x, reserve, supply || undefined),
        height: pick(n, 'height', 'attested_height') === undefined ? undefined : num(n, 'height', 'attested_height'),
      });
    };
    if (Array.isArray(nets)) nets.forEach(one);
    else if (nets && typeof nets === 'object') for (const [network, v] of Object.entries(nets as Json)) one(typeof v === 'object' ? { network, ...(v as Json) } : { network, reserve: v });
    else one(x);
  }
  return out;
}

export interface PegLimit {
  symbol: string;
  network: string;
  direction: string;
  used: string;
  quota: string;
  windowLabel: string;
}

/**
 * Window quotas: accepts rows like `{symbol, outflow_used, outflow_quota, inflow_used,
 * inflow_quota, window_seconds}` or `{symbol, direction, used, quota}`; one row per direction.
 */
export async function pegLimits(): Promise<PegLimit[] | undefined> {
  const r = await optional('api/v1/peg/limits');
  if (r === undefined) return undefined;
  const out: PegLimit[] = [];
  for (const x of rows(r, 'limits')) {
    const symbol = str(x, 'symbol', 'asset');
    const network = str(x, 'network');
    const w = pick(x, 'window_seconds', 'windowSeconds', 'window');
    const windowLabel = w === undefined ? '' : typeof w === 'number' || /^\d+$/.test(String(w)) ? `${Math.round(Number(w) / 3600)} h` : String(w);
    if (pick(x, 'used', 'quota') !== undefined) {
      out.push({ symbol, network, direction: str(x, 'direction') || 'out', used: str(x, 'used'), quota: str(x, 'quota'), windowLabel });
      continue;
    }
    for (const dir of ['outflow', 'inflow'] as const) {
      const used = optStr(x, `${dir}_used`, `${dir}Used`);
      const quota = optStr(x, `${dir}_quota`, `${dir}Quota`, `${dir}_limit`);
      if (used !== undefined || quota !== undefined) out.push({ symbol, network, direction: dir === 'outflow' ? 'withdrawals' : 'deposits', used: used ?? '', quota: quota ?? '', windowLabel });
    }
  }
  return out;
}

export interface PegWithdrawal {
  id: string;
  symbol: string;
  network: string;
  from: string;
  extAddress: string;
  amount: string;
  state: string;
  height?: number;
  readyHeight?: number;
}

export async function pegWithdrawals(): Promise<PegWithdrawal[] | undefined> {
  const r = await optional('api/v1/peg/withdrawals');
  if (r === undefined) return undefined;
  return rows(r, 'withdrawals', 'requests').map((w) => ({
    id: str(w, 'id', 'request_id', 'requestId'),
    symbol: str(w, 'symbol', 'asset'),
    network: str(w, 'network'),
    from: str(w, 'from', 'sender', 'owner'),
    extAddress: str(w, 'ext_address', 'extAddress', 'to'),
    amount: str(w, 'amount'),
    state: str(w, 'state', 'status'),
    height: pick(w, 'height', 'created_height') === undefined ? undefined : num(w, 'height', 'created_height'),
    readyHeight: pick(w, 'ready_height', 'readyHeight', 'delay_until') === undefined ? undefined : num(w, 'ready_height', 'readyHeight', 'delay_until'),
  }));
}

export interface Insurance {
  address: string;
  balances: { symbol: string; amount: string }[];
  history: { height: number; kind: string; symbol: string; amount: string; note: string }[];
}

export async function insurance(): Promise<Insurance | undefined> {
  const r = await optional('api/v1/insurance');
  if (r === undefined) return undefined;
  const bal = pick(r, 'balances', 'balance', 'coins');
  const balances = Array.isArray(bal)
    ? bal.map((b) => ({ symbol: str(b, 'symbol', 'denom'), amount: str(b, 'amount', 'free') }))
    : bal && typeof bal === 'object'
      ? Object.entries(bal as Json).map(([symbol, amount]) => ({ symbol, amount: String(amount) }))
      : [];
  return {
    address: str(r, 'address', 'module_address'),
    balances,
    history: rows(pick(r, 'history', 'events') ?? [], 'history').map((h) => ({
      height: num(h, 'height'),
      kind: str(h, 'kind', 'type', 'reason'),
      symbol: str(h, 'symbol', 'denom'),
      amount: str(h, 'amount'),
      note: str(h, 'note', 'proposal_id', 'memo'),
    })),
  };
}
