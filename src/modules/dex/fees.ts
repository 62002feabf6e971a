/**
 * DEX fees (spec §A.9, `node:plugins/dex/order/fee.go`): trade fees per transfer, sorted per
 * account, deducted as they go; fixed fees for cancel / expiry / IOC no-fill. Pure functions of
 * (balances, transfer, prices); the caller applies the result.
 */
import { INT64_MAX } from '../../codec/index.js';
import type { Address, Coin } from '../../codec/types.js';
import { notional } from './match/index.js';
import { NATIVE, ONE, type DexFeeParams, type TradeRecord } from './types.js';

const RATE_DECIMALS = 1_000_000n;

/** Transfer kinds (`transferEventType`). */
export const TransferKind = {
  Filled: 0,
  FullyExpire: 1,
  PartiallyExpire: 2,
  IocFullyExpire: 3,
  IocPartiallyExpire: 4,
  FullyCancel: 5,
  PartiallyCancel: 6,
  CancelForMatchFailure: 7,
} as const;
export type TransferKindValue = (typeof TransferKind)[keyof typeof TransferKind];

/** One balance movement of an account caused by a trade or an order leaving the book. */
export interface Transfer {
  kind: TransferKindValue;
  orderId: string;
  symbol: string;
  owner: Address;
  inAsset: string;
  in: bigint;
  outAsset: string;
  out: bigint;
  /** Taken out of `locked` (of `outAsset`). */
  unlock: bigint;
  trade?: TradeRecord;
  isBuyer?: boolean;
  fee?: Coin;
}

export function isFeeFree(t: Transfer): boolean {
  return (
    t.kind === TransferKind.PartiallyExpire ||
    t.kind === TransferKind.IocPartiallyExpire ||
    t.kind === TransferKind.PartiallyCancel ||
    t.kind === TransferKind.CancelForMatchFailure
  );
}

export function isExpiredWithFee(t: Transfer): boolean {
  return t.kind === TransferKind.FullyExpire || t.kind === TransferKind.IocFullyExpire;
}

/** Last price of pair `base_quote`, if listed. */
export type PriceOf = (base: string, quote: string) => bigint | undefined;

function amountOf(balances: ReadonlyMap<string, bigint>, denom: string): bigint {
  return balances.get(denom) ?? 0n;
}

/** `a` sorts before `b` among trade transfers (Go's `Less`). */
function tradeLess(x: Transfer, y: Transfer): boolean {
  const xin = x.inAsset === NATIVE;
  const yin = y.inAsset === NATIVE;
  if (xin && !yin) return true;
  if (!xin && yin) return false;
  const xout = x.outAsset === NATIVE;
  const yout = y.outAsset === NATIVE;
  if (xout && !yout) return true;
  if (!xout && yout) return false;
  return x.inAsset < y.inAsset || (x.inAsset === y.inAsset && x.outAsset < y.outAsset);
}

/** Go sort order of trade transfers: BNB in first, then BNB out, then (in, out) asset names; stable. */
export function compareTradeTransfers(a: Transfer, b: Transfer): number {
  // (module-level `less`: a closure per call was most of the sort's cost)
  return tradeLess(a, b) ? -1 : tradeLess(b, a) ? 1 : 0;
}

/** `a` sorts before `b` among expire transfers. */
function expireLess(x: Transfer, y: Transfer): boolean {
  const xn = x.inAsset === NATIVE;
  const yn = y.inAsset === NATIVE;
  if (xn && !yn) return true;
  if (!xn && yn) return false;
  return x.inAsset < y.inAsset || (x.inAsset === y.inAsset && x.symbol < y.symbol);
}

/** Expire transfers: BNB in first, then by asset, then by pair symbol; stable. */
export function compareExpireTransfers(a: Transfer, b: Transfer): number {
  return expireLess(a, b) ? -1 : expireLess(b, a) ? 1 : 0;
}

/** Value of the transfer in BNB (`calcTranValueMeasureBySymbol`); 0 when no BNB pair prices it. */
export function nativeValue(t: Transfer, priceOf: PriceOf): bigint {
  if (t.inAsset === NATIVE) return t.in;
  if (t.outAsset === NATIVE) return t.out;
  const direct = priceOf(t.inAsset, NATIVE);
  if (direct !== undefined) return notional(direct, t.in);
  const inverse = priceOf(NATIVE, t.inAsset);
  if (inverse !== undefined && inverse > 0n) return (t.in * ONE) / inverse;
  return 0n;
}

/** Fee of one trade transfer given the account's current free balances. */
export function tradeFee(balances: ReadonlyMap<string, bigint>, t: Transfer, params: DexFeeParams, priceOf: PriceOf): Coin {
  const nativeFee = (nativeValue(t, priceOf) * params.feeRateNative) / RATE_DECIMALS;
  const overflow = nativeFee > INT64_MAX;
  if (overflow || nativeFee === 0n || nativeFee > amountOf(balances, NATIVE)) {
    return { denom: t.inAsset, amount: (t.in * params.feeRate) / RATE_DECIMALS };
  }
  return { denom: NATIVE, amount: nativeFee };
}

/** Fixed fee (cancel / expire / IOC no-fill) for an order that unlocked `inAsset`. */
export function fixedFee(
  balances: ReadonlyMap<string, bigint>,
  kind: TransferKindValue,
  inAsset: string,
  params: DexFeeParams,
  priceOf: PriceOf,
): Coin | undefined {
  let feeNative: bigint;
  let fee: bigint;
  if (kind === TransferKind.FullyExpire) [feeNative, fee] = [params.expireFeeNative, params.expireFee];
  else if (kind === TransferKind.IocFullyExpire) [feeNative, fee] = [params.iocExpireFeeNative, params.iocExpireFee];
  else if (kind === TransferKind.FullyCancel) [feeNative, fee] = [params.cancelFeeNative, params.cancelFee];
  else return undefined;
  const bnb = amountOf(balances, NATIVE);
  if (bnb >= feeNative || inAsset === NATIVE) {
    return { denom: NATIVE, amount: feeNative < bnb ? feeNative : bnb };
  }
  let amount = 0n;
  const direct = priceOf(inAsset, NATIVE);
  if (direct !== undefined && direct > 0n) amount = (fee * ONE) / direct;
  else {
    const inverse = priceOf(NATIVE, inAsset);
    if (inverse !== undefined) amount = notional(inverse, fee);
  }
  if (amount > INT64_MAX) amount = INT64_MAX;
  const have = amountOf(balances, inAsset);
  return { denom: inAsset, amount: amount < have ? amount : have };
}
