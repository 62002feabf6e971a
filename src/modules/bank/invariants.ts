/**
 * Bank invariants (Cosmos `x/bank` style): named checks over the whole state that tests run
 * after operations. Each returns `undefined` when it holds, or a description of the breach.
 */
import type { KVReader } from '../../state/types.js';
import { encodeAddress } from '../../codec/index.js';
import type { BankKeeper } from './keeper.js';
import { addCoins } from './coins.js';
import type { Coin } from '../../codec/types.js';

export type InvariantResult = string | undefined;

export function nonNegativeBalances(kv: KVReader, bank: BankKeeper): InvariantResult {
  for (const a of bank.iterateAccounts(kv)) {
    for (const [field, coins] of [['free', a.coins], ['frozen', a.frozen], ['locked', a.locked]] as const) {
      for (const c of coins) {
        if (c.amount <= 0n) return `account ${encodeAddress(a.address, 'addr')} has ${field} ${c.amount}${c.denom}`;
      }
    }
  }
  return undefined;
}

/** Totals (free + frozen + locked) over all accounts, per denom. */
export function totalBalances(kv: KVReader, bank: BankKeeper): Coin[] {
  let total: Coin[] = [];
  for (const a of bank.iterateAccounts(kv)) total = addCoins(addCoins(addCoins(total, a.coins), a.frozen), a.locked);
  return total;
}

/**
 * Σ balances of each denom equals the token's total supply, and no balance is held of a denom
 * that has no token. `supplies` comes from the tokens keeper (bank does not import tokens).
 */
export function totalSupplyMatchesBalances(kv: KVReader, bank: BankKeeper, supplies: Map<string, bigint>): InvariantResult {
  const totals = new Map(totalBalances(kv, bank).map((c) => [c.denom, c.amount]));
  for (const [denom, amount] of totals) {
    const s = supplies.get(denom);
    if (s === undefined) return `balances hold ${amount}${denom} but no token ${denom} exists`;
  }
  for (const [denom, supply] of supplies) {
    const held = totals.get(denom) ?? 0n;
    if (held !== supply) return `token ${denom}: supply ${supply}, balances sum to ${held}`;
  }
  return undefined;
}
