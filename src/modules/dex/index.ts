/**
 * DEX module: trading pairs and listing (with gov), orders, the per-block auction (`match/`),
 * settlement, fees, expiry and delisting. Wiring in the app:
 *
 *   const gov = new GovKeeper({ bank, staking });
 *   const dex = new DexKeeper({ bank, tokens, gov });   // registers its gov hooks
 *   app.registerModule(govModule(gov));
 *   app.registerModule(dexModule(dex));
 */
export * from './errors.js';
export * from './types.js';
export * from './fees.js';
export * from './keeper.js';
export * from './handlers.js';
export * from './genesis.js';
export * from './queries.js';
export { parseDexParams } from './params.js';
export * from './mini.js';
export type { ListMiniMsg } from './mini-msg.js';
import './mini-msg.js'; // registers the dex/ListMiniMsg codec
import { EndBlockOrder, type AppModule } from '../../app/router.js';
import { cancelOrderHandler, listHandler, listMiniHandler, newOrderHandler } from './handlers.js';
import { initDexGenesis } from './genesis.js';
import type { DexKeeper } from './keeper.js';
import { dexQuery } from './queries.js';

/**
 * One end-block hook at the `dexMatch` slot runs the auction and then the breathe-block work
 * (the `dexBreathe` slot would come right after it: nothing is registered in between).
 */
export function dexModule(dex: DexKeeper): AppModule {
  return {
    name: 'dex',
    handlers: [newOrderHandler(dex), cancelOrderHandler(dex), listHandler(dex), listMiniHandler(dex)],
    initGenesis: (kv, genesis) => initDexGenesis(dex, kv, genesis),
    endBlock: {
      order: EndBlockOrder.dexMatch,
      run(ctx) {
        dex.endBlockMatch(ctx);
        dex.endBlockBreathe(ctx);
      },
    },
    queries: [{ route: 'dex', handle: dexQuery }],
  };
}
