/** DEX params from JSON (`app_state.dex.params` and the stored form); missing fields keep defaults. */
import { dexError } from './errors.js';
import { defaultDexParams, type DexParams } from './types.js';

function amount(v: unknown, path: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v)) v = String(v);
  if (typeof v !== 'string' || !/^\d{1,19}$/.test(v) || BigInt(v) >= 1n << 63n) {
    throw dexError('invalidGenesis', `dex params ${path}: expected a non-negative int64, got ${JSON.stringify(v)}`);
  }
  return BigInt(v);
}

function count(v: unknown, path: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw dexError('invalidGenesis', `dex params ${path}: expected an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

const FEE_FIELDS = [
  ['expire_fee', 'expireFee'],
  ['expire_fee_native', 'expireFeeNative'],
  ['cancel_fee', 'cancelFee'],
  ['cancel_fee_native', 'cancelFeeNative'],
  ['fee_rate', 'feeRate'],
  ['fee_rate_native', 'feeRateNative'],
  ['ioc_expire_fee', 'iocExpireFee'],
  ['ioc_expire_fee_native', 'iocExpireFeeNative'],
] as const;

export function parseDexParams(raw: unknown): DexParams {
  const p = defaultDexParams();
  if (raw === undefined || raw === null) return p;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw dexError('invalidGenesis', 'dex params must be an object');
  const j = raw as Record<string, unknown>;
  if (j.fees !== undefined) {
    if (!j.fees || typeof j.fees !== 'object') throw dexError('invalidGenesis', 'dex params fees must be an object');
    const f = j.fees as Record<string, unknown>;
    for (const [json, field] of FEE_FIELDS) if (f[json] !== undefined) p.fees[field] = amount(f[json], `fees.${json}`);
  }
  if (j.history_blocks !== undefined) p.historyBlocks = count(j.history_blocks, 'history_blocks', 1);
  if (j.expire_days !== undefined) p.expireDays = count(j.expire_days, 'expire_days', 1);
  if (j.top_level_expire_days !== undefined) p.topLevelExpireDays = count(j.top_level_expire_days, 'top_level_expire_days', 1);
  if (j.top_levels !== undefined) p.topLevels = count(j.top_levels, 'top_levels', 0);
  return p;
}
