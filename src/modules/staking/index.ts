/** Staking module (minimal): validators from genesis, looked up for fee distribution. */
export * from './keeper.js';
import type { AppModule } from '../../app/router.js';
import type { StakingKeeper } from './keeper.js';

export function stakingModule(staking: StakingKeeper): AppModule {
  return {
    name: 'staking',
    initGenesis(kv, genesis) {
      for (const v of genesis.validators) {
        staking.setValidator(kv, {
          name: v.name,
          consensusPubKey: v.consensusPubKey,
          consensusAddress: v.consensusAddress,
          operator: v.operator,
          power: v.power,
          jailed: false,
        });
      }
    },
  };
}
