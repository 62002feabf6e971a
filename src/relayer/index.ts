/**
 * The custodian relayer (`dexchain peg relayer`): watches external networks through adapters,
 * attests deposits, reserves and payouts with one custodian key, and pays or instructs ready
 * withdrawals. See relayer.ts for the loop, adapters/ for the sources, state.ts for restarts.
 */
export * from './types.js';
export * from './chain.js';
export * from './state.js';
export * from './relayer.js';
export * from './config.js';
export * from './adapters/evm.js';
export * from './adapters/jsonl.js';
import { EvmAdapter } from './adapters/evm.js';
import { JsonlAdapter } from './adapters/jsonl.js';
import type { RelayerConfig } from './config.js';
import type { RelayerLogger, SourceAdapter } from './types.js';

export function buildAdapters(cfg: RelayerConfig, chain: { chainId: string; hrp: string }, log: RelayerLogger): SourceAdapter[] {
  return cfg.adapters.map((a) => (a.type === 'evm' ? new EvmAdapter(a, chain, log) : new JsonlAdapter(a, log)));
}
