/** Bank module: accounts, balances, Send, SetAccountFlags, the `/account/<addr>` query. */
export * from './account.js';
export * from './coins.js';
export * from './keeper.js';
export * from './handler.js';
export * from './invariants.js';
import { rootError } from '../../errors.js';
import { decodeAddress } from '../../codec/index.js';
import type { AppModule } from '../../app/router.js';
import { accountKey } from './account.js';
import type { BankKeeper } from './keeper.js';
import { sendHandler, setAccountFlagsHandler } from './handler.js';

export function bankModule(bank: BankKeeper): AppModule {
  return {
    name: 'bank',
    handlers: [sendHandler(bank), setAccountFlagsHandler(bank)],
    initGenesis(kv, genesis) {
      // account numbers follow the order of the genesis file (consensus data)
      for (const a of genesis.accounts) {
        bank.getOrCreateAccount(kv, a.address);
        if (a.coins.length > 0) bank.addCoins(kv, a.address, a.coins);
      }
    },
    queries: [
      {
        route: 'account',
        handle(kv, parts, _data, chain) {
          if (parts.length !== 1 || !parts[0]) throw rootError('unknownRequest', 'expected account/<address>');
          const addr = decodeAddress(parts[0], chain.hrp);
          const raw = kv.get(accountKey(addr));
          if (!raw) throw rootError('unknownAddress', `account ${parts[0]} does not exist`);
          return raw;
        },
      },
    ],
  };
}
