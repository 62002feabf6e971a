/** BEP2 symbol rules (spec §B.1). */
import { tokenError } from './errors.js';

export const NATIVE_SYMBOL = 'BNB';
/** 90 billion tokens of 1e8 units (`TokenMaxTotalSupply`). */
export const MAX_TOTAL_SUPPLY = 9_000_000_000_000_000_000n;
export const MAX_NAME_BYTES = 32;

const ALNUM = /^[A-Za-z0-9]+$/;
const REFERENCED = /^[A-Z0-9]{2,8}(\.B)?-[0-9A-F]{3}$/;

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

/** A symbol a msg references: `BNB` or `BASE-XXX` with a 3-hex-digit suffix. */
export function validateTokenSymbol(symbol: string): void {
  if (symbol === NATIVE_SYMBOL) return;
  if (!REFERENCED.test(symbol)) {
    throw tokenError('invalidSymbol', `invalid token symbol ${JSON.stringify(symbol)} (expected BNB or SYMBOL-XXX with a 3 hex digit suffix)`);
  }
}

/** Final symbol: `UPPER(orig)-` + first 3 chars of the UPPERCASE hex tx hash. */
export function issuedSymbol(original: string, txHashUpperHex: string): string {
  return `${original.toUpperCase()}-${txHashUpperHex.slice(0, 3)}`;
}
