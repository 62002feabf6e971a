/** Token records (`tok/<SYMBOL>`). */
import { AminoReader, AminoWriter } from '../../codec/index.js';
import type { Address } from '../../codec/types.js';
import type { KVReader, KVWriter } from '../../state/types.js';
import { tokenError } from './errors.js';
import { TokenType, validateTokenSymbol, type TokenTypeValue } from './symbol.js';

export interface Token {
  name: string;
  symbol: string;
  originalSymbol: string;
  totalSupply: bigint;
  owner: Address;
  mintable: boolean;
  /** BEP8 supply range (1 tiny, 2 mini); absent for a BEP2 token. */
  tokenType?: TokenTypeValue;
  /** BEP8 token URI (≤ 2048 bytes); only mini/tiny tokens carry one. */
  tokenUri?: string;
}

/** True for a BEP8 mini/tiny token record. */
export function isMiniToken(t: Token): boolean {
  return t.tokenType !== undefined;
}

const TOK_PREFIX = new TextEncoder().encode('tok/');
const enc = new TextEncoder();

function tokenKey(symbol: string): Uint8Array {
  const s = enc.encode(symbol);
  const k = new Uint8Array(TOK_PREFIX.length + s.length);
  k.set(TOK_PREFIX, 0);
  k.set(s, TOK_PREFIX.length);
  return k;
}

export function encodeTokenRecord(t: Token): Uint8Array {
  const w = new AminoWriter();
  w.string(1, t.name).string(2, t.symbol).string(3, t.originalSymbol).uvarint(4, t.totalSupply);
  w.bytes(5, t.owner).bool(6, t.mintable);
  // BEP8 fields come after the BEP2 ones, so a BEP2 record's bytes are unchanged (zero = omitted).
  if (t.tokenType !== undefined) w.uvarint(7, BigInt(t.tokenType)).string(8, t.tokenUri ?? '');
  return w.finish();
}

export function decodeTokenRecord(b: Uint8Array): Token {
  const r = new AminoReader(b);
  const t: Token = {
    name: r.string(1),
    symbol: r.string(2),
    originalSymbol: r.string(3),
    totalSupply: r.uvarint(4),
    owner: r.bytes(5),
    mintable: r.bool(6),
  };
  const type = r.uvarint(7);
  const uri = r.string(8);
  r.finish();
  if (type === BigInt(TokenType.tiny) || type === BigInt(TokenType.mini)) {
    t.tokenType = Number(type) as TokenTypeValue;
    t.tokenUri = uri;
  } else if (type !== 0n || uri !== '') {
    throw tokenError('invalidSymbol', `token record ${t.symbol}: unknown token type ${type}`);
  }
  return t;
}

export interface TokenKeeper {
  getToken(kv: KVReader, symbol: string): Token | undefined;
  /** Like getToken, but an invalid symbol or a missing token is an error. */
  mustGetToken(kv: KVReader, symbol: string): Token;
  hasToken(kv: KVReader, symbol: string): boolean;
  setToken(kv: KVWriter, t: Token): void;
  /** BEP2 tokens (mini/tiny ones excluded, as Binance's `tokens/list`) in symbol byte order. */
  listTokens(kv: KVReader, offset: number, limit: number): Token[];
  /** BEP8 mini/tiny tokens in symbol byte order. */
  listMiniTokens?(kv: KVReader, offset: number, limit: number): Token[];
  /** symbol → total supply, for the supply invariant. */
  supplies(kv: KVReader): Map<string, bigint>;
  /** True when `owner` is a module account (its tokens change supply only through that module). */
  isModuleOwned?(owner: Uint8Array): boolean;
}

export class Tokens implements TokenKeeper {
  /** Module accounts that own tokens (the peg's pegged assets), as hex. */
  private readonly moduleOwners = new Set<string>();

  /** Marks a module account: holders cannot burn the tokens it owns (they leave through the module). */
  addModuleOwner(owner: Uint8Array): void {
    this.moduleOwners.add(Buffer.from(owner).toString('hex'));
  }

  isModuleOwned(owner: Uint8Array): boolean {
    return this.moduleOwners.has(Buffer.from(owner).toString('hex'));
  }

  getToken(kv: KVReader, symbol: string): Token | undefined {
    const b = kv.get(tokenKey(symbol));
    return b ? decodeTokenRecord(b) : undefined;
  }

  mustGetToken(kv: KVReader, symbol: string): Token {
    validateTokenSymbol(symbol);
    const t = this.getToken(kv, symbol);
    if (!t) throw tokenError('unknownSymbol', `token ${symbol} does not exist`);
    return t;
  }

  hasToken(kv: KVReader, symbol: string): boolean {
    return kv.has(tokenKey(symbol));
  }

  setToken(kv: KVWriter, t: Token): void {
    kv.set(tokenKey(t.symbol), encodeTokenRecord(t));
  }

  listTokens(kv: KVReader, offset: number, limit: number): Token[] {
    return this.list(kv, offset, limit, false);
  }

  listMiniTokens(kv: KVReader, offset: number, limit: number): Token[] {
    return this.list(kv, offset, limit, true);
  }

  private list(kv: KVReader, offset: number, limit: number, mini: boolean): Token[] {
    const out: Token[] = [];
    let i = 0;
    for (const [, b] of kv.iterate(TOK_PREFIX)) {
      if (out.length >= limit) break;
      const t = decodeTokenRecord(b);
      if (isMiniToken(t) !== mini) continue;
      if (i++ < offset) continue;
      out.push(t);
    }
    return out;
  }

  supplies(kv: KVReader): Map<string, bigint> {
    const m = new Map<string, bigint>();
    for (const [, b] of kv.iterate(TOK_PREFIX)) {
      const t = decodeTokenRecord(b);
      m.set(t.symbol, t.totalSupply);
    }
    return m;
  }
}
