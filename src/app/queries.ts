/**
 * Plain-object queries for the node's HTTP API (`/api/v1/account`, tokens, time locks), read
 * from the committed state (or, for accounts, optionally from the mempool's check state so
 * back-to-back txs see the pending sequence — SDK quirk Q3).
 */
import { decodeAddress, encodeAddress, formatFixed8 } from '../codec/index.js';
import type { Address, Coin } from '../codec/types.js';
import type { KVReader } from '../state/types.js';
import type { BankKeeper } from '../modules/bank/keeper.js';
import type { Token, TokenKeeper } from '../modules/tokens/keeper.js';
import type { TimeLocks } from '../modules/tokens/timelock.js';
import { MAX_TOKEN_LIST_LIMIT } from '../modules/tokens/index.js';
import { feeTableToJson, type FeeTableJson, type ParamsKeeper } from '../modules/params/fees.js';
import type { StakingKeeper } from '../modules/staking/keeper.js';
import type { ChainInfo } from './context.js';

export interface BalanceJson {
  symbol: string;
  free: string;
  frozen: string;
  locked: string;
}

/** As `bnbcli api-server` returns it (Go encoding/json: numbers, pubkey as a byte array). */
export interface AccountJson {
  account_number: number;
  address: string;
  balances: BalanceJson[];
  flags: number;
  public_key: number[] | null;
  sequence: number;
}

export interface TokenJson {
  name: string;
  symbol: string;
  original_symbol: string;
  /** fixed-8 decimal string */
  total_supply: string;
  owner: string;
  mintable: boolean;
}

export interface TimeLockJson {
  id: number;
  description: string;
  /** base units as decimal strings */
  amount: { denom: string; amount: string }[];
  /** RFC 3339 */
  lock_time: string;
}

export interface ValidatorJson {
  name: string;
  consensus_address: string;
  consensus_pub_key: string;
  operator: string;
  power: string;
  jailed: boolean;
}

export interface QueryDeps {
  committed(): KVReader;
  pending(): KVReader;
  chain(): ChainInfo;
  bank: BankKeeper;
  tokens: TokenKeeper;
  timeLocks: TimeLocks;
  params: ParamsKeeper;
  staking: StakingKeeper;
}

/** Free, frozen and locked amounts per symbol, sorted by symbol. */
function balanceAmounts(coins: Coin[], frozen: Coin[], locked: Coin[]): { symbol: string; free: bigint; frozen: bigint; locked: bigint }[] {
  const denoms = [...new Set([...coins, ...frozen, ...locked].map((c) => c.denom))].sort();
  const get = (l: Coin[], d: string) => l.find((c) => c.denom === d)?.amount ?? 0n;
  return denoms.map((d) => ({ symbol: d, free: get(coins, d), frozen: get(frozen, d), locked: get(locked, d) }));
}

function balances(coins: Coin[], frozen: Coin[], locked: Coin[]): BalanceJson[] {
  return balanceAmounts(coins, frozen, locked).map((b) => ({ symbol: b.symbol, free: formatFixed8(b.free), frozen: formatFixed8(b.frozen), locked: formatFixed8(b.locked) }));
}

export function tokenToJson(t: Token, hrp: string): TokenJson {
  return {
    name: t.name,
    symbol: t.symbol,
    original_symbol: t.originalSymbol,
    total_supply: formatFixed8(t.totalSupply),
    owner: encodeAddress(t.owner, hrp),
    mintable: t.mintable,
  };
}

export class AppQueries {
  constructor(private readonly d: QueryDeps) {}

  private addr(a: string | Address): Address {
    return typeof a === 'string' ? decodeAddress(a, this.d.chain().hrp) : a;
  }

  /** undefined for an unknown account. `pending` reads the check state (includes mempool txs). */
  account(address: string | Address, opts: { pending?: boolean } = {}): AccountJson | undefined {
    const kv = opts.pending ? this.d.pending() : this.d.committed();
    const a = this.d.bank.getAccount(kv, this.addr(address));
    if (!a) return undefined;
    return {
      account_number: Number(a.accountNumber),
      address: encodeAddress(a.address, this.d.chain().hrp),
      balances: balances(a.coins, a.frozen, a.locked),
      flags: Number(a.flags),
      public_key: a.pubKey ? [...a.pubKey] : null,
      sequence: Number(a.sequence),
    };
  }

  /**
   * An account's balances as amounts (committed state), sorted by symbol; undefined for an
   * unknown account. For the websocket's per-block account events, which would otherwise format
   * `account`'s fixed-8 strings only to parse them back.
   */
  balancesOf(address: Address): { symbol: string; free: bigint; frozen: bigint; locked: bigint }[] | undefined {
    const a = this.d.bank.getAccount(this.d.committed(), address);
    return a ? balanceAmounts(a.coins, a.frozen, a.locked) : undefined;
  }

  tokens(offset = 0, limit = 100): TokenJson[] {
    const lim = Math.max(0, Math.min(limit, MAX_TOKEN_LIST_LIMIT));
    return this.d.tokens.listTokens(this.d.committed(), Math.max(0, offset), lim).map((t) => tokenToJson(t, this.d.chain().hrp));
  }

  token(symbol: string): TokenJson | undefined {
    const t = this.d.tokens.getToken(this.d.committed(), symbol);
    return t ? tokenToJson(t, this.d.chain().hrp) : undefined;
  }

  timelocks(address: string | Address): TimeLockJson[] {
    return this.d.timeLocks.list(this.d.committed(), this.addr(address)).map((r) => ({
      id: Number(r.id),
      description: r.description,
      amount: r.amount.map((c) => ({ denom: c.denom, amount: c.amount.toString() })),
      lock_time: new Date(Number(r.lockTime) * 1000).toISOString(),
    }));
  }

  fees(): FeeTableJson {
    return feeTableToJson(this.d.params.getFeeTable(this.d.committed()));
  }

  validators(): ValidatorJson[] {
    const hrp = this.d.chain().hrp;
    return this.d.staking.validators(this.d.committed()).map((v) => ({
      name: v.name,
      consensus_address: Buffer.from(v.consensusAddress).toString('hex').toUpperCase(),
      consensus_pub_key: Buffer.from(v.consensusPubKey).toString('base64'),
      operator: encodeAddress(v.operator, hrp),
      power: v.power.toString(),
      jailed: v.jailed,
    }));
  }
}
