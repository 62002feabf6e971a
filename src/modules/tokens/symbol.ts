/** BEP2 and BEP8 (mini/tiny) symbol rules (spec §B.1). */
import { tokenError } from './errors.js';

export const NATIVE_SYMBOL = 'BNB';
/** 90 billion tokens of 1e8 units (`TokenMaxTotalSupply`). */
export const MAX_TOTAL_SUPPLY = 9_000_000_000_000_000_000n;
export const MAX_NAME_BYTES = 32;

const ALNUM = /^[A-Za-z0-9]+$/;
const REFERENCED = /^[A-Z0-9]{2,8}(\.B)?-[0-9A-F]{3}$/;
/** BEP8: `BASE-XXXM`, base 3–8 alphanumerics, 3 hex digits of the issuing tx hash and `M`. */
const MINI_REFERENCED = /^[A-Z0-9]{3,8}-[0-9A-F]{3}M$/;
const MINI_ISSUE = /^[A-Za-z0-9]{3,8}$/;

/** 1 token (1e8 units): the least a mini/tiny token may have, and the least amount most ops on one may move. */
export const MINI_MIN_AMOUNT = 100_000_000n;
/** Supply caps by BEP8 range (`TinyRangeType` 1: 10,000 tokens, `MiniRangeType` 2: 1,000,000 tokens). */
export const TINY_MAX_TOTAL_SUPPLY = 1_000_000_000_000n;
export const MINI_MAX_TOTAL_SUPPLY = 100_000_000_000_000n;
export const MAX_TOKEN_URI_BYTES = 2048;

/** BEP8 supply range of a mini-style token (`SupplyRangeType` in the Go node). */
export const TokenType = { tiny: 1, mini: 2 } as const;
export type TokenTypeValue = (typeof TokenType)[keyof typeof TokenType];

export function miniUpperBound(t: TokenTypeValue): bigint {
  return t === TokenType.tiny ? TINY_MAX_TOTAL_SUPPLY : MINI_MAX_TOTAL_SUPPLY;
}

/**
 * Checks the symbol an IssueMsg proposes (before the suffix): optional `.B` stripped, then
 * 2–8 ASCII letters/digits (BEP87 bounds, which the testnet has from height 1).
 */
export function validateIssueSymbol(symbol: string): void {
  const core = symbol.endsWith('.B') ? symbol.slice(0, -2) : symbol;
  if (core.length < 2 || core.length > 8) {
    throw tokenError('invalidSymbol', `token symbol ${JSON.stringify(symbol)}: length must be 2 to 8 characters (excluding a .B suffix)`);
  }
  if (!ALNUM.test(core)) throw tokenError('invalidSymbol', `token symbol ${JSON.stringify(symbol)}: only letters and digits are allowed`);
  if (core.toUpperCase() === NATIVE_SYMBOL) throw tokenError('invalidSymbol', `token symbol ${NATIVE_SYMBOL} is reserved for the native token`);
}

/** A symbol a msg references: `BNB`, `BASE-XXX` (BEP2) or `BASE-XXXM` (BEP8 mini/tiny). */
export function validateTokenSymbol(symbol: string): void {
  if (symbol === NATIVE_SYMBOL) return;
  if (!REFERENCED.test(symbol) && !MINI_REFERENCED.test(symbol)) {
    throw tokenError(
      'invalidSymbol',
      `invalid token symbol ${JSON.stringify(symbol)} (expected BNB, SYMBOL-XXX with a 3 hex digit suffix, or a mini token's SYMBOL-XXXM)`,
    );
  }
}

/** True for a well-formed mini/tiny symbol `BASE-XXXM` (Go `IsValidMiniTokenSymbol`). */
export function isMiniSymbol(symbol: string): boolean {
  return MINI_REFERENCED.test(symbol);
}

/** A symbol a mini-only msg (SetURI) references: `BASE-XXXM`. */
export function validateMiniTokenSymbol(symbol: string): void {
  if (!MINI_REFERENCED.test(symbol)) {
    throw tokenError('invalidSymbol', `invalid mini token symbol ${JSON.stringify(symbol)} (expected SYMBOL-XXXM: 3–8 letters/digits, 3 hex digits, M)`);
  }
}

/**
 * The symbol an IssueMiniMsg/IssueTinyMsg proposes: 3–8 ASCII letters/digits, no `.B` suffix,
 * not BNB (Go `ValidateIssueMiniSymbol`, `MiniTokenSymbolMinLen = 3`).
 */
export function validateIssueMiniSymbol(symbol: string): void {
  if (!MINI_ISSUE.test(symbol)) {
    throw tokenError('invalidSymbol', `mini token symbol ${JSON.stringify(symbol)}: must be 3 to 8 letters or digits`);
  }
  if (symbol.toUpperCase() === NATIVE_SYMBOL) throw tokenError('invalidSymbol', `token symbol ${NATIVE_SYMBOL} is reserved for the native token`);
}

/** Final mini/tiny symbol: the BEP2 one (`issuedSymbol`) with an `M`. */
export function issuedMiniSymbol(original: string, txHashUpperHex: string): string {
  return `${issuedSymbol(original, txHashUpperHex)}M`;
}

/** Final symbol: `UPPER(orig)-` + first 3 chars of the UPPERCASE hex tx hash. */
export function issuedSymbol(original: string, txHashUpperHex: string): string {
  return `${original.toUpperCase()}-${txHashUpperHex.slice(0, 3)}`;
}
