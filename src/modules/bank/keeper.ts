/**
 * Bank keeper: accounts and balances. Stateless: every call names the store view it works on
 * (a tx cache, the working state, or the committed state for queries), so the same keeper
 * serves checkTx, deliverTx and queries. Other modules use it through `BankKeeper`.
 */
import { rootError } from '../../errors.js';
import type { Address, Coin } from '../../codec/types.js';
import type { KVReader, KVWriter, ValueCodec } from '../../state/types.js';
import { readDecoded, writeDecoded } from '../../state/decoded.js';
import { accountKey, accountPrefix, decodeAccount, encodeAccount, type Account } from './account.js';
import { addCoins, amountOf, subCoins, validateCoins } from './coins.js';

const NEXT_ACCOUNT_NUMBER = new TextEncoder().encode('bank/nextAccountNumber');
const enc = new TextEncoder();
const dec = new TextDecoder();

export interface BankKeeper {
  /**
   * A copy of the account. Its coin arrays may be shared with a cache: replace them
   * (`acc.coins = addCoins(...)`), never mutate them in place.
   */
  getAccount(kv: KVReader, addr: Address): Account | undefined;
  /**
   * The account as the view holds it, not copied: for a look that changes nothing (flags, a
   * balance). Never change it or keep it.
   */
  peekAccount(kv: KVReader, addr: Address): Readonly<Account> | undefined;
  /**
   * Stores `acc` itself (no copy): from here on the view owns the object, so the caller must
   * not change it afterwards (get it again to make another change). Every caller follows
   * get → change → set.
   */
  setAccount(kv: KVWriter, acc: Account): void;
  /** The account, created (with the next account number) if it does not exist. */
  getOrCreateAccount(kv: KVWriter, addr: Address): Account;
  iterateAccounts(kv: KVReader): Iterable<Account>;
  /** Free balance of one denom. */
  getBalance(kv: KVReader, addr: Address, denom: string): bigint;
  addCoins(kv: KVWriter, addr: Address, coins: readonly Coin[]): Account;
  subtractCoins(kv: KVWriter, addr: Address, coins: readonly Coin[]): Account;
  transfer(kv: KVWriter, from: Address, to: Address, coins: readonly Coin[]): void;
  /** free → locked (open orders). */
  lockCoins(kv: KVWriter, addr: Address, coins: readonly Coin[]): void;
  unlockCoins(kv: KVWriter, addr: Address, coins: readonly Coin[]): void;
  /** Removes coins from the locked balance (a filled order pays out of it). */
  subtractLockedCoins(kv: KVWriter, addr: Address, coins: readonly Coin[]): void;
  freeze(kv: KVWriter, addr: Address, coin: Coin): void;
  unfreeze(kv: KVWriter, addr: Address, coin: Coin): void;
}

/**
 * Accounts travel through the state views as objects (see `ValueCodec`): a tx reads the same
 * account several times (ante, fee, handler) and a block rewrites hot accounts many times, yet
 * the amino bytes are decoded about once per block and encoded once, at the app hash.
 * Objects handed out by the views are shared, so the keeper copies on the way out; on the way in
 * it stores the caller's object as it is (the caller gave it up, see `setAccount`).
 */
export const ACCOUNT_CODEC: ValueCodec<Account> = { encode: encodeAccount, decode: decodeAccount };

function cloneAccount(a: Account): Account {
  // shallow: callers replace coin arrays (never mutate them) and set scalar fields;
  // field by field (not a spread) keeps one hidden class on this hot path
  const c: Account = { address: a.address, coins: a.coins, frozen: a.frozen, locked: a.locked, accountNumber: a.accountNumber, sequence: a.sequence, flags: a.flags };
  if (a.pubKey !== undefined) c.pubKey = a.pubKey;
  return c;
}

export class Bank implements BankKeeper {
  getAccount(kv: KVReader, addr: Address): Account | undefined {
    const a = readDecoded(kv, accountKey(addr), ACCOUNT_CODEC);
    return a === undefined ? undefined : cloneAccount(a);
  }

  peekAccount(kv: KVReader, addr: Address): Readonly<Account> | undefined {
    return readDecoded(kv, accountKey(addr), ACCOUNT_CODEC);
  }

  setAccount(kv: KVWriter, acc: Account): void {
    writeDecoded(kv, accountKey(acc.address), acc, ACCOUNT_CODEC);
  }

  getOrCreateAccount(kv: KVWriter, addr: Address): Account {
    const existing = this.getAccount(kv, addr);
    if (existing) return existing;
    if (addr.length !== 20) throw rootError('invalidAddress', `address must be 20 bytes, got ${addr.length}`);
    const raw = kv.get(NEXT_ACCOUNT_NUMBER);
    const n = raw ? BigInt(dec.decode(raw)) : 0n;
    kv.set(NEXT_ACCOUNT_NUMBER, enc.encode((n + 1n).toString()));
    const acc: Account = { address: addr.slice(), coins: [], frozen: [], locked: [], accountNumber: n, sequence: 0n, flags: 0n };
    this.setAccount(kv, acc);
    return acc;
  }

  *iterateAccounts(kv: KVReader): Iterable<Account> {
    for (const [, v] of kv.iterate(accountPrefix())) yield decodeAccount(v);
  }

  getBalance(kv: KVReader, addr: Address, denom: string): bigint {
    const a = this.peekAccount(kv, addr);
    return a ? amountOf(a.coins, denom) : 0n;
  }

  addCoins(kv: KVWriter, addr: Address, coins: readonly Coin[]): Account {
    validateCoins(coins, 'addCoins');
    const acc = this.getOrCreateAccount(kv, addr);
    acc.coins = addCoins(acc.coins, coins);
    this.setAccount(kv, acc);
    return acc;
  }

  subtractCoins(kv: KVWriter, addr: Address, coins: readonly Coin[]): Account {
    validateCoins(coins, 'subtractCoins');
    const acc = this.getAccount(kv, addr);
    if (!acc) {
      const c = coins[0]!;
      throw rootError('insufficientCoins', `insufficient coins: have 0${c.denom}, need ${c.amount}${c.denom}`);
    }
    acc.coins = subCoins(acc.coins, coins);
    this.setAccount(kv, acc);
    return acc;
  }

  transfer(kv: KVWriter, from: Address, to: Address, coins: readonly Coin[]): void {
    this.subtractCoins(kv, from, coins);
    this.addCoins(kv, to, coins);
  }

  lockCoins(kv: KVWriter, addr: Address, coins: readonly Coin[]): void {
    this.move(kv, addr, coins, 'coins', 'locked');
  }

  unlockCoins(kv: KVWriter, addr: Address, coins: readonly Coin[]): void {
    this.move(kv, addr, coins, 'locked', 'coins');
  }

  subtractLockedCoins(kv: KVWriter, addr: Address, coins: readonly Coin[]): void {
    validateCoins(coins, 'subtractLockedCoins');
    const acc = this.mustGet(kv, addr);
    acc.locked = subCoins(acc.locked, coins, 'locked coins');
    this.setAccount(kv, acc);
  }

  freeze(kv: KVWriter, addr: Address, coin: Coin): void {
    this.move(kv, addr, [coin], 'coins', 'frozen');
  }

  unfreeze(kv: KVWriter, addr: Address, coin: Coin): void {
    this.move(kv, addr, [coin], 'frozen', 'coins');
  }

  private mustGet(kv: KVReader, addr: Address): Account {
    const acc = this.getAccount(kv, addr);
    if (!acc) throw rootError('unknownAddress', 'account does not exist');
    return acc;
  }

  private move(kv: KVWriter, addr: Address, coins: readonly Coin[], from: 'coins' | 'frozen' | 'locked', to: 'coins' | 'frozen' | 'locked'): void {
    validateCoins(coins, `${from} → ${to}`);
    const acc = this.getAccount(kv, addr);
    if (!acc) {
      const c = coins[0]!;
      throw rootError('insufficientCoins', `insufficient ${label(from)}: have 0${c.denom}, need ${c.amount}${c.denom}`);
    }
    acc[from] = subCoins(acc[from], coins, label(from));
    acc[to] = addCoins(acc[to], coins);
    this.setAccount(kv, acc);
  }
}

function label(field: 'coins' | 'frozen' | 'locked'): string {
  return field === 'coins' ? 'coins' : `${field} coins`;
}
