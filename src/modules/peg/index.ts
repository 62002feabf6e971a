/**
 * Peg module: custodial import of external assets (BTC, ETH, USDT…) as module-owned BEP2
 * tokens, with threshold attestations, limits, delays, pause, reserves (see spec/peg.md).
 * Importing this file registers the peg msgs with the codec.
 */
import './msgs.js';
export * from './errors.js';
export * from './types.js';
export * from './msgs.js';
export * from './keeper.js';
export * from './limits.js';
export * from './genesis.js';
export * from './gov.js';
export * from './invariants.js';
export * from './queries.js';
export * from './handlers.js';
export * from './expected_keepers.js';
export { pegRoutes, type QueryApp } from './routes.js';
import type { AppModule } from '../../app/router.js';
import type { KVReader } from '../../state/types.js';
import { pegError } from './errors.js';
import type { PegBankKeeper, PegTokenKeeper } from './expected_keepers.js';
import { parsePegGenesis } from './genesis.js';
import { createAssetToken } from './gov.js';
import { pegHandlers } from './handlers.js';
import { PegKeeper } from './keeper.js';
import { pegQueryRoute } from './queries.js';

/** End-block slot: after time locks (350), before fees (500) and gov (600). */
export const PEG_END_BLOCK_ORDER = 400;

const LAST_BLOCK_TIME_KEY = new TextEncoder().encode('app/lastBlockTime');

/** The app's last block time (its own state key), for the quota windows queries show. */
export function lastBlockTimeMs(kv: KVReader): bigint {
  const raw = kv.get(LAST_BLOCK_TIME_KEY);
  return raw ? BigInt(new TextDecoder().decode(raw)) : 0n;
}

export interface PegModuleDeps {
  bank: PegBankKeeper;
  tokens: PegTokenKeeper;
  /** Share an existing keeper (e.g. with the gov executor); created when absent. */
  keeper?: PegKeeper;
}

export function pegModule(deps: PegModuleDeps): AppModule & { keeper: PegKeeper } {
  const keeper = deps.keeper ?? new PegKeeper(deps.bank, deps.tokens);
  return {
    name: 'peg',
    keeper,
    handlers: pegHandlers(keeper),
    initGenesis(kv, genesis, chain) {
      const g = parsePegGenesis(genesis.appState.peg, chain.hrp);
      keeper.setParams(kv, g.params);
      keeper.setCustodians(kv, g.custodians);
      for (const a of g.assets) {
        if (genesis.tokens.some((t) => t.symbol === a.denom)) throw pegError('invalidGenesis', `token ${a.denom} of pegged ${a.symbol} is also in app_state.tokens`);
        createAssetToken(keeper, kv, a);
      }
    },
    endBlock: {
      order: PEG_END_BLOCK_ORDER,
      run(ctx) {
        keeper.applyCustodianChange(ctx);
        keeper.advanceWithdrawals(ctx);
        keeper.processDepositQueue(ctx);
      },
    },
    queries: [pegQueryRoute(keeper, lastBlockTimeMs)],
  };
}
export * from './gov-hook.js';
