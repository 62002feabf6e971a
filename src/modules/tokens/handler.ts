/**
 * BEP2 token msgs: issue, mint, burn, freeze, unfreeze, transfer ownership (spec §B.3). Mint,
 * burn and freeze also serve BEP8 mini/tiny tokens, with their range cap and 1-token minimum.
 */
import { rootError } from '../../errors.js';
import { encodeAddress, formatFixed8, goJsonString } from '../../codec/index.js';
import type { BurnMsg, FreezeMsg, IssueMsg, MintMsg, TransferOwnershipMsg, UnfreezeMsg } from '../../codec/types.js';
import { bytesEqual } from '../../crypto/hash.js';
import type { MsgHandler } from '../../app/router.js';
import type { TxContext } from '../../app/context.js';
import type { BankKeeper } from '../bank/keeper.js';
import { tokenError } from './errors.js';
import type { Token, TokenKeeper } from './keeper.js';
import {
  MAX_NAME_BYTES,
  MAX_TOTAL_SUPPLY,
  MINI_MIN_AMOUNT,
  NATIVE_SYMBOL,
  isMiniSymbol,
  issuedSymbol,
  miniUpperBound,
  validateIssueSymbol,
  validateTokenSymbol,
} from './symbol.js';

const enc = new TextEncoder();

/** Go `encoding/json` of the Token (or MiniToken, with `token_type` and `token_uri`) struct as the issue handler returns it. */
export function tokenJson(t: Token, hrp: string): string {
  const mini = t.tokenType !== undefined ? `,"token_type":${t.tokenType},"token_uri":${goJsonString(t.tokenUri ?? '')}` : '';
  return (
    `{"name":${goJsonString(t.name)},"symbol":${goJsonString(t.symbol)},"original_symbol":${goJsonString(t.originalSymbol)},` +
    `"total_supply":"${formatFixed8(t.totalSupply)}","owner":"${encodeAddress(t.owner, hrp)}","mintable":${t.mintable}${mini}}`
  );
}

/**
 * BEP8: a mini/tiny token moves in amounts of at least one token (1e8), except when the amount
 * is the whole balance it comes out of (Go burn/freeze handlers, `MiniTokenMinExecutionAmount`).
 */
function checkMiniAmount(symbol: string, amount: bigint, balance: bigint, what: string): void {
  if (isMiniSymbol(symbol) && amount < MINI_MIN_AMOUNT && amount !== balance) {
    throw tokenError('invalidAmount', `${what} amount of mini token ${symbol} is too small: at least ${MINI_MIN_AMOUNT} or the whole balance (${balance})`);
  }
}

/**
 * Every issue (BEP2 and BEP8) once the symbol is derived: refuse a taken symbol, store the token,
 * credit its whole supply to the issuer, emit `issue_token`, and answer the token's JSON as the
 * tx data. `extra`: the fields only mini/tiny tokens have.
 */
export function issueToken(
  ctx: TxContext,
  tokens: TokenKeeper,
  bank: BankKeeper,
  msg: { name: string; symbol: string; total_supply: bigint; from: Uint8Array; mintable: boolean },
  symbol: string,
  extra: Pick<Token, 'tokenType' | 'tokenUri'> | Record<string, never> = {},
): { data: Uint8Array } {
  if (tokens.hasToken(ctx.kv, symbol)) throw tokenError('symbolExists', `symbol ${symbol} already exists (issue again: the suffix comes from the tx hash)`);
  const token: Token = {
    name: msg.name,
    symbol,
    originalSymbol: msg.symbol.toUpperCase(),
    totalSupply: msg.total_supply,
    owner: msg.from,
    mintable: msg.mintable,
    ...extra,
  };
  tokens.setToken(ctx.kv, token);
  bank.addCoins(ctx.kv, token.owner, [{ denom: token.symbol, amount: token.totalSupply }]);
  ctx.events.emit('issue_token', {
    symbol: token.symbol,
    owner: encodeAddress(token.owner, ctx.chain.hrp),
    total_supply: token.totalSupply.toString(),
  });
  return { data: enc.encode(tokenJson(token, ctx.chain.hrp)) };
}

function positive(amount: bigint, what: string): void {
  if (amount <= 0n) throw tokenError('invalidAmount', `${what} amount must be positive, got ${amount}`);
}

export function issueHandler(tokens: TokenKeeper, bank: BankKeeper): MsgHandler<IssueMsg> {
  return {
    type: 'tokens/IssueMsg',
    feeKey: 'issueMsg',
    route: 'tokensIssue',
    validateBasic(msg) {
      const nameLen = enc.encode(msg.name).length;
      if (nameLen < 1 || nameLen > MAX_NAME_BYTES) {
        throw tokenError('invalidName', `token name must be 1 to ${MAX_NAME_BYTES} bytes, got ${nameLen}`);
      }
      validateIssueSymbol(msg.symbol);
      if (msg.total_supply < 1n || msg.total_supply > MAX_TOTAL_SUPPLY) {
        throw tokenError('invalidAmount', `total supply must be between 1 and ${MAX_TOTAL_SUPPLY}, got ${msg.total_supply}`);
      }
    },
    handle(ctx, msg) {
      return issueToken(ctx, tokens, bank, msg, issuedSymbol(msg.symbol.toUpperCase(), ctx.hash));
    },
  };
}

export function mintHandler(tokens: TokenKeeper, bank: BankKeeper): MsgHandler<MintMsg> {
  return {
    type: 'tokens/MintMsg',
    feeKey: 'mintMsg',
    route: 'tokensIssue',
    validateBasic(msg) {
      validateTokenSymbol(msg.symbol);
      positive(msg.amount, 'mint');
      if (msg.symbol === NATIVE_SYMBOL) throw tokenError('notMintable', 'cannot mint the native token');
      if (isMiniSymbol(msg.symbol) && msg.amount < MINI_MIN_AMOUNT) {
        throw tokenError('invalidAmount', `mint amount of a mini token must be at least ${MINI_MIN_AMOUNT}, got ${msg.amount}`);
      }
    },
    handle(ctx, msg) {
      const t = tokens.mustGetToken(ctx.kv, msg.symbol);
      if (!bytesEqual(t.owner, msg.from)) throw tokenError('notOwner', `only the owner of ${msg.symbol} can mint it`);
      if (!t.mintable) throw tokenError('notMintable', `token ${msg.symbol} is not mintable`);
      // a mini/tiny token's range caps its supply, mint included
      const cap = t.tokenType !== undefined ? miniUpperBound(t.tokenType) : MAX_TOTAL_SUPPLY;
      if (msg.amount > cap - t.totalSupply) {
        throw tokenError('invalidAmount', `mint amount is too large: the total supply of ${msg.symbol} may not exceed ${cap}`);
      }
      t.totalSupply += msg.amount;
      tokens.setToken(ctx.kv, t);
      bank.addCoins(ctx.kv, msg.from, [{ denom: msg.symbol, amount: msg.amount }]);
      ctx.events.emit('mint_token', { symbol: msg.symbol, amount: msg.amount.toString(), total_supply: t.totalSupply.toString() });
      return { data: enc.encode(t.totalSupply.toString()) };
    },
  };
}

export function burnHandler(tokens: TokenKeeper, bank: BankKeeper): MsgHandler<BurnMsg> {
  return {
    type: 'tokens/BurnMsg',
    feeKey: 'tokensBurn',
    route: 'tokensBurn',
    validateBasic(msg) {
      validateTokenSymbol(msg.symbol);
      positive(msg.amount, 'burn');
    },
    handle(ctx, msg) {
      const t = tokens.mustGetToken(ctx.kv, msg.symbol);
      // A module's tokens (pegged assets) leave only through that module, so its books balance.
      if (tokens.isModuleOwned?.(t.owner)) {
        throw tokenError('notOwner', `${msg.symbol} is owned by a module: it leaves the chain through a peg withdrawal, not a burn`);
      }
      const free = bank.getBalance(ctx.kv, msg.from, msg.symbol);
      // an amount over the balance fails below with the bank's own error
      if (msg.amount <= free) checkMiniAmount(msg.symbol, msg.amount, free, 'burn');
      // post-BEP82: any holder burns from its own free balance
      bank.subtractCoins(ctx.kv, msg.from, [{ denom: msg.symbol, amount: msg.amount }]);
      if (msg.amount > t.totalSupply) throw rootError('insufficientCoins', `burn of ${msg.amount} exceeds the supply ${t.totalSupply}`);
      t.totalSupply -= msg.amount;
      tokens.setToken(ctx.kv, t);
      ctx.events.emit('burn_token', {
        symbol: msg.symbol,
        from: encodeAddress(msg.from, ctx.chain.hrp),
        amount: msg.amount.toString(),
        total_supply: t.totalSupply.toString(),
      });
    },
  };
}

function freezeLike<M extends FreezeMsg | UnfreezeMsg>(type: M['type'], tokens: TokenKeeper, bank: BankKeeper): MsgHandler<M> {
  const freeze = type === 'tokens/FreezeMsg';
  return {
    type,
    feeKey: 'tokensFreeze',
    route: 'tokensFreeze',
    validateBasic(msg) {
      validateTokenSymbol(msg.symbol);
      positive(msg.amount, freeze ? 'freeze' : 'unfreeze');
    },
    handle(ctx, msg) {
      tokens.mustGetToken(ctx.kv, msg.symbol);
      if (isMiniSymbol(msg.symbol)) {
        const acc = bank.peekAccount(ctx.kv, msg.from);
        const from = freeze ? acc?.coins : acc?.frozen;
        const balance = from?.find((c) => c.denom === msg.symbol)?.amount ?? 0n;
        // an amount over the balance fails below with the bank's own error
        if (msg.amount <= balance) checkMiniAmount(msg.symbol, msg.amount, balance, freeze ? 'freeze' : 'unfreeze');
      }
      const coin = { denom: msg.symbol, amount: msg.amount };
      if (freeze) bank.freeze(ctx.kv, msg.from, coin);
      else bank.unfreeze(ctx.kv, msg.from, coin);
      ctx.events.emit(freeze ? 'freeze_token' : 'unfreeze_token', {
        symbol: msg.symbol,
        from: encodeAddress(msg.from, ctx.chain.hrp),
        amount: msg.amount.toString(),
      });
    },
  };
}

export function freezeHandler(tokens: TokenKeeper, bank: BankKeeper): MsgHandler<FreezeMsg> {
  return freezeLike<FreezeMsg>('tokens/FreezeMsg', tokens, bank);
}

export function unfreezeHandler(tokens: TokenKeeper, bank: BankKeeper): MsgHandler<UnfreezeMsg> {
  return freezeLike<UnfreezeMsg>('tokens/UnfreezeMsg', tokens, bank);
}

export function transferOwnershipHandler(tokens: TokenKeeper): MsgHandler<TransferOwnershipMsg> {
  return {
    type: 'tokens/TransferOwnershipMsg',
    feeKey: 'transferOwnership',
    route: 'tokensOwnershipTransfer',
    validateBasic(msg) {
      validateTokenSymbol(msg.symbol);
      if (bytesEqual(msg.from, msg.new_owner)) throw tokenError('notOwner', 'the new owner is the current owner');
    },
    handle(ctx, msg) {
      const t = tokens.mustGetToken(ctx.kv, msg.symbol);
      if (!bytesEqual(t.owner, msg.from)) throw tokenError('notOwner', `only the owner of ${msg.symbol} can transfer its ownership`);
      t.owner = msg.new_owner;
      tokens.setToken(ctx.kv, t);
      ctx.events.emit('transfer_ownership', {
        symbol: msg.symbol,
        from: encodeAddress(msg.from, ctx.chain.hrp),
        new_owner: encodeAddress(msg.new_owner, ctx.chain.hrp),
      });
    },
  };
}
