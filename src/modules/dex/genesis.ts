/**
 * DEX genesis: `app_state.dex = { pairs: [{base_asset_symbol, quote_asset_symbol, list_price}],
 * params?: {...} }` (tick and lot sizes computed from the price, listing rules applied in file
 * order), and the CLI helpers that edit a genesis file deterministically.
 */
import { decodeAddress, INT64_MAX, parseFixed8 } from '../../codec/index.js';
import { sha256, toHex } from '../../crypto/hash.js';
import type { KVWriter } from '../../state/types.js';
import type { ValidatedGenesis } from '../../app/genesis.js';
import { creditGenesisAccount as credit } from '../../node/genesis-file.js';
import type { GenesisDoc } from '../../node/genesis-file.js';
import { MAX_NAME_BYTES, MAX_TOTAL_SUPPLY, validateIssueSymbol, validateTokenSymbol } from '../tokens/symbol.js';
import { dexError } from './errors.js';
import type { DexKeeper } from './keeper.js';
import { parseDexParams } from './params.js';
import { NATIVE } from './types.js';

export interface GenesisPairJson {
  base_asset_symbol: string;
  quote_asset_symbol: string;
  /** Base units (1e-8) as a string of digits, or a decimal with a point ("0.01"). */
  list_price: string;
}

export interface DexGenesisJson {
  pairs?: GenesisPairJson[];
  params?: unknown;
}

function parsePrice(v: unknown, path: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v)) v = String(v);
  if (typeof v !== 'string') throw dexError('invalidGenesis', `genesis ${path}: expected a price string, got ${JSON.stringify(v)}`);
  let p: bigint;
  if (/^\d+$/.test(v)) p = BigInt(v);
  else {
    try {
      p = parseFixed8(v);
    } catch {
      throw dexError('invalidGenesis', `genesis ${path}: invalid price ${JSON.stringify(v)}`);
    }
  }
  if (p <= 0n || p > INT64_MAX) throw dexError('invalidGenesis', `genesis ${path}: price must be a positive int64`);
  return p;
}

export function initDexGenesis(dex: DexKeeper, kv: KVWriter, genesis: ValidatedGenesis): void {
  const raw = (genesis.appState.dex ?? {}) as DexGenesisJson;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw dexError('invalidGenesis', 'genesis app_state.dex must be an object');
  dex.setParams(kv, parseDexParams(raw.params));
  const pairs = raw.pairs ?? [];
  if (!Array.isArray(pairs)) throw dexError('invalidGenesis', 'genesis app_state.dex.pairs must be an array');
  pairs.forEach((p, i) => {
    const path = `app_state.dex.pairs[${i}]`;
    const base = String(p?.base_asset_symbol ?? '').toUpperCase();
    const quote = String(p?.quote_asset_symbol ?? '').toUpperCase();
    for (const s of [base, quote]) {
      if (!dex.tokens.hasToken(kv, s)) throw dexError('invalidGenesis', `genesis ${path}: token ${JSON.stringify(s)} is not in app_state.tokens`);
    }
    const price = parsePrice(p.list_price, `${path}.list_price`);
    try {
      dex.canListTradingPair(kv, base, quote);
    } catch (e) {
      throw dexError('invalidGenesis', `genesis ${path}: ${(e as Error).message}`);
    }
    dex.listPair(kv, base, quote, price);
  });
}

// ---------------------------------------------------------------------------------------------
// genesis-file edits (CLI)


export interface GenesisTokenSpec {
  /** Original symbol (2–8 letters/digits, optional `.B`); upper-cased. */
  symbol: string;
  /** Base units (1e-8). */
  totalSupply: bigint;
  /** Bech32 address with the genesis prefix. */
  owner: string;
  name: string;
  mintable: boolean;
}

/** Suffix of a genesis token: first 3 hex chars (upper case) of SHA256(chain_id + SYMBOL + owner). */
export function genesisTokenSuffix(chainId: string, symbol: string, owner: string): string {
  return toHex(sha256(new TextEncoder().encode(`${chainId}${symbol.toUpperCase()}${owner}`)))
    .slice(0, 3)
    .toUpperCase();
}

/** Adds a BEP2 token to a genesis file, credited to its owner; returns the full `SYMBOL-XXX`. */
export function addGenesisToken(doc: GenesisDoc, spec: GenesisTokenSpec): string {
  validateIssueSymbol(spec.symbol);
  decodeAddress(spec.owner, doc.address_prefix);
  const nameLen = new TextEncoder().encode(spec.name).length;
  if (nameLen < 1 || nameLen > MAX_NAME_BYTES) throw new Error(`token name must be 1 to ${MAX_NAME_BYTES} bytes`);
  if (spec.totalSupply < 1n || spec.totalSupply > MAX_TOTAL_SUPPLY) throw new Error(`total supply must be between 1 and ${MAX_TOTAL_SUPPLY} base units`);
  const original = spec.symbol.toUpperCase();
  const symbol = `${original}-${genesisTokenSuffix(doc.chain_id, original, spec.owner)}`;
  if (doc.app_state.tokens.some((t) => t.symbol === symbol)) throw new Error(`token ${symbol} is already in the genesis file`);
  doc.app_state.tokens.push({
    name: spec.name,
    symbol,
    original_symbol: original,
    total_supply: spec.totalSupply.toString(),
    owner: spec.owner,
    mintable: spec.mintable,
  });
  credit(doc, spec.owner, symbol, spec.totalSupply);
  return symbol;
}

/** Adds a trading pair to `app_state.dex.pairs` with the listing rules of §C. */
export function addGenesisPair(doc: GenesisDoc, base: string, quote: string, price: bigint): void {
  const b = base.toUpperCase();
  const q = quote.toUpperCase();
  for (const s of [b, q]) {
    validateTokenSymbol(s);
    if (!doc.app_state.tokens.some((t) => t.symbol === s)) throw new Error(`token ${s} is not in the genesis file`);
  }
  if (b === q) throw new Error('base and quote asset must differ');
  if (price <= 0n || price > INT64_MAX) throw new Error('price must be a positive int64 (base units)');
  const dex = ((doc.app_state.dex ??= {}) as DexGenesisJson);
  const pairs = (dex.pairs ??= []);
  const has = (x: string, y: string) => pairs.some((p) => p.base_asset_symbol.toUpperCase() === x && p.quote_asset_symbol.toUpperCase() === y);
  if (has(b, q) || has(q, b)) throw new Error(`trading pair ${b}_${q} (or ${q}_${b}) is already in the genesis file`);
  if (b !== NATIVE && q !== NATIVE) {
    if (!has(b, NATIVE) && !has(NATIVE, b)) throw new Error(`token ${b} should be listed against BNB before against ${q}`);
    if (!has(q, NATIVE) && !has(NATIVE, q)) throw new Error(`token ${q} should be listed against BNB before listing ${b} against ${q}`);
  }
  pairs.push({ base_asset_symbol: b, quote_asset_symbol: q, list_price: price.toString() });
}
