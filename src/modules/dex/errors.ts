/** DEX-module errors (codespace `dex`); numbers are stable, the app reports `3<<16 | code`. */
import { ChainError } from '../../errors.js';

export const DexCode = {
  invalidOrder: 1,
  unknownPair: 2,
  pairExists: 3,
  invalidPrice: 4,
  invalidQuantity: 5,
  invalidTickSize: 6,
  invalidLotSize: 7,
  notionalTooSmall: 8,
  duplicateOrder: 9,
  orderNotFound: 10,
  notOrderOwner: 11,
  invalidOrderId: 12,
  invalidListing: 13,
  notTokenOwner: 14,
  invalidProposal: 15,
  invalidGenesis: 16,
  overflow: 17,
  invalidDelisting: 18,
  /** ListMiniMsg: the base asset is not a mini token (`XXX-NNNM`). */
  notMiniToken: 19,
  /** ListMiniMsg: the quote asset is not one a mini pair may be listed against (BNB). */
  invalidQuoteAsset: 20,
  /** An order on a mini pair below 1e8 that is not a SELL of the whole free balance. */
  miniQuantityTooSmall: 21,
} as const;

export function dexError(kind: keyof typeof DexCode, message: string): ChainError {
  return new ChainError('dex', DexCode[kind], message);
}
