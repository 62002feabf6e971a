/**
 * Insurance fund (Binance SAFU on chain): a module account that takes `fee_share_bps` of every
 * block's fees before they are distributed, and pays out only on governance's word. Its balance,
 * totals and payout history are queryable.
 *
 * State:
 *   ins/params           {fee_share_bps, gov_authority}
 *   ins/stats            {received: Coin[], paid: Coin[], next_payout_id}
 *   ins/payout/<id:20>   {id, recipient, amount, reason, origin, height}
 */
import { encodeAddress, escrowAddress, formatFixed8 } from '../../codec/index.js';
import type { Address, Coin } from '../../codec/types.js';
import { fromHex, toHex } from '../../crypto/hash.js';
import type { KVReader, KVWriter } from '../../state/types.js';
import type { FeePool } from '../../app/fees.js';
import { addCoins, subCoins } from '../bank/coins.js';
import { insuranceError } from './errors.js';
import type { InsuranceBankKeeper, InsuranceExecContext } from './expected_keepers.js';

export const INSURANCE_FUND_ADDRESS = escrowAddress('dexchain/insurance');
export const BPS = 10_000n;

const enc = new TextEncoder();
const dec = new TextDecoder();
const PARAMS = enc.encode('ins/params');
const STATS = enc.encode('ins/stats');
const PAYOUT_PREFIX = enc.encode('ins/payout/');
const payoutKey = (id: bigint) => enc.encode(`ins/payout/${id.toString().padStart(20, '0')}`);

export interface InsuranceParams {
  /** Share of each block's fees, basis points (default 1000 = 10 %). */
  feeShareBps: bigint;
  /** Account allowed to send `insurance/GovPayout` (empty: proposals only). */
  govAuthority: Address;
}

export interface InsuranceStats {
  received: Coin[];
  paid: Coin[];
  nextPayoutId: bigint;
}

export interface InsurancePayout {
  id: bigint;
  recipient: Address;
  amount: Coin[];
  reason: string;
  origin: string;
  height: bigint;
}

const coinsJ = (cs: Coin[]) => cs.map((c) => ({ denom: c.denom, amount: c.amount.toString() }));
const coinsD = (j: { denom: string; amount: string }[]): Coin[] => j.map((c) => ({ denom: c.denom, amount: BigInt(c.amount) }));

export class InsuranceKeeper {
  constructor(readonly bank: InsuranceBankKeeper) {}

  params(kv: KVReader): InsuranceParams {
    const raw = kv.get(PARAMS);
    if (!raw) return { feeShareBps: 1_000n, govAuthority: new Uint8Array(0) };
    const j = JSON.parse(dec.decode(raw)) as { fee_share_bps: string; gov_authority: string };
    return { feeShareBps: BigInt(j.fee_share_bps), govAuthority: fromHex(j.gov_authority) };
  }

  setParams(kv: KVWriter, p: InsuranceParams): void {
    kv.set(PARAMS, enc.encode(JSON.stringify({ fee_share_bps: p.feeShareBps.toString(), gov_authority: toHex(p.govAuthority) })));
  }

  stats(kv: KVReader): InsuranceStats {
    const raw = kv.get(STATS);
    if (!raw) return { received: [], paid: [], nextPayoutId: 1n };
    const j = JSON.parse(dec.decode(raw)) as { received: { denom: string; amount: string }[]; paid: { denom: string; amount: string }[]; next_payout_id: string };
    return { received: coinsD(j.received), paid: coinsD(j.paid), nextPayoutId: BigInt(j.next_payout_id) };
  }

  private setStats(kv: KVWriter, s: InsuranceStats): void {
    kv.set(STATS, enc.encode(JSON.stringify({ received: coinsJ(s.received), paid: coinsJ(s.paid), next_payout_id: s.nextPayoutId.toString() })));
  }

  /**
   * Takes the fund's share out of the block's fee pool (before `distributeFees` runs): the pool
   * is refilled with the rest under the same fee-for mode, so validators get what they would
   * have got from the smaller pool.
   */
  takeFeeShare(ctx: InsuranceExecContext & { fees: FeePool }): void {
    const pool = ctx.fees;
    if (pool.isEmpty) return;
    const bps = this.params(ctx.kv).feeShareBps;
    if (bps <= 0n) return;
    const coins = pool.coins();
    const share: Coin[] = [];
    const rest: Coin[] = [];
    for (const c of coins) {
      const s = (c.amount * bps) / BPS;
      if (s > 0n) share.push({ denom: c.denom, amount: s });
      if (c.amount - s > 0n) rest.push({ denom: c.denom, amount: c.amount - s });
    }
    if (share.length === 0) return;
    const feeFor = pool.feeFor;
    pool.reset();
    pool.add(rest, feeFor);
    this.bank.addCoins(ctx.kv, INSURANCE_FUND_ADDRESS, share);
    const st = this.stats(ctx.kv);
    st.received = addCoins(st.received, share);
    this.setStats(ctx.kv, st);
    ctx.events.emit('insurance_fee', { amount: share.map((c) => `${c.amount}${c.denom}`).join(',') });
  }

  /** Pays from the fund (governance only). */
  payout(ctx: InsuranceExecContext, recipient: Address, amount: Coin[], reason: string, origin: string): InsurancePayout {
    for (const c of amount) {
      const have = this.bank.getBalance(ctx.kv, INSURANCE_FUND_ADDRESS, c.denom);
      if (have < c.amount) throw insuranceError('insufficientFund', `the insurance fund holds ${formatFixed8(have)} ${c.denom}, less than ${formatFixed8(c.amount)}`);
    }
    this.bank.transfer(ctx.kv, INSURANCE_FUND_ADDRESS, recipient, amount);
    const st = this.stats(ctx.kv);
    st.paid = addCoins(st.paid, amount);
    const p: InsurancePayout = { id: st.nextPayoutId, recipient, amount, reason, origin, height: BigInt(ctx.block.height) };
    st.nextPayoutId += 1n;
    this.setStats(ctx.kv, st);
    ctx.kv.set(
      payoutKey(p.id),
      enc.encode(JSON.stringify({ id: p.id.toString(), recipient: toHex(recipient), amount: coinsJ(amount), reason, origin, height: p.height.toString() })),
    );
    ctx.events.emit('insurance_payout', {
      id: p.id.toString(),
      recipient: encodeAddress(recipient, ctx.chain.hrp),
      amount: amount.map((c) => `${c.amount}${c.denom}`).join(','),
      origin,
    });
    return p;
  }

  payouts(kv: KVReader, limit = 1000): InsurancePayout[] {
    const out: InsurancePayout[] = [];
    for (const [, v] of kv.iterate(PAYOUT_PREFIX, { reverse: true, limit })) {
      const j = JSON.parse(dec.decode(v)) as { id: string; recipient: string; amount: { denom: string; amount: string }[]; reason: string; origin: string; height: string };
      out.push({ id: BigInt(j.id), recipient: fromHex(j.recipient), amount: coinsD(j.amount), reason: j.reason, origin: j.origin, height: BigInt(j.height) });
    }
    return out;
  }
}

/** The fund holds at least what it received less what it paid (more only through gifts). */
export function insuranceFundBacked(kv: KVReader, keeper: InsuranceKeeper, strict = false): string | undefined {
  const st = keeper.stats(kv);
  let owed: Coin[] = st.received;
  try {
    owed = subCoins(st.received, st.paid, 'insurance');
  } catch {
    return `insurance paid ${JSON.stringify(coinsJ(st.paid))} more than it received ${JSON.stringify(coinsJ(st.received))}`;
  }
  for (const c of owed) {
    const have = keeper.bank.getBalance(kv, INSURANCE_FUND_ADDRESS, c.denom);
    if (have < c.amount || (strict && have !== c.amount)) return `insurance fund holds ${have}${c.denom}, books say ${c.amount}${c.denom}`;
  }
  return undefined;
}
