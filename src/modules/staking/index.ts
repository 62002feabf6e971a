/** Staking module: validators from genesis, fee payees, evidence → jail and slash. */
export * from './keeper.js';
import type { AppModule } from '../../app/router.js';
import { DEFAULT_SLASH_FRACTION, Staking, type SlashBank, type StakingKeeper } from './keeper.js';

/**
 * `bank` enables slashing of the operator's BNB; without it a double sign only jails.
 * Genesis: `app_state.staking.slash_fraction` (decimal string, default 0.05).
 */
export function stakingModule(staking: StakingKeeper, bank?: SlashBank): AppModule {
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
      const section = genesis.appState.staking as { slash_fraction?: unknown } | undefined;
      if (staking instanceof Staking && section?.slash_fraction !== undefined) {
        if (typeof section.slash_fraction !== 'string') throw new Error('genesis app_state.staking.slash_fraction must be a decimal string');
        staking.setSlashFraction(kv, section.slash_fraction);
      } else if (staking instanceof Staking && section !== undefined) {
        staking.setSlashFraction(kv, DEFAULT_SLASH_FRACTION);
      }
    },
    beginBlock: {
      order: 0,
      run(ctx) {
        if (!(staking instanceof Staking)) return;
        staking.resetBlock();
        for (const m of ctx.block.misbehavior) {
          if (m.kind !== 'duplicate_vote') continue;
          const r = staking.punish(ctx.kv, m, bank);
          if (r) {
            ctx.events.emit('slash', Staking.slashEvent(r, ctx.chain.hrp, ctx.block.height));
            ctx.logger.info({ validator: Buffer.from(r.validator.consensusAddress).toString('hex').toUpperCase(), slashed: r.slashed.toString() }, 'validator jailed for double signing');
          }
        }
      },
    },
  };
}
