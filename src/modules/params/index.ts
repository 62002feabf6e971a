/** Params module: the fee table (genesis-loadable; FeeChange proposals replace entries at breathe blocks). */
export * from './fees.js';
export * from './fee-change.js';
import type { ParamsKeeper } from './fees.js';
import type { FeeChanges } from './fee-change.js';
import { EndBlockOrder, type AppModule } from '../../app/router.js';

export function paramsModule(keeper: ParamsKeeper, feeChanges?: FeeChanges): AppModule {
  return {
    name: 'params',
    initGenesis(kv, genesis) {
      keeper.setFeeTable(kv, genesis.fees);
    },
    ...(feeChanges ? { endBlock: { order: EndBlockOrder.params, run: (ctx) => feeChanges.endBlock(ctx) } } : {}),
  };
}
