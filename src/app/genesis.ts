/**
 * Genesis document (the part the app reads) and its validation. Every problem is reported with
 * the JSON path of the offending field, so an operator can fix the file.
 *
 * ```
 * { chain_id, address_prefix: "bnb"|"tbnb", genesis_time,
 *   app_state: { accounts: [{address, coins:[{denom, amount}]}],
 *                tokens: [{name, symbol, original_symbol, total_supply, owner, mintable,
 *                          token_type?, token_uri? (BEP8 `BASE-XXXM` symbols only)}],
 *                validators: [{name, consensus_pub_key (base64 ed25519), operator, power}],
 *                params?: { fees?: {fixed_fee_params, transfer_fee_param} }, …other modules } }
 * ```
 * Amounts are strings of base units (1e-8). BNB must be a token; balances must sum to supplies.
 */
import { rootError, type ChainError } from '../errors.js';
import { decodeAddress, INT64_MAX } from '../codec/index.js';
import type { Address, Coin } from '../codec/types.js';
import { consensusAddress, toHex } from '../crypto/hash.js';
import { feeTableFromJson, type FeeTable } from '../modules/params/fees.js';
import {
  MAX_NAME_BYTES,
  MAX_TOKEN_URI_BYTES,
  MAX_TOTAL_SUPPLY,
  MINI_MIN_AMOUNT,
  NATIVE_SYMBOL,
  TokenType,
  isMiniSymbol,
  miniUpperBound,
  validateTokenSymbol,
} from '../modules/tokens/symbol.js';
import type { Token } from '../modules/tokens/keeper.js';
import { sortCoins, validateCoins } from '../modules/bank/coins.js';

export const ADDRESS_PREFIXES = ['bnb', 'tbnb'] as const;

export interface GenesisValidatorRecord {
  name: string;
  consensusPubKey: Uint8Array;
  consensusAddress: Uint8Array;
  operator: Address;
  power: bigint;
}

export interface ValidatedGenesis {
  chainId: string;
  hrp: string;
  genesisTimeMs: number;
  accounts: { address: Address; coins: Coin[] }[];
  tokens: Token[];
  validators: GenesisValidatorRecord[];
  fees: FeeTable;
  /** The raw app_state, for modules that read their own section. */
  appState: Record<string, unknown>;
}

function fail(path: string, msg: string): ChainError {
  return rootError('invalidRequest', `genesis ${path}: ${msg}`);
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw fail(path, 'must be an object');
  return v as Record<string, unknown>;
}

function arr(v: unknown, path: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw fail(path, 'must be an array');
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw fail(path, `must be a string, got ${JSON.stringify(v)}`);
  return v;
}

function int64(v: unknown, path: string, min = 0n): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v)) v = String(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw fail(path, `must be a string of decimal digits, got ${JSON.stringify(v)}`);
  const b = BigInt(v);
  if (b > INT64_MAX) throw fail(path, `${v} overflows int64`);
  if (b < min) throw fail(path, `must be at least ${min}`);
  return b;
}

function addr(v: unknown, path: string, hrp: string): Address {
  try {
    return decodeAddress(str(v, path), hrp);
  } catch (e) {
    throw fail(path, (e as Error).message);
  }
}

export function validateGenesis(raw: unknown): ValidatedGenesis {
  const g = obj(raw, '(root)');
  const chainId = str(g.chain_id, 'chain_id');
  if (!chainId || chainId.length > 50) throw fail('chain_id', 'must be 1 to 50 characters');
  const hrp = str(g.address_prefix, 'address_prefix');
  if (!(ADDRESS_PREFIXES as readonly string[]).includes(hrp)) throw fail('address_prefix', `must be one of ${ADDRESS_PREFIXES.join(', ')}`);
  const genesisTimeMs = Date.parse(str(g.genesis_time, 'genesis_time'));
  if (Number.isNaN(genesisTimeMs)) throw fail('genesis_time', 'is not a valid RFC 3339 time');
  const app = obj(g.app_state, 'app_state');

  // tokens
  const tokens: Token[] = [];
  const supplies = new Map<string, bigint>();
  arr(app.tokens, 'app_state.tokens').forEach((tv, i) => {
    const p = `app_state.tokens[${i}]`;
    const t = obj(tv, p);
    const name = str(t.name, `${p}.name`);
    const nameLen = new TextEncoder().encode(name).length;
    if (nameLen < 1 || nameLen > MAX_NAME_BYTES) throw fail(`${p}.name`, `must be 1 to ${MAX_NAME_BYTES} bytes`);
    const symbol = str(t.symbol, `${p}.symbol`);
    try {
      validateTokenSymbol(symbol);
    } catch (e) {
      throw fail(`${p}.symbol`, (e as Error).message);
    }
    if (supplies.has(symbol)) throw fail(`${p}.symbol`, `duplicate token ${symbol}`);
    const originalSymbol = str(t.original_symbol, `${p}.original_symbol`);
    if (!originalSymbol) throw fail(`${p}.original_symbol`, 'must not be empty');
    const totalSupply = int64(t.total_supply, `${p}.total_supply`, 1n);
    if (totalSupply > MAX_TOTAL_SUPPLY) throw fail(`${p}.total_supply`, `exceeds the maximum ${MAX_TOTAL_SUPPLY}`);
    if (typeof t.mintable !== 'boolean') throw fail(`${p}.mintable`, 'must be true or false');
    if (symbol === NATIVE_SYMBOL && t.mintable) throw fail(`${p}.mintable`, `${NATIVE_SYMBOL} is not mintable`);
    const owner = addr(t.owner, `${p}.owner`, hrp);
    supplies.set(symbol, totalSupply);
    const token: Token = { name, symbol, originalSymbol, totalSupply, owner, mintable: t.mintable };
    // BEP8: a `BASE-XXXM` symbol is a mini or tiny token and says which (token_type 1 tiny, 2 mini);
    // a BEP2 symbol carries neither field, so the DEX and the token rules agree on what is mini
    if (isMiniSymbol(symbol)) {
      const type = t.token_type;
      if (type !== TokenType.tiny && type !== TokenType.mini) throw fail(`${p}.token_type`, `a mini-token symbol needs token_type ${TokenType.tiny} (tiny) or ${TokenType.mini} (mini)`);
      if (totalSupply < MINI_MIN_AMOUNT || totalSupply > miniUpperBound(type)) {
        throw fail(`${p}.total_supply`, `must be ${MINI_MIN_AMOUNT} to ${miniUpperBound(type)} for a ${type === TokenType.tiny ? 'tiny' : 'mini'} token`);
      }
      const uri = t.token_uri === undefined ? '' : str(t.token_uri, `${p}.token_uri`);
      if (new TextEncoder().encode(uri).length > MAX_TOKEN_URI_BYTES) throw fail(`${p}.token_uri`, `must be at most ${MAX_TOKEN_URI_BYTES} bytes`);
      token.tokenType = type;
      token.tokenUri = uri;
    } else if (t.token_type !== undefined || t.token_uri !== undefined) {
      throw fail(`${p}.token_type`, 'only mini-token symbols (BASE-XXXM) carry token_type and token_uri');
    }
    tokens.push(token);
  });
  if (!supplies.has(NATIVE_SYMBOL)) throw fail('app_state.tokens', `the native token ${NATIVE_SYMBOL} must be listed`);

  // accounts
  const accounts: { address: Address; coins: Coin[] }[] = [];
  const seen = new Set<string>();
  const held = new Map<string, bigint>();
  arr(app.accounts, 'app_state.accounts').forEach((av, i) => {
    const p = `app_state.accounts[${i}]`;
    const a = obj(av, p);
    const address = addr(a.address, `${p}.address`, hrp);
    const key = toHex(address);
    if (seen.has(key)) throw fail(`${p}.address`, `duplicate account ${String(a.address)}`);
    seen.add(key);
    const coins = sortCoins(
      arr(a.coins, `${p}.coins`).map((cv, j) => {
        const c = obj(cv, `${p}.coins[${j}]`);
        const denom = str(c.denom, `${p}.coins[${j}].denom`);
        if (!supplies.has(denom)) throw fail(`${p}.coins[${j}].denom`, `no token ${denom} in app_state.tokens`);
        return { denom, amount: int64(c.amount, `${p}.coins[${j}].amount`, 1n) };
      }),
    );
    if (coins.length > 0) {
      try {
        validateCoins(coins, `${p}.coins`);
      } catch (e) {
        throw fail(`${p}.coins`, (e as Error).message);
      }
    }
    for (const c of coins) held.set(c.denom, (held.get(c.denom) ?? 0n) + c.amount);
    accounts.push({ address, coins });
  });
  for (const [symbol, supply] of supplies) {
    const h = held.get(symbol) ?? 0n;
    if (h !== supply) throw fail('app_state.accounts', `balances of ${symbol} sum to ${h}, but its total_supply is ${supply}`);
  }

  // validators
  const validators: GenesisValidatorRecord[] = [];
  const seenVal = new Set<string>();
  arr(app.validators, 'app_state.validators').forEach((vv, i) => {
    const p = `app_state.validators[${i}]`;
    const v = obj(vv, p);
    const name = str(v.name ?? '', `${p}.name`);
    const pkB64 = str(v.consensus_pub_key, `${p}.consensus_pub_key`);
    const pk = new Uint8Array(Buffer.from(pkB64, 'base64'));
    if (pk.length !== 32 || Buffer.from(pk).toString('base64') !== pkB64) {
      throw fail(`${p}.consensus_pub_key`, 'must be the base64 of a 32-byte ed25519 public key');
    }
    const k = toHex(pk);
    if (seenVal.has(k)) throw fail(`${p}.consensus_pub_key`, 'duplicate validator key');
    seenVal.add(k);
    validators.push({
      name,
      consensusPubKey: pk,
      consensusAddress: consensusAddress(pk),
      operator: addr(v.operator, `${p}.operator`, hrp),
      power: int64(v.power, `${p}.power`, 1n),
    });
  });

  // params
  let fees: FeeTable;
  const params = app.params === undefined ? {} : obj(app.params, 'app_state.params');
  try {
    fees = feeTableFromJson(params.fees);
  } catch (e) {
    throw fail('app_state.params.fees', (e as Error).message);
  }

  return { chainId, hrp, genesisTimeMs, accounts, tokens, validators, fees, appState: app };
}
