/** Gov-module errors (codespace `gov`); numbers are stable, the app reports `4<<16 | code`. */
import { ChainError } from '../../errors.js';

export const GovCode = {
  unknownProposal: 1,
  inactiveProposal: 2,
  alreadyActiveProposal: 3,
  alreadyFinishedProposal: 4,
  addressNotStaked: 5,
  invalidTitle: 6,
  invalidDescription: 7,
  invalidProposalType: 8,
  invalidVote: 9,
  invalidGenesis: 10,
  invalidProposalStatus: 11,
  invalidVotingPeriod: 12,
  invalidDeposit: 13,
  onlyValidatorVote: 14,
  invalidProposal: 15,
} as const;

export function govError(kind: keyof typeof GovCode, message: string): ChainError {
  return new ChainError('gov', GovCode[kind], message);
}
