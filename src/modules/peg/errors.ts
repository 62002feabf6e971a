/** Peg-module errors (codespace `peg`); numbers are stable, the app reports `5<<16 | code`. */
import { ChainError } from '../../errors.js';

export const PegCode = {
  notCustodian: 1,
  unknownAsset: 2,
  unknownNetwork: 3,
  duplicateAttestation: 4,
  depositAlreadyMinted: 5,
  depositFrozen: 6,
  depositRejected: 7,
  paused: 8,
  networkDisabled: 9,
  invalidAmount: 10,
  accountLimit: 11,
  aggregateQuota: 12,
  reserveExceeded: 13,
  unknownWithdrawal: 14,
  invalidWithdrawalState: 15,
  withdrawalFrozen: 16,
  payoutReused: 17,
  staleReserve: 18,
  reserveConflict: 19,
  notGuardian: 20,
  invalidGovAction: 21,
  govDisabled: 22,
  notAuthorized: 23,
  invalidExtAddress: 24,
  invalidExtTxId: 25,
  invalidGenesis: 26,
  timeoutNotReached: 27,
  assetExists: 28,
} as const;

export function pegError(kind: keyof typeof PegCode, message: string): ChainError {
  return new ChainError('peg', PegCode[kind], message);
}
