/**
 * Tokens module: BEP2 and BEP8 (mini/tiny) tokens and time locks, with their queries.
 * Importing this file registers the BEP8 msgs with the codec.
 */
import './mini-msgs.js';
export * from './errors.js';
export * from './symbol.js';
export * from './keeper.js';
export * from './handler.js';
export * from './timelock.js';
export * from './mini-msgs.js';
export * from './mini.js';
export { tokensRoutes } from './routes.js';
import { rootError } from '../../errors.js';
import { decodeAddress, encodeToken, encodeTokenList, type TokenValue } from '../../codec/index.js';
import type { AppModule } from '../../app/router.js';
import type { BankKeeper } from '../bank/keeper.js';
import { isMiniToken, type Token, type TokenKeeper } from './keeper.js';
import { issueMiniHandler, issueTinyHandler, setUriHandler } from './mini.js';
import type { TimeLocks, TimeLockRecord } from './timelock.js';
import {
  burnHandler,
  freezeHandler,
  issueHandler,
  mintHandler,
  tokenJson,
  transferOwnershipHandler,
  unfreezeHandler,
} from './handler.js';
import { timeLockHandler, timeRelockHandler, timeUnlockHandler } from './timelock.js';

export const MAX_TOKEN_LIST_LIMIT = 1000;

export function tokenValue(t: Token): TokenValue {
  return { name: t.name, symbol: t.symbol, originalSymbol: t.originalSymbol, totalSupply: t.totalSupply, owner: t.owner, mintable: t.mintable };
}

function parseIndex(s: string | undefined, what: string): number {
  if (s === undefined || !/^\d{1,9}$/.test(s)) throw rootError('invalidRequest', `${what} must be a non-negative integer, got ${JSON.stringify(s)}`);
  return Number(s);
}

export function timeLockJson(r: TimeLockRecord): object {
  return {
    id: Number(r.id),
    description: r.description,
    amount: r.amount.map((c) => ({ denom: c.denom, amount: c.amount.toString() })),
    lock_time: new Date(Number(r.lockTime) * 1000).toISOString(),
  };
}

export function tokensModule(tokens: TokenKeeper, bank: BankKeeper, locks: TimeLocks): AppModule {
  const enc = new TextEncoder();
  return {
    name: 'tokens',
    handlers: [
      issueHandler(tokens, bank),
      mintHandler(tokens, bank),
      burnHandler(tokens, bank),
      freezeHandler(tokens, bank),
      unfreezeHandler(tokens, bank),
      transferOwnershipHandler(tokens),
      timeLockHandler(locks, bank),
      timeUnlockHandler(locks, bank),
      timeRelockHandler(locks, bank),
      issueMiniHandler(tokens, bank),
      issueTinyHandler(tokens, bank),
      setUriHandler(tokens),
    ],
    initGenesis(kv, genesis) {
      for (const t of genesis.tokens) tokens.setToken(kv, t);
    },
    queries: [
      {
        route: 'tokens',
        handle(kv, parts) {
          if (parts[0] === 'info' && parts.length === 2) {
            const t = tokens.getToken(kv, parts[1]!);
            if (!t) throw rootError('notFound', `token ${parts[1]} does not exist`);
            return encodeToken(tokenValue(t), true);
          }
          if (parts[0] === 'list' && (parts.length === 3 || parts.length === 4)) {
            const offset = parseIndex(parts[1], 'offset');
            const limit = parseIndex(parts[2], 'limit');
            if (limit < 1 || limit > MAX_TOKEN_LIST_LIMIT) throw rootError('invalidRequest', `limit must be 1 to ${MAX_TOKEN_LIST_LIMIT}`);
            const showZero = parts[3] !== 'false';
            const list = tokens.listTokens(kv, offset, limit).filter((t) => showZero || t.totalSupply > 0n);
            return encodeTokenList(list.map(tokenValue));
          }
          throw rootError('unknownRequest', `unknown tokens query ${parts.join('/')}`);
        },
      },
      {
        // BEP8 tokens as JSON (Go MiniToken: BEP2 fields + token_type, token_uri); `tokens/info`
        // answers for them too, in the BEP2 amino shape.
        route: 'mini-tokens',
        handle(kv, parts, _data, chain) {
          if (parts[0] === 'info' && parts.length === 2) {
            const t = tokens.getToken(kv, parts[1]!);
            if (!t || !isMiniToken(t)) throw rootError('notFound', `mini token ${parts[1]} does not exist`);
            return enc.encode(tokenJson(t, chain.hrp));
          }
          if (parts[0] === 'list' && parts.length === 3) {
            const offset = parseIndex(parts[1], 'offset');
            const limit = parseIndex(parts[2], 'limit');
            if (limit < 1 || limit > MAX_TOKEN_LIST_LIMIT) throw rootError('invalidRequest', `limit must be 1 to ${MAX_TOKEN_LIST_LIMIT}`);
            const list = tokens.listMiniTokens?.(kv, offset, limit) ?? [];
            return enc.encode(`[${list.map((t) => tokenJson(t, chain.hrp)).join(',')}]`);
          }
          throw rootError('unknownRequest', `unknown mini-tokens query ${parts.join('/')}`);
        },
      },
      {
        route: 'timelock',
        handle(kv, parts, _data, chain) {
          if (parts[0] === 'timelocks' && parts.length === 2) {
            const owner = decodeAddress(parts[1]!, chain.hrp);
            return enc.encode(JSON.stringify(locks.list(kv, owner).map(timeLockJson)));
          }
          if (parts[0] === 'timelock' && parts.length === 3) {
            const owner = decodeAddress(parts[1]!, chain.hrp);
            const id = BigInt(parseIndex(parts[2], 'id'));
            const r = locks.get(kv, owner, id);
            if (!r) throw rootError('notFound', `time lock ${id} of ${parts[1]} does not exist`);
            return enc.encode(JSON.stringify(timeLockJson(r)));
          }
          throw rootError('unknownRequest', `unknown timelock query ${parts.join('/')}`);
        },
      },
    ],
  };
}
