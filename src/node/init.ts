/**
 * `dexchain init`: writes a home with a config, a validator key, an operator account key and a
 * one-validator genesis in which the operator holds the BNB supply.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { defaultConfig, homePaths, writeConfig, type NodeConfig } from './config.js';
import { generateValidatorKey, writeValidatorKey, loadValidatorKey } from './privval.js';
import { Keyring } from './keyring.js';
import { encodeAddress } from '../codec/index.js';
import { fromHex } from '../crypto/hash.js';
import { BNB_TOTAL_SUPPLY, writeGenesis, addGenesisAccount, type GenesisDoc } from './genesis-file.js';
import { addDefaultPegGenesis, pegDenom } from '../modules/peg/index.js';

export interface InitOptions {
  home: string;
  chainId?: string;
  moniker?: string;
  addressPrefix?: 'bnb' | 'tbnb';
  /** Overwrite an existing home's config and genesis. */
  overwrite?: boolean;
  /** Genesis time (RFC3339); default: now, truncated to the second. */
  genesisTime?: string;
  /** Add the default peg (three custodians in the test keyring, BTC and USDT, PEG_BNB pairs). Default true. */
  peg?: boolean;
  config?: (cfg: NodeConfig) => void;
}

export interface InitResult {
  home: string;
  chainId: string;
  moniker: string;
  validatorAddress: string;
  operator: { name: string; address: string; keyFile: string };
}

export const DEFAULT_CHAIN_ID = 'dexchain-local';

export function initHome(opts: InitOptions): InitResult {
  const paths = homePaths(opts.home);
  const prefix = opts.addressPrefix ?? 'tbnb';
  if (prefix !== 'bnb' && prefix !== 'tbnb') throw new Error(`--address-prefix must be bnb or tbnb, got "${prefix}"`);
  const chainId = opts.chainId ?? DEFAULT_CHAIN_ID;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/.test(chainId)) throw new Error(`invalid chain id "${chainId}" (letters, digits, . _ -; up to 50)`);
  const moniker = opts.moniker ?? 'node0';
  if (existsSync(paths.genesisFile) && !opts.overwrite) {
    throw new Error(`${paths.home} is already initialised (genesis exists); use another --home or --overwrite`);
  }
  mkdirSync(paths.dataDir, { recursive: true });
  const cfg = defaultConfig(moniker);
  opts.config?.(cfg);
  writeConfig(paths, cfg);

  const vkey = existsSync(paths.privValidatorKey) ? loadValidatorKey(paths.privValidatorKey) : generateValidatorKey();
  writeValidatorKey(paths.privValidatorKey, vkey);

  const keyring = new Keyring(paths.home, 'test');
  const opName = 'validator';
  const op = keyring.has(opName) ? keyring.show(opName) : keyring.add(opName).info;
  const opAddr = encodeAddress(fromHex(op.address), prefix);

  const genesisTime = opts.genesisTime ?? new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
  const doc: GenesisDoc = {
    genesis_time: genesisTime,
    chain_id: chainId,
    address_prefix: prefix,
    initial_height: 1,
    consensus_params: { block: { max_bytes: 8 * 1024 * 1024, max_txs: 20_000, time_iota_ms: 1 } },
    app_state: {
      accounts: [{ address: opAddr, coins: [{ denom: 'BNB', amount: BNB_TOTAL_SUPPLY.toString() }] }],
      tokens: [
        { name: 'Binance Chain Native Token', symbol: 'BNB', original_symbol: 'BNB', total_supply: BNB_TOTAL_SUPPLY.toString(), owner: opAddr, mintable: false },
      ],
      validators: [
        { name: moniker, consensus_pub_key: Buffer.from(vkey.pubKey).toString('base64'), operator: opAddr, power: '10' },
      ],
    },
  };
  if (opts.peg !== false) addLocalPeg(doc, keyring, prefix);
  writeGenesis(paths.genesisFile, doc);
  return {
    home: paths.home,
    chainId,
    moniker,
    validatorAddress: Buffer.from(vkey.address).toString('hex').toUpperCase(),
    operator: { name: opName, address: opAddr, keyFile: op.path },
  };
}

/** BNB list prices of the default pegged assets' pairs (quote BNB per unit). */
const PEG_PAIR_PRICES: Record<string, bigint> = { BTC: 150n * 100_000_000n, USDT: 150_000n };

/**
 * The local peg: custodian0..2 (keys in the home's test keyring, each given 1,000 BNB for
 * their accounts), BTC on bitcoin and USDT on omni + erc20, a `PEG_BNB` pair per asset, and an
 * insurance fund taking 10 % of block fees.
 */
function addLocalPeg(doc: GenesisDoc, keyring: Keyring, prefix: string): void {
  const custodians: string[] = [];
  for (let i = 0; i < 3; i++) {
    const name = `custodian${i}`;
    const k = keyring.has(name) ? keyring.show(name) : keyring.add(name).info;
    const addr = encodeAddress(fromHex(k.address), prefix);
    custodians.push(addr);
    addGenesisAccount(doc, addr, [{ denom: 'BNB', amount: 1000n * 100_000_000n }]);
  }
  addDefaultPegGenesis(doc, custodians);
  const dex = (doc.app_state.dex ?? {}) as { pairs?: { base_asset_symbol: string; quote_asset_symbol: string; list_price: string }[] };
  dex.pairs = dex.pairs ?? [];
  for (const [asset, price] of Object.entries(PEG_PAIR_PRICES)) {
    dex.pairs.push({ base_asset_symbol: pegDenom(asset), quote_asset_symbol: 'BNB', list_price: price.toString() });
  }
  doc.app_state.dex = dex;
  doc.app_state.insurance = { fee_share_bps: 1000 };
}
