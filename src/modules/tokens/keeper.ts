/** Token records (`tok/<SYMBOL>`). */
import { AminoReader, AminoWriter } from '../../codec/index.js';
import type { Address } from '../../codec/types.js';
import type { KVReader, KVWriter } from '../../state/types.js';
import { tokenError } from './errors.js';
import { validateTokenSymbol } from './symbol.js';

export interface Token {
  name: string;
  symbol: string;
  originalSymbol: string;
  totalSupply: bigint;
  owner: Address;
  mintable: boolean;
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
  r.finish();
  return t;
}

export interface TokenKeeper {
  getToken(kv: KVReader, symbol: string): Token | undefined;
  /** Like getToken, but an invalid symbol or a missing token is an error. */
  mustGetToken(kv: KVReader, symbol: string): Token;
  hasToken(kv: KVReader, symbol: string): boolean;
  setToken(kv: KVWriter, t: Token): void;
  /** Tokens in symbol byte order. */
  listTokens(kv: KVReader, offset: number, limit: number): Token[];
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
    const out: Token[] = [];
    let i = 0;
    for (const [, b] of kv.iterate(TOK_PREFIX)) {
      if (out.length >= limit) break;
      if (i++ < offset) continue;
      out.push(decodeTokenRecord(b));
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
