/**
 * The genesis file of a home (`config/genesis.json`): reading, writing and the operator edits
 * (`dexchain genesis add-account …`). Edits are deterministic, so running the same command on
 * every home of a network keeps their genesis files byte-identical.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { decodeAddress, encodeAddress, parseFixed8 } from '../codec/index.js';

export interface GenesisCoin { denom: string; amount: string }
export interface GenesisAccount { address: string; coins: GenesisCoin[] }
export interface GenesisToken {
  name: string;
  symbol: string;
  original_symbol: string;
  total_supply: string;
  owner: string;
  mintable: boolean;
}
export interface GenesisValidator { name: string; consensus_pub_key: string; operator: string; power: string }

export interface GenesisDoc {
  genesis_time: string;
  chain_id: string;
  address_prefix: string;
  initial_height: number;
  consensus_params: { block: { max_bytes: number; max_txs: number; time_iota_ms: number } };
  app_state: {
    accounts: GenesisAccount[];
    tokens: GenesisToken[];
    validators: GenesisValidator[];
    [module: string]: unknown;
  };
}

export const BNB_TOTAL_SUPPLY = 20_000_000_000_000_000n; // 200,000,000 BNB

export function readGenesis(path: string): GenesisDoc {
  if (!existsSync(path)) throw new Error(`genesis file not found: ${path} (run dexchain init)`);
  let doc: GenesisDoc;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as GenesisDoc;
  } catch (e) {
    throw new Error(`cannot parse genesis ${path}: ${(e as Error).message}`);
  }
  if (typeof doc.chain_id !== 'string' || !doc.chain_id) throw new Error(`genesis ${path}: chain_id missing`);
  if (doc.address_prefix !== 'bnb' && doc.address_prefix !== 'tbnb') throw new Error(`genesis ${path}: address_prefix must be bnb or tbnb`);
  if (!doc.app_state || !Array.isArray(doc.app_state.accounts)) throw new Error(`genesis ${path}: app_state.accounts missing`);
  if (Number.isNaN(Date.parse(doc.genesis_time))) throw new Error(`genesis ${path}: genesis_time is not a valid time`);
  return doc;
}

export function writeGenesis(path: string, doc: GenesisDoc): void {
  writeFileSync(path, JSON.stringify(doc, null, 2) + '\n');
}

function sortCoins(coins: GenesisCoin[]): GenesisCoin[] {
  return coins.sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0));
}

function credit(doc: GenesisDoc, address: string, denom: string, amount: bigint): void {
  let acc = doc.app_state.accounts.find((a) => a.address === address);
  if (!acc) {
    acc = { address, coins: [] };
    doc.app_state.accounts.push(acc);
  }
  const c = acc.coins.find((x) => x.denom === denom);
  if (c) c.amount = (BigInt(c.amount) + amount).toString();
  else acc.coins.push({ denom, amount: amount.toString() });
  sortCoins(acc.coins);
}

function debit(doc: GenesisDoc, address: string, denom: string, amount: bigint): void {
  const acc = doc.app_state.accounts.find((a) => a.address === address);
  const c = acc?.coins.find((x) => x.denom === denom);
  const have = c ? BigInt(c.amount) : 0n;
  if (!acc || !c || have < amount) {
    throw new Error(`the genesis balance of ${denom} held by its owner ${address} is ${have} base units, less than ${amount}`);
  }
  c.amount = (have - amount).toString();
  if (c.amount === '0') acc.coins = acc.coins.filter((x) => x !== c);
  if (acc.coins.length === 0) doc.app_state.accounts = doc.app_state.accounts.filter((a) => a !== acc);
}

/**
 * Parses `AMOUNT:SYMBOL[,AMOUNT:SYMBOL…]` with AMOUNT in whole tokens (up to 8 decimals).
 */
export function parseCoinList(spec: string): { denom: string; amount: bigint }[] {
  const out: { denom: string; amount: bigint }[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*([0-9]+(?:\.[0-9]{1,8})?)\s*:\s*([A-Za-z0-9.\-]+)\s*$/.exec(part);
    if (!m) throw new Error(`invalid coin "${part}" (expected AMOUNT:SYMBOL, e.g. 50000:BNB or 0.5:BNB)`);
    const amount = parseFixed8(m[1]!);
    if (amount <= 0n) throw new Error(`amount must be positive in "${part}"`);
    out.push({ denom: m[2]!.toUpperCase(), amount });
  }
  return out;
}

/**
 * Gives `address` coins at genesis. Supply is conserved: the amount is moved from the genesis
 * balance of the token's owner (for BNB, the first validator's operator holds the supply).
 */
export function addGenesisAccount(doc: GenesisDoc, address: string, coins: { denom: string; amount: bigint }[]): void {
  decodeAddress(address, doc.address_prefix);
  for (const { denom, amount } of coins) {
    const token = doc.app_state.tokens.find((t) => t.symbol === denom);
    if (!token) throw new Error(`unknown token ${denom} in genesis (known: ${doc.app_state.tokens.map((t) => t.symbol).join(', ')})`);
    if (token.owner === address) throw new Error(`${address} already owns ${denom}'s genesis supply`);
    debit(doc, token.owner, denom, amount);
    credit(doc, address, denom, amount);
  }
}

export function normaliseAddress(addr: string, prefix: string): string {
  return encodeAddress(decodeAddress(addr, prefix), prefix);
}

export { credit as creditGenesisAccount };
