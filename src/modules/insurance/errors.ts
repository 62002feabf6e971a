/** Insurance-module errors (codespace `insurance`, `8<<16 | code`). */
import { ChainError } from '../../errors.js';

export const InsuranceCode = {
  insufficientFund: 1,
  govDisabled: 2,
  notAuthorized: 3,
  invalidPayout: 4,
  invalidGenesis: 5,
} as const;

export function insuranceError(kind: keyof typeof InsuranceCode, message: string): ChainError {
  return new ChainError('insurance', InsuranceCode[kind], message);
}
