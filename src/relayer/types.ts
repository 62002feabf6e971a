/**
 * What the custodian relayer moves between the external networks and the chain. Amounts are in
 * the chain's 1e-8 units (adapters convert from the network's own decimals).
 */

/** A deposit seen on an external network, once it has the configured confirmations. */
export interface DepositEvent {
  kind: 'deposit';
  asset: string;
  network: string;
  extTxId: string;
  extIndex: bigint;
  /** bech32 chain address */
  recipient: string;
  amount: bigint;
  extHeight: bigint;
}

/** The custody balance at an external height. */
export interface ReserveEvent {
  kind: 'reserve';
  asset: string;
  network: string;
  amount: bigint;
  extHeight: bigint;
}

/** An external payout of withdrawal request `requestId`. */
export interface PayoutEvent {
  kind: 'payout';
  requestId: bigint;
  extTxId: string;
  /**
   * The external block of the payout, when the source knows it. The chain lowers a network's
   * reserve by the amount when the payout completes, so the completion must be attested before
   * any reserve observed at or after this block (which already lacks the amount).
   */
  extHeight?: bigint;
}

export type RelayEvent = DepositEvent | ReserveEvent | PayoutEvent;

/** A ready withdrawal as the chain reports it (`peg/withdrawals/-/ready`). */
export interface ReadyWithdrawal {
  id: bigint;
  asset: string;
  network: string;
  extAddress: string;
  amount: bigint;
  owner: string;
  frozen: boolean;
}

export interface PollResult {
  events: RelayEvent[];
  /** Opaque adapter cursor to persist with the events (JSON-serialisable). */
  cursor: unknown;
}

/** One external source (a network of an asset). */
export interface SourceAdapter {
  /** Stable id, the key of its cursor in the state file. */
  readonly id: string;
  readonly asset: string;
  readonly network: string;
  /** Reads what happened since `cursor` (undefined on first start). */
  poll(cursor: unknown): Promise<PollResult>;
  /**
   * Handles a ready withdrawal: pays it (a paying EVM relayer) or writes a payout instruction
   * (the JSON-lines feed). Returns true when something was done that must not be repeated; the
   * relayer records the request id so a restart does not repeat it. `persist()` writes the
   * scratch to disk at once (call it before an external side effect).
   */
  handleReady?(w: ReadyWithdrawal, scratch: AdapterScratch, persist: () => void): Promise<boolean>;
  close?(): Promise<void>;
}

/** Per-adapter persistent scratch space (e.g. signed payout txs waiting to be mined). */
export type AdapterScratch = Record<string, unknown>;

export interface RelayerLogger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

export const quietLogger: RelayerLogger = { info() {}, warn() {}, error() {}, debug() {} };
