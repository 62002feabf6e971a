/**
 * What a module sees while the app runs a block or a tx. Contexts are plain data plus the
 * tx's write cache; modules never hold on to them after the call returns.
 */
import type { AppEvent, Misbehavior, VoteInfo } from './abci.js';
import type { KVWriter } from '../state/types.js';
import type { Address, DecodedTx } from '../codec/types.js';
import type { FeePool } from './fees.js';
import type { OrderRecord, TradeRecord } from '../modules/dex/types.js';

/** The subset of a pino logger the app uses. */
export interface Logger {
  info(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export const silentLogger: Logger = { info() {}, debug() {}, warn() {}, error() {} };

export interface ChainInfo {
  chainId: string;
  /** Bech32 prefix of account addresses (`bnb` / `tbnb`). */
  hrp: string;
}

export interface BlockInfo {
  height: number;
  /** Block time, unix ms (from the header). */
  timeMs: number;
  /** Time of the previous block (0 before the first block). */
  prevTimeMs: number;
  /** First block of a new UTC day (spec §E.2). */
  breathe: boolean;
  proposerAddress: Uint8Array;
  lastCommitVotes: VoteInfo[];
  misbehavior: Misbehavior[];
  hash: string;
}

export type ExecMode = 'check' | 'recheck' | 'deliver';

/** Collects events in emission order. */
export class EventSink {
  readonly events: AppEvent[] = [];
  emit(type: string, attrs: Record<string, string> | [string, string][]): void {
    const pairs = Array.isArray(attrs) ? attrs : Object.entries(attrs);
    this.events.push({ type, attributes: pairs.map(([key, value]) => ({ key, value })) });
  }
}

/**
 * The sink of check-mode txs, whose answers carry no events: `emit` builds nothing. (A handler
 * that pushes to `events` directly still can; the app empties it before every tx.)
 */
export class DiscardingEventSink extends EventSink {
  override emit(_type: string, _attrs: Record<string, string> | [string, string][]): void {}
}

export interface BlockContext {
  kv: KVWriter;
  chain: ChainInfo;
  block: BlockInfo;
  events: EventSink;
  /** Fees collected by this block so far (distributed at the end of the block). */
  fees: FeePool;
  logger: Logger;
  /** Records the block leaves to history rather than state (a tx's are kept only if it succeeds). */
  history: HistorySink;
}

/** Where closed orders and trades go: out of state, to the block's results (see `DexBlockHistory`). */
export class HistorySink {
  readonly closedOrders: OrderRecord[] = [];
  readonly trades: TradeRecord[] = [];

  /** Moves this sink's records to the end of `to` (a succeeded tx into its block). */
  moveTo(to: HistorySink): void {
    for (const o of this.closedOrders) to.closedOrders.push(o);
    for (const t of this.trades) to.trades.push(t);
    this.clear();
  }

  clear(): void {
    this.closedOrders.length = 0;
    this.trades.length = 0;
  }
}

export interface TxContext extends BlockContext {
  mode: ExecMode;
  tx: DecodedTx;
  /** UPPERCASE hex tx hash. */
  hash: string;
  /** Required signers in signature order; `signers[0]` paid the fee. */
  signers: Address[];
}
