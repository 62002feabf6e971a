/**
 * Fixed-8 decimals (Go `utils.Fixed8`): amounts are int64 counts of 1e-8 units; text form has
 * exactly eight decimals.
 */
import { rootError } from '../errors.js';
import { INT64_MAX } from './amino.js';

const SCALE = 100_000_000n;
const INT64_MIN = -INT64_MAX - 1n;

export function formatFixed8(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const frac = (a % SCALE).toString().padStart(8, '0');
  return `${neg ? '-' : ''}${a / SCALE}.${frac}`;
}

/** Parses `[-]digits[.up to 8 digits]` into 1e-8 units; anything else, or int64 overflow, is invalidCoins. */
export function parseFixed8(s: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,8}))?$/.exec(s);
  if (!m) throw rootError('invalidCoins', `invalid decimal amount ${JSON.stringify(s)}`);
  const whole = BigInt(m[2]!);
  const frac = BigInt((m[3] ?? '').padEnd(8, '0'));
  let v = whole * SCALE + frac;
  if (m[1] === '-') v = -v;
  if (v > INT64_MAX || v < INT64_MIN) throw rootError('invalidCoins', `amount ${s} overflows int64`);
  return v;
}
