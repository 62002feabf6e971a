/**
 * BEP8 mini/tiny tokens: issue (`tokens/IssueMiniMsg`, `tokens/IssueTinyMsg`) and SetURI
 * (spec §B.1, §B.3; `node:plugins/tokens/issue/handler_mini.go`, `seturi/handler.go`).
 * The tokens live in the same store as BEP2 ones, marked by their `tokenType`, so transfer,
 * burn, freeze, mint, ownership and time locks find them as they find BEP2 tokens.
 */
import { bytesEqual } from '../../crypto/hash.js';
import { encodeAddress } from '../../codec/index.js';
import type { MsgHandler } from '../../app/router.js';
import type { BankKeeper } from '../bank/keeper.js';
import { tokenError } from './errors.js';
import { issueToken } from './handler.js';
import { isMiniToken, type TokenKeeper } from './keeper.js';
import type { IssueMiniMsg, IssueTinyMsg, SetURIMsg } from './mini-msgs.js';
import { TokenType, issuedMiniSymbol, type TokenTypeValue } from './symbol.js';

const enc = new TextEncoder();

function issueMiniLike<M extends IssueMiniMsg | IssueTinyMsg>(
  type: M['type'],
  feeKey: string,
  tokenType: TokenTypeValue,
  tokens: TokenKeeper,
  bank: BankKeeper,
): MsgHandler<M> {
  return {
    type,
    feeKey,
    route: 'tokensIssue',
    // stateless rules: the codec's validateBasic (mini-msgs.ts)
    handle(ctx, msg) {
      return issueToken(ctx, tokens, bank, msg, issuedMiniSymbol(msg.symbol.toUpperCase(), ctx.hash), { tokenType, tokenUri: msg.token_uri });
    },
  };
}

export function issueMiniHandler(tokens: TokenKeeper, bank: BankKeeper): MsgHandler<IssueMiniMsg> {
  return issueMiniLike<IssueMiniMsg>('tokens/IssueMiniMsg', 'miniIssueMsg', TokenType.mini, tokens, bank);
}

export function issueTinyHandler(tokens: TokenKeeper, bank: BankKeeper): MsgHandler<IssueTinyMsg> {
  return issueMiniLike<IssueTinyMsg>('tokens/IssueTinyMsg', 'tinyIssueMsg', TokenType.tiny, tokens, bank);
}

/** SetURI: the owner of a mini/tiny token replaces its URI; the result data is the new URI. */
export function setUriHandler(tokens: TokenKeeper): MsgHandler<SetURIMsg> {
  return {
    type: 'tokens/SetURIMsg',
    feeKey: 'miniTokensSetURI',
    route: 'miniTokensSetURI',
    handle(ctx, msg) {
      const t = tokens.mustGetToken(ctx.kv, msg.symbol);
      if (!isMiniToken(t)) throw tokenError('notMiniToken', `${msg.symbol} is not a mini token: only mini tokens have a URI`);
      if (!bytesEqual(t.owner, msg.from)) throw tokenError('notOwner', `only the owner of ${msg.symbol} can set its URI`);
      t.tokenUri = msg.token_uri;
      tokens.setToken(ctx.kv, t);
      ctx.events.emit('set_token_uri', { symbol: msg.symbol, from: encodeAddress(msg.from, ctx.chain.hrp) });
      return { data: enc.encode(msg.token_uri) };
    },
  };
}
