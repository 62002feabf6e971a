/**
 * What the RPC server needs from the node, as narrow typed views (the node adapts its parts to
 * these). The RPC never reaches into the app's state or the store's layout.
 */
import type { CheckTxResult, QueryResponse, TxResult } from '../app/abci.js';
import type { Block, Commit } from '../consensus/types.js';
import type { StoredTx } from '../store/index.js';
import type { CommittedInfo } from '../mempool/mempool.js';

export interface BalanceView {
  symbol: string;
  free: bigint;
  frozen: bigint;
  locked: bigint;
}

export interface AccountView {
  address: string;
  accountNumber: bigint;
  sequence: bigint;
  flags: bigint;
  /** 33-byte compressed key once the account has signed. */
  publicKey?: Uint8Array;
  balances: BalanceView[];
}

export interface TokenView {
  name: string;
  symbol: string;
  originalSymbol: string;
  totalSupply: bigint;
  owner: string;
  mintable: boolean;
}

export interface ValidatorView {
  address: Uint8Array;
  pubKey: Uint8Array;
  power: bigint;
  proposerPriority: bigint;
  name?: string;
  operator?: string;
  /** Jailed for misbehaviour (staking record). */
  jailed?: boolean;
}

export interface NodeStatusView {
  nodeId: string;
  moniker: string;
  network: string;
  version: string;
  listenAddr: string;
  rpcAddress: string;
  latestBlockHash: string;
  latestAppHash: string;
  latestBlockHeight: number;
  latestBlockTimeMs: number;
  earliestBlockHeight: number;
  catchingUp: boolean;
  validator: { address: Uint8Array; pubKey: Uint8Array; power: bigint };
}

export interface BroadcastOutcome {
  check: CheckTxResult;
  committed?: CommittedInfo;
}

/** Optional DEX views; absent until the DEX module is wired. */
export interface DexViews {
  markets(offset: number, limit: number): unknown[];
  depth(symbol: string, limit: number): unknown | undefined;
  openOrders(address: string, symbol?: string, offset?: number, limit?: number): { order: unknown[]; total: number };
  /** Closed orders, trades and their aggregates come from the node's history index (async reads). */
  closedOrders?(query: Record<string, string>): Promise<{ order: unknown[]; total: number }>;
  /** An order by id: open (state) or closed (history); undefined when neither holds it. */
  order?(id: string): Promise<unknown | undefined>;
  trades?(query: Record<string, string>): Promise<{ trade: unknown[]; total: number }>;
  ticker24h?(symbol?: string): Promise<unknown[]>;
  klines?(query: Record<string, string>): Promise<unknown[]>;
  /**
   * Every open order of the pair from committed state, bids then asks each best price first
   * and then by arrival, at most `limit` per side (default 5000); undefined for an unknown pair.
   */
  book?(symbol: string, limit?: number): BookView | undefined;
}

/** One resting order of a full-depth book (fixed8 decimal strings). */
export interface BookOrderView {
  id: string;
  owner: string;
  price: string;
  quantity: string;
  cumulativeQuantity: string;
  createdHeight: number;
}

export interface BookView {
  symbol: string;
  height: number;
  bids: BookOrderView[];
  asks: BookOrderView[];
  /** True when a side held more than `limit` orders and was cut. */
  truncated?: boolean;
}

/** Extra `/api/v1/<prefix>` routes a module adds (peg, insurance…). */
export type ExtraRoute = (path: string, query: URLSearchParams) => { status: number; body: unknown } | undefined;

export interface RpcNode {
  chainId: string;
  hrp: string;
  status(): NodeStatusView;
  account(address: string): AccountView | undefined;
  /** An account's balances by its raw address (committed state; undefined: unknown account): a cheaper `account(…).balances`. */
  balancesOf?(address: Uint8Array): BalanceView[] | undefined;
  tokens(offset: number, limit: number): TokenView[];
  token(symbol: string): TokenView | undefined;
  timelocks(address: string): unknown[];
  fees(): unknown;
  /** The current set, or the set of `height` when the node still keeps it. */
  validators(height?: number): ValidatorView[];
  abciQuery(path: string, data: Uint8Array, height?: number): QueryResponse;
  abciInfo(): { height: number; appHash: Uint8Array; version: string };
  /** Submits one tx: checkTx into the mempool; `waitCommit` waits for its block. */
  broadcast(tx: Uint8Array, waitCommit: boolean): Promise<BroadcastOutcome>;
  getTx(hash: string): Promise<StoredTx | undefined>;
  txsByAddress(address: string, opts: { offset: number; limit: number; minHeight?: number; maxHeight?: number }): Promise<{ txs: StoredTx[]; total: number }>;
  txsByHeight(height: number): Promise<StoredTx[]>;
  block(height: number): Promise<{ block: Block; hash: Uint8Array } | undefined>;
  commit(height: number): Promise<Commit | undefined>;
  blockResults(height: number): Promise<TxResult[] | undefined>;
  latestHeight(): number;
  baseHeight(): number;
  genesis(): unknown;
  mempoolInfo(): { size: number; bytes: number };
  unconfirmed(limit: number): { hash: string; tx: Uint8Array }[];
  peers(): { id: string; address: string }[];
  metrics(): Promise<string>;
  dex?: DexViews;
  extraRoutes: ExtraRoute[];
}
