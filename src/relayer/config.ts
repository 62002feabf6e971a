/**
 * Relayer config file (JSON):
 *
 * ```json
 * {
 *   "node": "http://127.0.0.1:26657",          // default: the home's RPC address
 *   "chain_id": "dexchain-local",               // default: asked from the node
 *   "poll_ms": 2000,
 *   "state_file": "relayer/custodian0.state.json", // relative to the home (default relayer/<key>.state.json)
 *   "adapters": [
 *     { "type": "evm", "asset": "USDT", "network": "erc20", "rpc_url": "http://127.0.0.1:8545",
 *       "token": "0x…", "custody": "0x…", "decimals": 6, "confirmations": 12,
 *       "start_block": 1, "reserve_every_blocks": 100, "payer_key_env": "CUSTODY_KEY" },
 *     { "type": "jsonl", "asset": "BTC", "network": "bitcoin",
 *       "feed": "feeds/bitcoin.jsonl", "instructions": "feeds/bitcoin-payouts.jsonl" }
 *   ]
 * }
 * ```
 * Paths are relative to the node home.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { EvmAdapterConfig } from './adapters/evm.js';
import type { JsonlAdapterConfig } from './adapters/jsonl.js';

export interface RelayerConfig {
  node?: string;
  chain_id?: string;
  poll_ms: number;
  state_file?: string;
  adapters: (EvmAdapterConfig | JsonlAdapterConfig)[];
}

export function loadRelayerConfig(path: string, home: string): RelayerConfig {
  let j: RelayerConfig;
  try {
    j = JSON.parse(readFileSync(path, 'utf8')) as RelayerConfig;
  } catch (e) {
    throw new Error(`cannot read relayer config ${path}: ${(e as Error).message}`);
  }
  if (!Array.isArray(j.adapters) || j.adapters.length === 0) throw new Error(`relayer config ${path}: "adapters" must list at least one adapter`);
  const abs = (p: string) => (isAbsolute(p) ? p : join(home, p));
  j.adapters.forEach((a, i) => {
    if (!a || (a.type !== 'evm' && a.type !== 'jsonl')) throw new Error(`relayer config ${path}: adapters[${i}].type must be "evm" or "jsonl"`);
    if (typeof a.asset !== 'string' || typeof a.network !== 'string') throw new Error(`relayer config ${path}: adapters[${i}] needs asset and network`);
    if (a.type === 'evm') {
      for (const k of ['rpc_url', 'token', 'custody'] as const) if (typeof a[k] !== 'string') throw new Error(`relayer config ${path}: adapters[${i}].${k} is required`);
      if (a.payer_key_file) a.payer_key_file = abs(a.payer_key_file);
    } else {
      if (typeof a.feed !== 'string') throw new Error(`relayer config ${path}: adapters[${i}].feed is required`);
      a.feed = abs(a.feed);
      if (a.instructions) a.instructions = abs(a.instructions);
    }
  });
  if (j.state_file) j.state_file = abs(j.state_file);
  return { ...j, poll_ms: j.poll_ms ?? 2000 };
}
