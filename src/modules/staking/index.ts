/** Staking module: validators from genesis, fee payees, evidence → jail and slash. */
export * from './keeper.js';
export { stakingGovHook } from './gov.js';
import type { AppModule } from '../../app/router.js';
import { rootError } from '../../errors.js';
import { encodeAddress } from '../../codec/index.js';
import { toHex } from '../../crypto/hash.js';
import { DEFAULT_SLASH_FRACTION, Staking, type SlashBank, type StakingKeeper } from './keeper.js';

/** One row of the `stake/validators` query (JSON, amounts as decimal strings). */
export interface StakeValidatorJson {
  name: string;
  consensus_address: string;
  operator: string;
  power: string;
  jailed: boolean;
  jailed_at_height: string;
  slashed: string;
}

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
    queries: [
      {
        // `abci_query?path="stake/validators"`: every validator record, jailed ones included
        // (the RPC's validator lists show only the active set, where a jailed one is absent).
        route: 'stake',
        handle(kv, parts, _data, chain) {
          if (parts.length !== 1 || parts[0] !== 'validators') throw rootError('unknownRequest', `unknown stake query ${parts.join('/')}`);
          const rows: StakeValidatorJson[] = staking.validators(kv).map((v) => ({
            name: v.name,
            consensus_address: toHex(v.consensusAddress).toUpperCase(),
            operator: encodeAddress(v.operator, chain.hrp),
            power: v.power.toString(),
            jailed: v.jailed,
            jailed_at_height: String(v.jailedAtHeight ?? 0n),
            slashed: String(v.slashed ?? 0n),
          }));
          return new TextEncoder().encode(JSON.stringify(rows));
        },
      },
    ],
  };
}
