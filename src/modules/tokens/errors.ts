/** Token-module errors (codespace `tokens`); numbers are stable, the app reports `2<<16 | code`. */
import { ChainError } from '../../errors.js';

export const TokenCode = {
  invalidSymbol: 1,
  unknownSymbol: 2,
  symbolExists: 3,
  notOwner: 4,
  notMintable: 5,
  invalidAmount: 6,
  invalidName: 7,
  timeLockNotFound: 8,
  timeLockNotDue: 9,
  invalidTimeLock: 10,
  invalidDescription: 11,
  invalidTokenUri: 12,
  notMiniToken: 13,
} as const;

export function tokenError(kind: keyof typeof TokenCode, message: string): ChainError {
  return new ChainError('tokens', TokenCode[kind], message);
}
