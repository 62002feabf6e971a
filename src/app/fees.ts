/**
 * Block fee pool and its distribution at the end of the block (spec §B.5, pre-BEP159
 * `distributeFee`). Fees are taken from payers during the block and held here; the pool is
 * `FeeForAll` as soon as one FeeForAll fee is added.
 */
import { encodeAddress, escrowAddress } from '../codec/index.js';
import type { Address, Coin } from '../codec/types.js';
import { FeeFor, type FeeForValue } from '../modules/params/fees.js';
import type { BankKeeper } from '../modules/bank/keeper.js';
import type { StakingKeeper } from '../modules/staking/keeper.js';
import { coinsString, checkedAdd } from '../modules/bank/coins.js';
import type { BlockContext } from './context.js';
import { FEE_DENOM } from './ante.js';

/**
 * Payee when the proposer is not a known validator (e.g. a test network without validators in
 * genesis): fees are parked here instead of vanishing, so supplies stay conserved.
 */
export const FEE_COLLECTOR = escrowAddress('BinanceChainFeeCollector');

export class FeePool {
  /**
   * BNB, which nearly every fee is paid in, in a field; other denoms in the map. Resetting
   * the pool after every checkTx then touches no map (`Map.clear` allocates a new table).
   */
  private bnb = 0n;
  private readonly amounts = new Map<string, bigint>();
  private forAll = false;

  add(coins: readonly Coin[], feeFor: FeeForValue): void {
    if (feeFor === FeeFor.Free) return;
    for (const c of coins) {
      if (c.amount <= 0n) continue;
      if (c.denom === FEE_DENOM) this.bnb = checkedAdd(this.bnb, c.amount, `fee pool ${c.denom}`);
      else this.amounts.set(c.denom, checkedAdd(this.amounts.get(c.denom) ?? 0n, c.amount, `fee pool ${c.denom}`));
      if (feeFor === FeeFor.All) this.forAll = true;
    }
  }

  get isEmpty(): boolean {
    return this.bnb === 0n && this.amounts.size === 0;
  }

  get feeFor(): FeeForValue {
    return this.forAll ? FeeFor.All : FeeFor.Proposer;
  }

  coins(): Coin[] {
    const all = [...this.amounts.entries()];
    if (this.bnb > 0n) all.push([FEE_DENOM, this.bnb]);
    return all.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([denom, amount]) => ({ denom, amount }));
  }

  reset(): void {
    this.bnb = 0n;
    if (this.amounts.size > 0) this.amounts.clear();
    this.forAll = false;
  }
}

/** Pays out the block's fee pool and empties it. */
export function distributeFees(ctx: BlockContext, bank: BankKeeper, staking: StakingKeeper): void {
  const pool = ctx.fees;
  if (pool.isEmpty) return;
  const tokens = pool.coins();
  const proposer = staking.getByConsensusAddress(ctx.kv, ctx.block.proposerAddress);
  const proposerPayee: Address = proposer?.operator ?? FEE_COLLECTOR;
  const hrp = ctx.chain.hrp;
  const pay = (to: Address, coins: Coin[]): void => {
    if (coins.length === 0) return;
    bank.addCoins(ctx.kv, to, coins);
    ctx.events.emit('fee_distribution', { recipient: encodeAddress(to, hrp), amount: coinsString(coins) });
  };

  if (pool.feeFor === FeeFor.Proposer) {
    pay(proposerPayee, tokens);
  } else {
    const payees: Address[] = [];
    for (const v of ctx.block.lastCommitVotes) {
      const val = staking.getByConsensusAddress(ctx.kv, v.validatorAddress);
      if (val) payees.push(val.operator);
    }
    const n = BigInt(payees.length);
    const avg: Coin[] = [];
    const rounding: Coin[] = [];
    if (n > 0n) {
      for (const t of tokens) {
        const a = t.amount / n;
        const r = t.amount - a * n;
        if (a !== 0n) avg.push({ denom: t.denom, amount: a });
        if (r !== 0n) rounding.push({ denom: t.denom, amount: r });
      }
    }
    if (avg.length === 0) {
      pay(proposerPayee, tokens);
    } else {
      for (const p of payees) pay(p, avg);
      pay(proposerPayee, rounding);
    }
  }
  pool.reset();
}
