/**
 * Gov records (`sdk:x/gov` as Binance Chain's fork has them): proposals, deposits, votes and the
 * module params. Stored as JSON with a fixed field order (bigints as decimal strings), so the
 * bytes are deterministic and queries can hand them out almost unchanged.
 */
import { ProposalKind, VoteOption, type Address, type Coin } from '../../codec/types.js';

export const ProposalStatus = {
  DepositPeriod: 'DepositPeriod',
  VotingPeriod: 'VotingPeriod',
  Passed: 'Passed',
  Rejected: 'Rejected',
} as const;
export type ProposalStatusValue = (typeof ProposalStatus)[keyof typeof ProposalStatus];

export const PROPOSAL_KIND_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(ProposalKind).map(([k, v]) => [v, k]),
);
export const VOTE_OPTION_NAMES: Record<number, string> = Object.fromEntries(Object.entries(VoteOption).map(([k, v]) => [v, k]));

export interface TallyResult {
  yes: bigint;
  abstain: bigint;
  no: bigint;
  noWithVeto: bigint;
}

export interface Proposal {
  id: bigint;
  title: string;
  description: string;
  /** `ProposalKind` byte. */
  kind: number;
  proposer: Address;
  status: ProposalStatusValue;
  tally: TallyResult;
  submitTimeMs: number;
  /** End of the deposit period (submit + max_deposit_period). */
  depositEndTimeMs: number;
  totalDeposit: Coin[];
  /** 0 until the deposit reaches min_deposit. */
  votingStartTimeMs: number;
  /** As given in the msg (Go `time.Duration`, nanoseconds). */
  votingPeriodNs: bigint;
}

export interface Deposit {
  proposalId: bigint;
  depositor: Address;
  amount: Coin[];
}

export interface Vote {
  proposalId: bigint;
  voter: Address;
  option: number;
}

export interface GovParams {
  minDeposit: Coin[];
  /** Nanoseconds. */
  maxDepositPeriodNs: bigint;
  /** Longest voting period a proposal may ask for, nanoseconds. */
  maxVotingPeriodNs: bigint;
  /** Fractions as fixed-8 integers (0.5 = 50_000_000). */
  quorum: bigint;
  threshold: bigint;
  veto: bigint;
}

export const NS_PER_MS = 1_000_000n;
export const DAY_NS = 86_400_000_000_000n;

export function defaultGovParams(): GovParams {
  return {
    minDeposit: [{ denom: 'BNB', amount: 100_000_000_000n }], // 1000 BNB
    maxDepositPeriodNs: 2n * DAY_NS,
    maxVotingPeriodNs: 14n * DAY_NS,
    quorum: 50_000_000n,
    threshold: 50_000_000n,
    veto: 33_400_000n,
  };
}

/** End of the voting period in unix ms (voting start + period, the period truncated to ms). */
export function votingEndMs(p: Proposal): number {
  return p.votingStartTimeMs + Number(p.votingPeriodNs / NS_PER_MS);
}

/** ListTradingPair proposal description (`node:plugins/dex/list` ListTradingPairParams). */
export interface ListTradingPairParams {
  baseAssetSymbol: string;
  quoteAssetSymbol: string;
  initPrice: bigint;
  description: string;
  expireTimeMs: number;
}

/** DelistTradingPair proposal description (BEP6 DelistTradingPairParams). */
export interface DelistTradingPairParams {
  baseAssetSymbol: string;
  quoteAssetSymbol: string;
  justification: string;
  isExecuted: boolean;
}
