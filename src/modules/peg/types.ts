/**
 * Peg messages and state records. Amounts are bigints of 1e-8 units (the chain's fixed-8
 * scale, whatever the external network's own decimals are); heights are chain heights; times
 * are block times in unix ms.
 */
import type { Address, Coin } from '../../codec/types.js';

// ---------------------------------------------------------------------------------------------
// messages

/** A custodian's claim that `amount` of `asset` arrived in custody on `network`. */
export interface AttestDepositMsg {
  type: 'peg/AttestDeposit';
  from: Address;
  asset: string;
  network: string;
  ext_tx_id: string;
  ext_index: bigint;
  recipient: Address;
  amount: bigint;
}

/** A holder asks to take `amount` out to `ext_address` on `network`. */
export interface WithdrawMsg {
  type: 'peg/Withdraw';
  from: Address;
  asset: string;
  network: string;
  ext_address: string;
  amount: bigint;
}

/** A custodian's claim that request `request_id` was paid by external tx `ext_tx_id`. */
export interface AttestWithdrawalMsg {
  type: 'peg/AttestWithdrawal';
  from: Address;
  request_id: bigint;
  ext_tx_id: string;
}

/** A guardian vote (or the owner) to cancel a delayed withdrawal; it is refunded. */
export interface CancelWithdrawalMsg {
  type: 'peg/CancelWithdrawal';
  from: Address;
  request_id: bigint;
  reason: string;
}

export type PauseDirection = 'deposit' | 'withdraw' | 'both';
export const PAUSE_DIRECTIONS: readonly PauseDirection[] = ['deposit', 'withdraw', 'both'];

/** A guardian vote to pause an asset in one or both directions. Unpausing is governance's. */
export interface PauseMsg {
  type: 'peg/Pause';
  from: Address;
  asset: string;
  direction: string;
}

/** A custodian's claim of the custody balance of `asset` on `network` at external height `ext_height`. */
export interface AttestReservesMsg {
  type: 'peg/AttestReserves';
  from: Address;
  asset: string;
  network: string;
  amount: bigint;
  ext_height: bigint;
}

/**
 * The direct governance path: the configured `gov_authority` runs a governance action (the
 * same JSON a passed proposal carries). Disabled when no authority is configured; meant for
 * test networks and for the time before the gov module routes proposals to the peg.
 */
export interface PegGovActionMsg {
  type: 'peg/GovAction';
  from: Address;
  action: string;
}

export interface InsuranceGovPayoutMsg {
  type: 'insurance/GovPayout';
  from: Address;
  recipient: Address;
  amount: Coin[];
  reason: string;
}

export type PegMsg =
  | AttestDepositMsg
  | WithdrawMsg
  | AttestWithdrawalMsg
  | CancelWithdrawalMsg
  | PauseMsg
  | AttestReservesMsg
  | PegGovActionMsg;

// ---------------------------------------------------------------------------------------------
// records

/** `num/den` of total custodian weight. */
export interface Fraction {
  num: bigint;
  den: bigint;
}

export interface Custodian {
  address: Address;
  weight: bigint;
}

export interface PegParams {
  /** Weight needed for a deposit, payout or reserve claim (> 1/2, default 2/3). */
  attestThreshold: Fraction;
  /** Weight needed to pause or cancel (default 0/1: any single custodian). */
  guardianThreshold: Fraction;
  /** A new custodian set takes effect this many blocks after governance passes it. */
  custodianChangeDelayBlocks: bigint;
  /** Open withdrawals older than this may be refunded by governance. */
  withdrawalTimeoutBlocks: bigint;
  /** Most queued (approved but held) deposits retried per block. */
  maxQueuedMintsPerBlock: bigint;
  /** Account allowed to send `peg/GovAction` (empty: the direct path is off). */
  govAuthority: Address;
}

export interface AssetLimits {
  /** Length of a quota window, ms of block time (windows are fixed epochs: ⌊time / window⌋). */
  windowMs: bigint;
  /** Most one account may withdraw per window (0 = no per-account limit). */
  perAccountOutflow: bigint;
  /** Aggregate withdrawals per window, absolute (0 = none). */
  outflowAbs: bigint;
  /** Aggregate withdrawals per window, basis points of the supply at the window's start (0 = none). */
  outflowPctBps: bigint;
  /** Aggregate mints per window, absolute (0 = none). */
  inflowAbs: bigint;
  /** Aggregate mints per window, basis points of the supply at the window's start (0 = none). */
  inflowPctBps: bigint;
  /** Withdrawals strictly above this are delayed (0 = never). */
  largeWithdrawal: bigint;
  delayBlocks: bigint;
  minWithdrawal: bigint;
}

export interface Network {
  name: string;
  /** `evm` (0x addresses), `bitcoin`, `omni` or `other`: selects the external address check. */
  kind: string;
  custodyAddresses: string[];
  /** Informational: confirmations the relayers wait for. */
  confirmations: bigint;
  /** Decimals of the external token; withdrawals must be payable exactly (≤ 8 → any amount). */
  decimals: bigint;
  depositsEnabled: boolean;
  withdrawalsEnabled: boolean;
  /** Last attested custody balance, less payouts completed since. */
  reserve: bigint;
  reserveExtHeight: bigint;
  reserveHeight: bigint;
  /** Escrowed, not yet paid withdrawals on this network. */
  pendingOut: bigint;
  mintedTotal: bigint;
  paidTotal: bigint;
}

export interface Asset {
  /** Base symbol, e.g. `BTC`. */
  symbol: string;
  /** The BEP2 denom the module owns, e.g. `BTC-1A2`. */
  denom: string;
  name: string;
  networks: Network[];
  limits: AssetLimits;
  pausedDeposits: boolean;
  pausedWithdrawals: boolean;
  minted: bigint;
  burned: bigint;
  escrow: bigint;
  /** Set while attested reserves are below the supply (the low-coverage event fires on the edge). */
  coverageLow: boolean;
}

export type DepositStatus = 'pending' | 'queued' | 'minted' | 'frozen' | 'rejected';

export interface DepositPayload {
  asset: string;
  recipient: Address;
  amount: bigint;
  attesters: Address[];
}

export interface DepositClaim {
  key: string;
  network: string;
  extTxId: string;
  extIndex: bigint;
  status: DepositStatus;
  payloads: DepositPayload[];
  firstHeight: bigint;
  /** Height of the mint, freeze or rejection. */
  doneHeight: bigint;
  /** Why a queued claim waits (quota, coverage, paused). */
  note: string;
}

export type WithdrawalStatus = 'pending' | 'delayed' | 'ready' | 'completed' | 'cancelled' | 'refunded';
export const OPEN_WITHDRAWAL: readonly WithdrawalStatus[] = ['pending', 'delayed', 'ready'];

export interface PayoutClaim {
  extTxId: string;
  attesters: Address[];
}

export interface Withdrawal {
  id: bigint;
  owner: Address;
  asset: string;
  denom: string;
  network: string;
  extAddress: string;
  amount: bigint;
  status: WithdrawalStatus;
  createdHeight: bigint;
  createdTimeMs: bigint;
  releaseHeight: bigint;
  /** Set when custodians attested different payouts; governance resolves. */
  frozen: boolean;
  payouts: PayoutClaim[];
  extTxId: string;
  /** Limits as checked when the request was made (the limits invariant re-checks them). */
  check: { accountUsed: bigint; accountLimit: bigint; aggregateUsed: bigint; aggregateQuota: bigint };
  history: { status: string; height: bigint; note: string }[];
}

export interface WindowUsage {
  startMs: bigint;
  supplyAtStart: bigint;
  used: bigint;
  /** The quota in force at the last increment (0 = unlimited). */
  quota: bigint;
}

export interface ReserveClaim {
  asset: string;
  network: string;
  extHeight: bigint;
  status: 'pending' | 'conflict';
  payloads: { amount: bigint; attesters: Address[] }[];
}

export interface PendingCustodianSet {
  effectiveHeight: bigint;
  custodians: Custodian[];
  attestThreshold?: Fraction;
  origin: string;
}
