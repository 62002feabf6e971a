/**
 * State encoding of gov records and the JSON shapes the queries return. The stored form is
 * JSON built field by field (fixed order, bigints as strings) so it is deterministic.
 */
import { encodeAddress, formatFixed8, parseFixed8 } from '../../codec/index.js';
import type { Coin } from '../../codec/types.js';
import { fromHex, toHex } from '../../crypto/hash.js';
import { govError } from './errors.js';
import {
  PROPOSAL_KIND_NAMES,
  VOTE_OPTION_NAMES,
  type DelistTradingPairParams,
  type Deposit,
  type GovParams,
  type ListTradingPairParams,
  type Proposal,
  type ProposalStatusValue,
  type Vote,
  defaultGovParams,
  votingEndMs,
} from './types.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

const coinsToJson = (c: readonly Coin[]) => c.map((x) => ({ denom: x.denom, amount: x.amount.toString() }));
const coinsFromJson = (c: { denom: string; amount: string }[]): Coin[] => c.map((x) => ({ denom: x.denom, amount: BigInt(x.amount) }));

interface ProposalStored {
  id: string;
  title: string;
  description: string;
  kind: number;
  proposer: string;
  status: ProposalStatusValue;
  tally: [string, string, string, string];
  submit: number;
  depositEnd: number;
  totalDeposit: { denom: string; amount: string }[];
  votingStart: number;
  votingPeriodNs: string;
}

export function encodeProposal(p: Proposal): Uint8Array {
  const s: ProposalStored = {
    id: p.id.toString(),
    title: p.title,
    description: p.description,
    kind: p.kind,
    proposer: toHex(p.proposer),
    status: p.status,
    tally: [p.tally.yes.toString(), p.tally.abstain.toString(), p.tally.no.toString(), p.tally.noWithVeto.toString()],
    submit: p.submitTimeMs,
    depositEnd: p.depositEndTimeMs,
    totalDeposit: coinsToJson(p.totalDeposit),
    votingStart: p.votingStartTimeMs,
    votingPeriodNs: p.votingPeriodNs.toString(),
  };
  return enc.encode(JSON.stringify(s));
}

export function decodeProposal(b: Uint8Array): Proposal {
  const s = JSON.parse(dec.decode(b)) as ProposalStored;
  return {
    id: BigInt(s.id),
    title: s.title,
    description: s.description,
    kind: s.kind,
    proposer: fromHex(s.proposer),
    status: s.status,
    tally: { yes: BigInt(s.tally[0]), abstain: BigInt(s.tally[1]), no: BigInt(s.tally[2]), noWithVeto: BigInt(s.tally[3]) },
    submitTimeMs: s.submit,
    depositEndTimeMs: s.depositEnd,
    totalDeposit: coinsFromJson(s.totalDeposit),
    votingStartTimeMs: s.votingStart,
    votingPeriodNs: BigInt(s.votingPeriodNs),
  };
}

export function encodeDeposit(d: Deposit): Uint8Array {
  return enc.encode(JSON.stringify({ id: d.proposalId.toString(), depositor: toHex(d.depositor), amount: coinsToJson(d.amount) }));
}

export function decodeDeposit(b: Uint8Array): Deposit {
  const s = JSON.parse(dec.decode(b)) as { id: string; depositor: string; amount: { denom: string; amount: string }[] };
  return { proposalId: BigInt(s.id), depositor: fromHex(s.depositor), amount: coinsFromJson(s.amount) };
}

export function encodeVote(v: Vote): Uint8Array {
  return enc.encode(JSON.stringify({ id: v.proposalId.toString(), voter: toHex(v.voter), option: v.option }));
}

export function decodeVote(b: Uint8Array): Vote {
  const s = JSON.parse(dec.decode(b)) as { id: string; voter: string; option: number };
  return { proposalId: BigInt(s.id), voter: fromHex(s.voter), option: s.option };
}

// ---------------------------------------------------------------------------------------------
// params (genesis `app_state.gov`, cosmos-style names; durations in nanoseconds as strings)

export interface GovParamsJson {
  deposit_params: { min_deposit: { denom: string; amount: string }[]; max_deposit_period: string };
  voting_params: { max_voting_period: string };
  tally_params: { quorum: string; threshold: string; veto: string };
}

export function govParamsToJson(p: GovParams): GovParamsJson {
  const frac = (v: bigint) => formatFixed8(v);
  return {
    deposit_params: { min_deposit: coinsToJson(p.minDeposit), max_deposit_period: p.maxDepositPeriodNs.toString() },
    voting_params: { max_voting_period: p.maxVotingPeriodNs.toString() },
    tally_params: { quorum: frac(p.quorum), threshold: frac(p.threshold), veto: frac(p.veto) },
  };
}

function nonNegInt(v: unknown, path: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v)) v = String(v);
  if (typeof v !== 'string' || !/^\d{1,19}$/.test(v)) throw govError('invalidGenesis', `genesis app_state.gov.${path}: expected a non-negative integer string`);
  const b = BigInt(v);
  if (b >= 1n << 63n) throw govError('invalidGenesis', `genesis app_state.gov.${path}: overflows int64`);
  return b;
}

function fraction(v: unknown, path: string): bigint {
  if (typeof v !== 'string' && typeof v !== 'number') throw govError('invalidGenesis', `genesis app_state.gov.${path}: expected a decimal like "0.5"`);
  let f: bigint;
  try {
    f = parseFixed8(String(v));
  } catch {
    throw govError('invalidGenesis', `genesis app_state.gov.${path}: ${JSON.stringify(v)} is not a decimal with up to 8 places`);
  }
  if (f < 0n || f > 100_000_000n) throw govError('invalidGenesis', `genesis app_state.gov.${path}: must be between 0 and 1`);
  return f;
}

/** Parses a (partial) `app_state.gov`; missing fields keep the defaults. */
export function govParamsFromJson(raw: unknown): GovParams {
  const p = defaultGovParams();
  if (raw === undefined || raw === null) return p;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw govError('invalidGenesis', 'genesis app_state.gov must be an object');
  const j = raw as Partial<GovParamsJson>;
  if (j.deposit_params) {
    const d = j.deposit_params;
    if (d.min_deposit !== undefined) {
      if (!Array.isArray(d.min_deposit)) throw govError('invalidGenesis', 'genesis app_state.gov.deposit_params.min_deposit must be an array');
      p.minDeposit = d.min_deposit
        .map((c, i) => ({ denom: String(c.denom), amount: nonNegInt(c.amount, `deposit_params.min_deposit[${i}].amount`) }))
        .filter((c) => c.amount > 0n)
        .sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0));
    }
    if (d.max_deposit_period !== undefined) p.maxDepositPeriodNs = nonNegInt(d.max_deposit_period, 'deposit_params.max_deposit_period');
  }
  if (j.voting_params?.max_voting_period !== undefined) {
    p.maxVotingPeriodNs = nonNegInt(j.voting_params.max_voting_period, 'voting_params.max_voting_period');
  }
  if (j.tally_params) {
    const t = j.tally_params;
    if (t.quorum !== undefined) p.quorum = fraction(t.quorum, 'tally_params.quorum');
    if (t.threshold !== undefined) p.threshold = fraction(t.threshold, 'tally_params.threshold');
    if (t.veto !== undefined) p.veto = fraction(t.veto, 'tally_params.veto');
  }
  if (p.maxDepositPeriodNs <= 0n) throw govError('invalidGenesis', 'genesis app_state.gov.deposit_params.max_deposit_period must be positive');
  if (p.maxVotingPeriodNs <= 0n) throw govError('invalidGenesis', 'genesis app_state.gov.voting_params.max_voting_period must be positive');
  return p;
}

// ---------------------------------------------------------------------------------------------
// query JSON (amino-JSON-like, as `bnbcli gov query-proposal` prints it)

const iso = (ms: number): string => new Date(ms).toISOString();

export function proposalToJson(p: Proposal, hrp: string): object {
  return {
    type: 'gov/TextProposal',
    value: {
      proposal_id: p.id.toString(),
      title: p.title,
      description: p.description,
      proposal_type: PROPOSAL_KIND_NAMES[p.kind] ?? 'Nil',
      proposer: encodeAddress(p.proposer, hrp),
      proposal_status: p.status,
      tally_result: {
        yes: p.tally.yes.toString(),
        abstain: p.tally.abstain.toString(),
        no: p.tally.no.toString(),
        no_with_veto: p.tally.noWithVeto.toString(),
      },
      submit_time: iso(p.submitTimeMs),
      deposit_end_time: iso(p.depositEndTimeMs),
      total_deposit: coinsToJson(p.totalDeposit),
      voting_start_time: p.votingStartTimeMs > 0 ? iso(p.votingStartTimeMs) : '0001-01-01T00:00:00Z',
      voting_end_time: p.votingStartTimeMs > 0 ? iso(votingEndMs(p)) : '0001-01-01T00:00:00Z',
      voting_period: p.votingPeriodNs.toString(),
    },
  };
}

export function depositToJson(d: Deposit, hrp: string): object {
  return { proposal_id: d.proposalId.toString(), depositer: encodeAddress(d.depositor, hrp), amount: coinsToJson(d.amount) };
}

export function voteToJson(v: Vote, hrp: string): object {
  return { proposal_id: v.proposalId.toString(), voter: encodeAddress(v.voter, hrp), option: VOTE_OPTION_NAMES[v.option] ?? 'Empty' };
}

// ---------------------------------------------------------------------------------------------
// proposal descriptions of the DEX kinds

function parseJsonObject(s: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch (e) {
    throw govError('invalidDescription', `${what}: description is not JSON: ${(e as Error).message}`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw govError('invalidDescription', `${what}: description must be a JSON object`);
  return v as Record<string, unknown>;
}

/**
 * `init_price` may exceed 2^53, which JSON.parse would round; the digits are read from the text
 * (a JSON number, or a string of digits).
 */
function rawIntegerField(text: string, field: string): bigint | undefined {
  const m = new RegExp(`"${field}"\\s*:\\s*"?(-?\\d+)"?`).exec(text);
  return m ? BigInt(m[1]!) : undefined;
}

export function parseListParams(description: string): ListTradingPairParams {
  const what = 'ListTradingPair proposal';
  const o = parseJsonObject(description, what);
  const base = o.base_asset_symbol;
  const quote = o.quote_asset_symbol;
  if (typeof base !== 'string' || !base) throw govError('invalidDescription', `${what}: base_asset_symbol missing`);
  if (typeof quote !== 'string' || !quote) throw govError('invalidDescription', `${what}: quote_asset_symbol missing`);
  const initPrice = rawIntegerField(description, 'init_price');
  if (initPrice === undefined) throw govError('invalidDescription', `${what}: init_price missing`);
  const expire = o.expire_time;
  const expireTimeMs = typeof expire === 'string' ? Date.parse(expire) : NaN;
  if (Number.isNaN(expireTimeMs)) throw govError('invalidDescription', `${what}: expire_time must be an RFC 3339 time`);
  return {
    baseAssetSymbol: base,
    quoteAssetSymbol: quote,
    initPrice,
    description: typeof o.description === 'string' ? o.description : '',
    expireTimeMs,
  };
}

export function parseDelistParams(description: string): DelistTradingPairParams {
  const what = 'DelistTradingPair proposal';
  const o = parseJsonObject(description, what);
  const base = o.base_asset_symbol;
  const quote = o.quote_asset_symbol;
  if (typeof base !== 'string' || !base) throw govError('invalidDescription', `${what}: base_asset_symbol missing`);
  if (typeof quote !== 'string' || !quote) throw govError('invalidDescription', `${what}: quote_asset_symbol missing`);
  return {
    baseAssetSymbol: base,
    quoteAssetSymbol: quote,
    justification: typeof o.justification === 'string' ? o.justification : '',
    isExecuted: o.is_executed === true,
  };
}

export function delistParamsToDescription(p: DelistTradingPairParams): string {
  return JSON.stringify({
    base_asset_symbol: p.baseAssetSymbol,
    quote_asset_symbol: p.quoteAssetSymbol,
    justification: p.justification,
    is_executed: p.isExecuted,
  });
}
