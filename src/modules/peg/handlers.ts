/**
 * Peg msg handlers. Fee keys (`msg.Type()`, looked up in the fee table; the defaults below
 * apply while the table has no entry, and a FeeChange proposal can set them):
 *
 * | fee key             | msg                                          | default            |
 * |---------------------|----------------------------------------------|--------------------|
 * | `pegAttest`         | AttestDeposit, AttestWithdrawal, AttestReserves | free (custodians' duty; only custodians get past the handler) |
 * | `pegWithdraw`       | Withdraw                                     | 0.01 BNB, proposer |
 * | `pegCancel`         | CancelWithdrawal                             | free               |
 * | `pegPause`          | Pause                                        | free (a guardian must never be kept from pausing) |
 * | `pegGov`            | GovAction                                    | free               |
 */
import { FeeFor, type FeeTable, type FixedFee } from '../params/fees.js';
import type { Fee, MsgHandler } from '../../app/router.js';
import { checkGovAuthority, executePegAction, parseAction } from './gov.js';
import type { PegKeeper } from './keeper.js';
import type {
  AttestDepositMsg,
  AttestReservesMsg,
  AttestWithdrawalMsg,
  CancelWithdrawalMsg,
  PauseMsg,
  PegGovActionMsg,
  WithdrawMsg,
} from './types.js';

const enc = new TextEncoder();

export const PEG_DEFAULT_FEES: Record<string, FixedFee> = {
  pegAttest: { fee: 0n, feeFor: FeeFor.Free },
  pegWithdraw: { fee: 1_000_000n, feeFor: FeeFor.Proposer },
  pegCancel: { fee: 0n, feeFor: FeeFor.Free },
  pegPause: { fee: 0n, feeFor: FeeFor.Free },
  pegGov: { fee: 0n, feeFor: FeeFor.Free },
};

export function pegFee(feeKey: string) {
  return (_msg: unknown, table: FeeTable): Fee => {
    const f = table.fixed[feeKey] ?? PEG_DEFAULT_FEES[feeKey];
    if (!f || f.feeFor === FeeFor.Free || f.fee <= 0n) return { amount: 0n, feeFor: FeeFor.Free };
    return { amount: f.fee, feeFor: f.feeFor };
  };
}

const ROUTE = 'peg';

export function pegHandlers(keeper: PegKeeper): MsgHandler<any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const attestDeposit: MsgHandler<AttestDepositMsg> = {
    type: 'peg/AttestDeposit',
    feeKey: 'pegAttest',
    route: ROUTE,
    fee: pegFee('pegAttest'),
    handle(ctx, msg) {
      const c = keeper.attestDeposit(ctx, msg);
      return { data: enc.encode(JSON.stringify({ key: c.key, status: c.status })) };
    },
  };
  const withdraw: MsgHandler<WithdrawMsg> = {
    type: 'peg/Withdraw',
    feeKey: 'pegWithdraw',
    route: ROUTE,
    fee: pegFee('pegWithdraw'),
    handle(ctx, msg) {
      const w = keeper.withdraw(ctx, msg);
      return { data: enc.encode(JSON.stringify({ id: w.id.toString(), status: w.status })) };
    },
  };
  const attestWithdrawal: MsgHandler<AttestWithdrawalMsg> = {
    type: 'peg/AttestWithdrawal',
    feeKey: 'pegAttest',
    route: ROUTE,
    fee: pegFee('pegAttest'),
    handle(ctx, msg) {
      const w = keeper.attestWithdrawal(ctx, msg);
      return { data: enc.encode(JSON.stringify({ id: w.id.toString(), status: w.status, frozen: w.frozen })) };
    },
  };
  const cancel: MsgHandler<CancelWithdrawalMsg> = {
    type: 'peg/CancelWithdrawal',
    feeKey: 'pegCancel',
    route: ROUTE,
    fee: pegFee('pegCancel'),
    handle(ctx, msg) {
      const w = keeper.cancel(ctx, msg);
      return { data: enc.encode(JSON.stringify({ id: w.id.toString(), status: w.status })) };
    },
  };
  const pause: MsgHandler<PauseMsg> = {
    type: 'peg/Pause',
    feeKey: 'pegPause',
    route: ROUTE,
    fee: pegFee('pegPause'),
    handle(ctx, msg) {
      keeper.pause(ctx, msg);
      const a = keeper.mustAsset(ctx.kv, msg.asset);
      return { data: enc.encode(JSON.stringify({ paused_deposits: a.pausedDeposits, paused_withdrawals: a.pausedWithdrawals })) };
    },
  };
  const attestReserves: MsgHandler<AttestReservesMsg> = {
    type: 'peg/AttestReserves',
    feeKey: 'pegAttest',
    route: ROUTE,
    fee: pegFee('pegAttest'),
    handle(ctx, msg) {
      keeper.attestReserves(ctx, msg);
    },
  };
  const govAction: MsgHandler<PegGovActionMsg> = {
    type: 'peg/GovAction',
    feeKey: 'pegGov',
    route: ROUTE,
    fee: pegFee('pegGov'),
    handle(ctx, msg) {
      checkGovAuthority(keeper.params(ctx.kv).govAuthority, msg.from, 'peg/GovAction');
      executePegAction(keeper, ctx, parseAction(msg.action), `authority:${ctx.hash}`);
    },
  };
  return [attestDeposit, withdraw, attestWithdrawal, cancel, pause, attestReserves, govAction];
}
