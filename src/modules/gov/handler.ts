/** Gov msgs: submit proposal, deposit, vote (fee keys `submit_proposal`, `deposit`, `vote`). */
import type { DepositMsg, SubmitProposalMsg, VoteMsg } from '../../codec/types.js';
import { encodeUvarint, concatBytes } from '../../codec/index.js';
import type { MsgHandler } from '../../app/router.js';
import { govError } from './errors.js';
import type { GovKeeper } from './keeper.js';

/** Go `cdc.MustMarshalBinaryLengthPrefixed(int64)`: the handler's result data. */
function proposalIdData(id: bigint): Uint8Array {
  const body = encodeUvarint(id);
  return concatBytes(encodeUvarint(body.length), body);
}

export function submitProposalHandler(gov: GovKeeper): MsgHandler<SubmitProposalMsg> {
  return {
    type: 'cosmos-sdk/MsgSubmitProposal',
    feeKey: 'submit_proposal',
    route: 'gov',
    validateBasic: (msg) => gov.validateSubmitBasic(msg),
    handle(ctx, msg) {
      const p = gov.submitProposal(ctx, msg);
      return { data: proposalIdData(p.id) };
    },
  };
}

export function depositHandler(gov: GovKeeper): MsgHandler<DepositMsg> {
  return {
    type: 'cosmos-sdk/MsgDeposit',
    feeKey: 'deposit',
    route: 'gov',
    validateBasic(msg) {
      if (msg.amount.length === 0) throw govError('invalidDeposit', 'deposit amount is empty');
      for (const c of msg.amount) if (c.amount <= 0n) throw govError('invalidDeposit', `deposit of ${c.denom} must be positive`);
    },
    handle(ctx, msg) {
      gov.addDeposit(ctx, msg.proposal_id, msg.depositor, msg.amount);
    },
  };
}

export function voteHandler(gov: GovKeeper): MsgHandler<VoteMsg> {
  return {
    type: 'cosmos-sdk/MsgVote',
    feeKey: 'vote',
    route: 'gov',
    validateBasic(msg) {
      if (msg.option < 1 || msg.option > 4) throw govError('invalidVote', `invalid vote option ${msg.option}`);
    },
    handle(ctx, msg) {
      gov.addVote(ctx, msg.proposal_id, msg.voter, msg.option);
    },
  };
}
