/** Params module: the fee table (genesis-loadable; FeeChange proposals replace it later). */
export * from './fees.js';
import type { ParamsKeeper } from './fees.js';
import type { AppModule } from '../../app/router.js';

export function paramsModule(keeper: ParamsKeeper): AppModule {
  return {
    name: 'params',
    initGenesis(kv, genesis) {
      keeper.setFeeTable(kv, genesis.fees);
    },
  };
}
