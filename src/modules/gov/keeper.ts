/**
 * Gov keeper (`sdk:x/gov` of Binance Chain's fork, spec §C): proposals with a deposit period and
 * a voting period, deposits held in an escrow account, votes by bonded validator operators,
 * tally by validator power at the end of the voting period. Passed ⇒ deposits refunded;
 * rejected, vetoed or never activated ⇒ deposits distributed to the validators.
 *
 * Stateless like the other keepers: every call names the store view it works on. Other modules
 * plug checks for their proposal kinds in with `addHook` (dex: ListTradingPair, DelistTradingPair)
 * and read proposals through `GovReader`, so gov never imports them.
 */
import { encodeAddress, escrowAddress } from '../../codec/index.js';
import { ProposalKind, VoteOption, type Address, type Coin, type SubmitProposalMsg } from '../../codec/types.js';
import { bytesEqual } from '../../crypto/hash.js';
import type { KVReader, KVWriter } from '../../state/types.js';
import { bigintToBytes8BE, bytes8BEToBigint, concatBytes, utf8 } from '../../state/bytes.js';
import type { BlockContext } from '../../app/context.js';
import { FEE_COLLECTOR } from '../../app/fees.js';
import type { BankKeeper } from '../bank/keeper.js';
import { addCoins, coinsString } from '../bank/coins.js';
import type { StakingKeeper, Validator } from '../staking/keeper.js';
import { govError } from './errors.js';
import {
  decodeDeposit,
  decodeProposal,
  decodeVote,
  encodeDeposit,
  encodeProposal,
  encodeVote,
  govParamsToJson,
  govParamsFromJson,
} from './records.js';
import {
  NS_PER_MS,
  ProposalStatus,
  defaultGovParams,
  votingEndMs,
  type Deposit,
  type GovParams,
  type Proposal,
  type TallyResult,
  type Vote,
} from './types.js';

/** Escrow of proposal deposits (`DepositedCoinsAccAddr` of the original). */
export const GOV_DEPOSIT_ESCROW = escrowAddress('BinanceChainDepositedCoins');

export const MAX_TITLE_LENGTH = 128;
export const MAX_DESCRIPTION_LENGTH = 2048;
const FRACTION_ONE = 100_000_000n;

const K_PARAMS = utf8('gov/params');
const K_NEXT = utf8('gov/next');
const P_PROPOSAL = utf8('gov/p/');
const P_DEPOSIT = utf8('gov/d/');
const P_VOTE = utf8('gov/v/');
/** Deposit-period end queue: endMs(8) ‖ id(8). */
const P_INACTIVE = utf8('gov/iq/');
/** Voting-period end queue: endMs(8) ‖ id(8). */
const P_ACTIVE = utf8('gov/aq/');

const enc = new TextEncoder();
const dec = new TextDecoder();

const idBytes = (id: bigint) => bigintToBytes8BE(id);
const proposalKey = (id: bigint) => concatBytes(P_PROPOSAL, idBytes(id));
const depositKey = (id: bigint, a: Address) => concatBytes(P_DEPOSIT, idBytes(id), a);
const voteKey = (id: bigint, a: Address) => concatBytes(P_VOTE, idBytes(id), a);
const queueKey = (prefix: Uint8Array, endMs: number, id: bigint) => concatBytes(prefix, bigintToBytes8BE(BigInt(Math.max(0, endMs))), idBytes(id));

/** Checks another module runs on proposals of the kinds it owns. */
export interface GovHook {
  /** Throws a ChainError to reject a new proposal (stateful checks, e.g. listing rules). */
  validateProposal?(kv: KVReader, blockTimeMs: number, kind: number, description: string): void;
  /** Runs the effect of a proposal of one of the hook's kinds when it passes (peg, insurance). */
  proposalPassed?(ctx: BlockContext, p: { id: bigint; kind: number; description: string }): void;
}

/** Proposal kinds gov accepts: the original's (up to DelistTradingPair) and dexchain's own. */
const ACCEPTED_KINDS = new Set<number>(Object.values(ProposalKind).filter((k) => k !== ProposalKind.Nil));

/** What other modules (dex) read and write of gov. */
export interface GovReader {
  getProposal(kv: KVReader, id: bigint): Proposal | undefined;
  /** Every proposal, by id. */
  iterateProposals(kv: KVReader): Iterable<Proposal>;
  /** Rewrites a proposal (dex marks a delist proposal executed). */
  setProposal(kv: KVWriter, p: Proposal): void;
  addHook(h: GovHook): void;
}

export interface GovDeps {
  bank: BankKeeper;
  staking: StakingKeeper;
}

function bonded(v: Validator): boolean {
  return !v.jailed && v.power > 0n;
}

export class GovKeeper implements GovReader {
  readonly bank: BankKeeper;
  readonly staking: StakingKeeper;
  private readonly hooks: GovHook[] = [];

  constructor(deps: GovDeps) {
    this.bank = deps.bank;
    this.staking = deps.staking;
  }

  addHook(h: GovHook): void {
    this.hooks.push(h);
  }

  // -------------------------------------------------------------------------------------------
  // params

  getParams(kv: KVReader): GovParams {
    const raw = kv.get(K_PARAMS);
    return raw ? govParamsFromJson(JSON.parse(dec.decode(raw))) : defaultGovParams();
  }

  setParams(kv: KVWriter, p: GovParams): void {
    kv.set(K_PARAMS, enc.encode(JSON.stringify(govParamsToJson(p))));
  }

  // -------------------------------------------------------------------------------------------
  // records

  getProposal(kv: KVReader, id: bigint): Proposal | undefined {
    if (id < 0n || id >= 1n << 64n) return undefined;
    const b = kv.get(proposalKey(id));
    return b ? decodeProposal(b) : undefined;
  }

  setProposal(kv: KVWriter, p: Proposal): void {
    kv.set(proposalKey(p.id), encodeProposal(p));
  }

  *iterateProposals(kv: KVReader): Iterable<Proposal> {
    for (const [, v] of kv.iterate(P_PROPOSAL)) yield decodeProposal(v);
  }

  getDeposit(kv: KVReader, id: bigint, depositor: Address): Deposit | undefined {
    const b = kv.get(depositKey(id, depositor));
    return b ? decodeDeposit(b) : undefined;
  }

  deposits(kv: KVReader, id: bigint): Deposit[] {
    const out: Deposit[] = [];
    for (const [, v] of kv.iterate(concatBytes(P_DEPOSIT, idBytes(id)))) out.push(decodeDeposit(v));
    return out;
  }

  getVote(kv: KVReader, id: bigint, voter: Address): Vote | undefined {
    const b = kv.get(voteKey(id, voter));
    return b ? decodeVote(b) : undefined;
  }

  votes(kv: KVReader, id: bigint): Vote[] {
    const out: Vote[] = [];
    for (const [, v] of kv.iterate(concatBytes(P_VOTE, idBytes(id)))) out.push(decodeVote(v));
    return out;
  }

  private nextId(kv: KVWriter): bigint {
    const raw = kv.get(K_NEXT);
    const id = raw ? BigInt(dec.decode(raw)) : 1n;
    kv.set(K_NEXT, enc.encode((id + 1n).toString()));
    return id;
  }

  // -------------------------------------------------------------------------------------------
  // msgs

  /** Stateless checks of MsgSubmitProposal (ValidateBasic). */
  validateSubmitBasic(msg: SubmitProposalMsg): void {
    if (msg.title.length === 0) throw govError('invalidTitle', 'proposal title cannot be blank');
    if (msg.title.length > MAX_TITLE_LENGTH) throw govError('invalidTitle', `proposal title is longer than max length of ${MAX_TITLE_LENGTH}`);
    if (msg.description.length === 0) throw govError('invalidDescription', 'proposal description cannot be blank');
    if (msg.description.length > MAX_DESCRIPTION_LENGTH) {
      throw govError('invalidDescription', `proposal description is longer than max length of ${MAX_DESCRIPTION_LENGTH}`);
    }
    if (!ACCEPTED_KINDS.has(msg.proposal_type)) {
      throw govError('invalidProposalType', `invalid proposal type ${msg.proposal_type}`);
    }
    if (msg.voting_period <= 0n) throw govError('invalidVotingPeriod', 'voting period must be positive');
    for (const c of msg.initial_deposit) {
      if (c.amount <= 0n) throw govError('invalidDeposit', `initial deposit of ${c.denom} must be positive`);
    }
  }

  submitProposal(ctx: BlockContext, msg: SubmitProposalMsg): Proposal {
    const params = this.getParams(ctx.kv);
    if (msg.voting_period > params.maxVotingPeriodNs) {
      throw govError('invalidVotingPeriod', `voting period ${msg.voting_period}ns exceeds the maximum ${params.maxVotingPeriodNs}ns`);
    }
    for (const h of this.hooks) h.validateProposal?.(ctx.kv, ctx.block.timeMs, msg.proposal_type, msg.description);
    const id = this.nextId(ctx.kv);
    const now = ctx.block.timeMs;
    const p: Proposal = {
      id,
      title: msg.title,
      description: msg.description,
      kind: msg.proposal_type,
      proposer: msg.proposer,
      status: ProposalStatus.DepositPeriod,
      tally: { yes: 0n, abstain: 0n, no: 0n, noWithVeto: 0n },
      submitTimeMs: now,
      depositEndTimeMs: now + Number(params.maxDepositPeriodNs / NS_PER_MS),
      totalDeposit: [],
      votingStartTimeMs: 0,
      votingPeriodNs: msg.voting_period,
    };
    this.setProposal(ctx.kv, p);
    ctx.kv.set(queueKey(P_INACTIVE, p.depositEndTimeMs, id), new Uint8Array(0));
    ctx.events.emit('submit_proposal', { proposal_id: id.toString(), proposal_type: String(msg.proposal_type) });
    if (msg.initial_deposit.length > 0) return this.addDeposit(ctx, id, msg.proposer, msg.initial_deposit);
    return p;
  }

  /** Moves coins into escrow; starts the voting period once the total reaches min_deposit. */
  addDeposit(ctx: BlockContext, id: bigint, depositor: Address, amount: Coin[]): Proposal {
    const p = this.getProposal(ctx.kv, id);
    if (!p) throw govError('unknownProposal', `unknown proposal ${id}`);
    if (p.status !== ProposalStatus.DepositPeriod && p.status !== ProposalStatus.VotingPeriod) {
      throw govError('alreadyFinishedProposal', `proposal ${id} has already passed its deposit and voting periods`);
    }
    if (amount.length === 0) throw govError('invalidDeposit', 'deposit amount is empty');
    for (const c of amount) {
      if (c.denom !== 'BNB') throw govError('invalidDeposit', `deposits must be in BNB, got ${c.denom}`);
      if (c.amount <= 0n) throw govError('invalidDeposit', `deposit of ${c.denom} must be positive`);
    }
    this.bank.transfer(ctx.kv, depositor, GOV_DEPOSIT_ESCROW, amount);
    const prev = this.getDeposit(ctx.kv, id, depositor);
    const d: Deposit = { proposalId: id, depositor, amount: addCoins(prev?.amount ?? [], amount) };
    ctx.kv.set(depositKey(id, depositor), encodeDeposit(d));
    p.totalDeposit = addCoins(p.totalDeposit, amount);
    ctx.events.emit('proposal_deposit', {
      proposal_id: id.toString(),
      depositor: encodeAddress(depositor, ctx.chain.hrp),
      amount: coinsString(amount),
    });
    if (p.status === ProposalStatus.DepositPeriod && this.meetsMinDeposit(ctx.kv, p.totalDeposit)) {
      ctx.kv.delete(queueKey(P_INACTIVE, p.depositEndTimeMs, id));
      p.status = ProposalStatus.VotingPeriod;
      p.votingStartTimeMs = ctx.block.timeMs;
      ctx.kv.set(queueKey(P_ACTIVE, votingEndMs(p), id), new Uint8Array(0));
      ctx.events.emit('proposal_voting_start', { proposal_id: id.toString() });
    }
    this.setProposal(ctx.kv, p);
    return p;
  }

  private meetsMinDeposit(kv: KVReader, total: readonly Coin[]): boolean {
    const min = this.getParams(kv).minDeposit;
    return min.every((m) => (total.find((c) => c.denom === m.denom)?.amount ?? 0n) >= m.amount);
  }

  /** A bonded validator whose operator is `addr`, or undefined. */
  validatorOf(kv: KVReader, addr: Address): Validator | undefined {
    return this.staking.validators(kv).find((v) => bonded(v) && bytesEqual(v.operator, addr));
  }

  addVote(ctx: BlockContext, id: bigint, voter: Address, option: number): void {
    const p = this.getProposal(ctx.kv, id);
    if (!p) throw govError('unknownProposal', `unknown proposal ${id}`);
    if (p.status !== ProposalStatus.VotingPeriod) throw govError('inactiveProposal', `proposal ${id} is not in its voting period`);
    if (option < VoteOption.Yes || option > VoteOption.NoWithVeto) throw govError('invalidVote', `invalid vote option ${option}`);
    if (!this.validatorOf(ctx.kv, voter)) {
      throw govError('onlyValidatorVote', `${encodeAddress(voter, ctx.chain.hrp)} is not the operator of a bonded validator`);
    }
    ctx.kv.set(voteKey(id, voter), encodeVote({ proposalId: id, voter, option }));
    ctx.events.emit('proposal_vote', { proposal_id: id.toString(), voter: encodeAddress(voter, ctx.chain.hrp), option: String(option) });
  }

  // -------------------------------------------------------------------------------------------
  // end block

  /**
   * Tally by validator power (each bonded validator counts once, with the vote of its operator).
   * Fractions are compared exactly in integers: quorum (voted/total ≥ quorum), veto
   * (veto/voted > veto), threshold (yes/(voted-abstain) > threshold).
   */
  tally(kv: KVReader, p: Proposal): { passed: boolean; result: TallyResult } {
    const vals = this.staking.validators(kv).filter(bonded);
    const result: TallyResult = { yes: 0n, abstain: 0n, no: 0n, noWithVeto: 0n };
    let total = 0n;
    let voted = 0n;
    for (const v of vals) {
      total += v.power;
      const vote = this.getVote(kv, p.id, v.operator);
      if (!vote) continue;
      voted += v.power;
      if (vote.option === VoteOption.Yes) result.yes += v.power;
      else if (vote.option === VoteOption.Abstain) result.abstain += v.power;
      else if (vote.option === VoteOption.No) result.no += v.power;
      else if (vote.option === VoteOption.NoWithVeto) result.noWithVeto += v.power;
    }
    const params = this.getParams(kv);
    if (total === 0n) return { passed: false, result };
    if (voted * FRACTION_ONE < params.quorum * total) return { passed: false, result };
    const nonAbstain = voted - result.abstain;
    if (nonAbstain === 0n) return { passed: false, result };
    if (result.noWithVeto * FRACTION_ONE > params.veto * voted) return { passed: false, result };
    return { passed: result.yes * FRACTION_ONE > params.threshold * nonAbstain, result };
  }

  endBlock(ctx: BlockContext): void {
    const now = ctx.block.timeMs;
    for (const { key, id } of this.due(ctx.kv, P_INACTIVE, now)) {
      ctx.kv.delete(key);
      const p = this.getProposal(ctx.kv, id);
      if (!p || p.status !== ProposalStatus.DepositPeriod) continue;
      p.status = ProposalStatus.Rejected;
      this.setProposal(ctx.kv, p);
      this.distributeDeposits(ctx, p);
      ctx.events.emit('proposal_dropped', { proposal_id: id.toString(), reason: 'deposit period ended' });
    }
    for (const { key, id } of this.due(ctx.kv, P_ACTIVE, now)) {
      ctx.kv.delete(key);
      const p = this.getProposal(ctx.kv, id);
      if (!p || p.status !== ProposalStatus.VotingPeriod) continue;
      const { passed, result } = this.tally(ctx.kv, p);
      p.tally = result;
      p.status = passed ? ProposalStatus.Passed : ProposalStatus.Rejected;
      this.setProposal(ctx.kv, p);
      if (passed) {
        this.refundDeposits(ctx, p);
        for (const h of this.hooks) h.proposalPassed?.(ctx, { id: p.id, kind: p.kind, description: p.description });
      } else this.distributeDeposits(ctx, p);
      ctx.events.emit('proposal_result', { proposal_id: id.toString(), result: p.status });
    }
  }

  /** Queue entries with end time ≤ now, collected first (the caller deletes while walking). */
  private due(kv: KVReader, prefix: Uint8Array, now: number): { key: Uint8Array; id: bigint }[] {
    const out: { key: Uint8Array; id: bigint }[] = [];
    for (const [k] of kv.iterate(prefix)) {
      const end = bytes8BEToBigint(k.subarray(prefix.length, prefix.length + 8));
      if (end > BigInt(now)) break;
      out.push({ key: k.slice(), id: bytes8BEToBigint(k.subarray(prefix.length + 8, prefix.length + 16)) });
    }
    return out;
  }

  private takeDeposits(kv: KVWriter, p: Proposal): Deposit[] {
    const ds = this.deposits(kv, p.id);
    for (const d of ds) kv.delete(depositKey(p.id, d.depositor));
    return ds;
  }

  private refundDeposits(ctx: BlockContext, p: Proposal): void {
    for (const d of this.takeDeposits(ctx.kv, p)) {
      this.bank.transfer(ctx.kv, GOV_DEPOSIT_ESCROW, d.depositor, d.amount);
    }
  }

  /**
   * Failed proposals' deposits go to the validators (FeeForAll-like): an even split over the
   * bonded validators' operators, the remainder to the block proposer's operator (or the fee
   * collector when the proposer is unknown). Paid directly, since the block's fee pool has
   * already been distributed when gov's end block runs (spec §E.2 order).
   */
  private distributeDeposits(ctx: BlockContext, p: Proposal): void {
    let total: Coin[] = [];
    for (const d of this.takeDeposits(ctx.kv, p)) total = addCoins(total, d.amount);
    if (total.length === 0) return;
    const vals = this.staking.validators(ctx.kv).filter(bonded);
    const proposer = this.staking.getByConsensusAddress(ctx.kv, ctx.block.proposerAddress);
    const rest: Address = proposer?.operator ?? FEE_COLLECTOR;
    const n = BigInt(vals.length);
    const remainder: Coin[] = [];
    for (const c of total) {
      const each = n > 0n ? c.amount / n : 0n;
      if (each > 0n) for (const v of vals) this.bank.transfer(ctx.kv, GOV_DEPOSIT_ESCROW, v.operator, [{ denom: c.denom, amount: each }]);
      const r = c.amount - each * n;
      if (r > 0n) remainder.push({ denom: c.denom, amount: r });
    }
    if (remainder.length > 0) this.bank.transfer(ctx.kv, GOV_DEPOSIT_ESCROW, rest, remainder);
    ctx.events.emit('proposal_deposits_distributed', { proposal_id: p.id.toString(), amount: coinsString(total) });
  }
}
